import { Tag, Tooltip } from "antd";
import dayjs from "dayjs";
import type { RequestStatus } from "@/gql/graphql";
import { formatDateTime, formatRelative } from "@/lib/format";

const COLORS: Record<RequestStatus, string> = { PENDING: "gold", APPROVED: "green", DENIED: "red", CANCELLED: "default" };

export function RequestStatusTag({ status, expiresAt }: { status: RequestStatus; expiresAt?: string | null }) {
  const expired = status === "APPROVED" && expiresAt && dayjs(expiresAt).isBefore(dayjs());
  if (expired) return <Tag>EXPIRED</Tag>;
  return <Tag color={COLORS[status]}>{status}</Tag>;
}

export function ExpiryText({ expiresAt, status }: { expiresAt?: string | null; status: RequestStatus }) {
  if (status !== "APPROVED") return <span>—</span>;
  if (!expiresAt) return <span>No expiry</span>;
  const past = dayjs(expiresAt).isBefore(dayjs());
  return (
    <Tooltip title={formatDateTime(expiresAt)}>
      <span>{past ? `Ended ${formatRelative(expiresAt)}` : `Ends ${formatRelative(expiresAt)}`}</span>
    </Tooltip>
  );
}
