"use client";

import { Button, Popconfirm } from "antd";
import { useMutation } from "urql";
import { useApiAction } from "@/lib/use-api-action";
import { CancelAccessRequestMutation } from "./operations";

/** Lets a requester withdraw a request that is still waiting for a decision. */
export function CancelRequestButton({
  requestId,
  sourceName,
  onCancelled,
}: {
  requestId: string;
  sourceName: string;
  onCancelled: () => void;
}) {
  const run = useApiAction();
  const [{ fetching }, cancel] = useMutation(CancelAccessRequestMutation);
  return (
    <Popconfirm
      title="Cancel this request?"
      description={`Nobody will be asked to decide on your request for ${sourceName} any more.`}
      okText="Cancel request"
      cancelText="Keep it"
      okButtonProps={{ danger: true }}
      onConfirm={async () => {
        if (await run(() => cancel({ id: requestId }), { success: "Request cancelled" })) onCancelled();
      }}
    >
      <Button size="small" loading={fetching} aria-label={`Cancel request for ${sourceName}`}>
        Cancel
      </Button>
    </Popconfirm>
  );
}
