import { Tag, Tooltip } from "antd";
import type { DataSourceStatus, DisabledReason } from "@/gql/graphql";

export const DISABLED_REASONS: Record<DisabledReason, string> = {
  DROPPED: "The object no longer exists on the platform",
  MANUAL: "Disabled by a person",
  CONNECTION_DELETED: "Its connection was deleted",
};

export function DataSourceStatusTag({ status, reason }: { status: DataSourceStatus; reason?: DisabledReason | null }) {
  if (status === "ACTIVE") return <Tag color="green">Active</Tag>;
  return (
    <Tooltip title={reason ? DISABLED_REASONS[reason] : undefined}>
      <Tag>Disabled{reason ? ` · ${reason === "CONNECTION_DELETED" ? "connection deleted" : reason.toLowerCase()}` : ""}</Tag>
    </Tooltip>
  );
}
