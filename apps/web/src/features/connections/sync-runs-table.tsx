import { Empty, Table, Tooltip, Typography } from "antd";
import { formatDateTime, formatRelative } from "@/lib/format";
import { isActive, SyncProgress, type SyncRun, SyncStatusTag, TRIGGER_LABELS } from "./sync-status";

function duration(run: SyncRun): string {
  if (!run.startedAt || !run.finishedAt) return "—";
  const ms = new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime();
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Every sync attempt of a connection, newest first. */
export function SyncRunsTable({ runs, loading }: { runs: readonly SyncRun[]; loading?: boolean }) {
  return (
    <Table<SyncRun>
      rowKey="id"
      size="small"
      loading={loading}
      pagination={false}
      dataSource={[...runs]}
      locale={{ emptyText: <Empty description="No syncs yet." /> }}
      columns={[
        {
          title: "Requested",
          dataIndex: "requestedAt",
          render: (v: string) => <Tooltip title={formatRelative(v)}>{formatDateTime(v)}</Tooltip>,
        },
        { title: "Trigger", dataIndex: "trigger", render: (t: SyncRun["trigger"]) => TRIGGER_LABELS[t] },
        {
          title: "Status",
          key: "status",
          width: 220,
          render: (_, r) => (isActive(r) ? <SyncProgress run={r} /> : <SyncStatusTag status={r.status} />),
        },
        { title: "Objects", dataIndex: "objectsSeen", align: "right" },
        { title: "New", dataIndex: "added", align: "right" },
        { title: "Changed", dataIndex: "updated", align: "right" },
        { title: "Gone", dataIndex: "disabled", align: "right" },
        { title: "Back", dataIndex: "reenabled", align: "right" },
        { title: "Registered", dataIndex: "registered", align: "right" },
        { title: "Duration", key: "duration", render: (_, r) => duration(r) },
        {
          title: "Error",
          dataIndex: "error",
          ellipsis: true,
          render: (e: string | null) =>
            e ? (
              <Tooltip title={e}>
                <Typography.Text type="danger">{e}</Typography.Text>
              </Tooltip>
            ) : (
              "—"
            ),
        },
      ]}
    />
  );
}
