import { Alert, Button } from "antd";
import type { CombinedError } from "urql";
import { toApiError } from "@/lib/api-error";

export function QueryError({ error, onRetry }: { error: CombinedError; onRetry?: () => void }) {
  const apiError = toApiError(error);
  return (
    <Alert
      type="error"
      showIcon
      title={apiError?.code === "FORBIDDEN" ? "You are not allowed to see this" : "Could not load data"}
      description={apiError?.message}
      action={onRetry && <Button onClick={onRetry}>Retry</Button>}
      style={{ marginBottom: 16 }}
    />
  );
}
