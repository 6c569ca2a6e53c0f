"use client";

import { Alert, Empty, Table, Tag, Tooltip, Typography } from "antd";
import { useQuery } from "urql";
import { CursorPager } from "@/components/cursor-pager";
import { JsonBlock } from "@/components/json-block";
import { QueryError } from "@/components/query-error";
import type { DataSourceAuditQuery as DataSourceAuditQueryType } from "@/gql/graphql";
import { hasCode } from "@/lib/api-error";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useCursorPagination } from "@/lib/use-cursor-pagination";
import { DataSourceAuditQuery } from "./operations";

type Event = DataSourceAuditQueryType["auditEvents"]["nodes"][number];
const PAGE_SIZE = 20;

function field(value: unknown, key: string): string | null {
  if (typeof value !== "object" || value === null) return null;
  const v = (value as Record<string, unknown>)[key];
  return typeof v === "string" ? v : null;
}

/** One line saying what changed, for the common actions; the JSON is one click away. */
function summary(e: Event): string {
  const tag = field(e.after, "tag");
  const column = field(e.after, "column");
  if (tag && column) return `${column}: ${tag}`;
  if (tag) return tag;
  const status = field(e.after, "status");
  if (status) return `${field(e.before, "status") ?? "?"} → ${status}`;
  const name = field(e.after, "name");
  return name ?? "";
}

export function AuditTrail({ dataSourceId }: { dataSourceId: string }) {
  const pagination = useCursorPagination();
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: DataSourceAuditQuery,
    variables: { targetId: dataSourceId, first: PAGE_SIZE, after: pagination.after },
    requestPolicy: "cache-and-network",
  });
  if (hasCode(error, "FORBIDDEN"))
    return <Alert type="info" showIcon title="The audit trail is visible to administrators, governors and the source's data owners." />;
  const events = data?.auditEvents;
  return (
    <section aria-label="Audit trail">
      {error && <QueryError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />}
      <Table<Event>
        rowKey="id"
        size="small"
        loading={fetching && !data}
        pagination={false}
        dataSource={events?.nodes ?? []}
        locale={{ emptyText: <Empty description="No changes recorded yet." /> }}
        expandable={{ expandedRowRender: (e) => <JsonBlock value={e.after ?? e.before} label="Change" /> }}
        columns={[
          {
            title: "Time",
            dataIndex: "createdAt",
            width: 190,
            render: (v: string) => <Tooltip title={formatRelative(v)}>{formatDateTime(v)}</Tooltip>,
          },
          { title: "Who", key: "who", render: (_, e) => (e.actorType === "SYSTEM" ? <Tag>system</Tag> : e.actorLabel) },
          { title: "Action", dataIndex: "action", render: (a: string) => <Typography.Text code>{a}</Typography.Text> },
          { title: "Details", key: "details", render: (_, e) => summary(e) || "—" },
        ]}
      />
      <CursorPager
        pagination={pagination}
        hasNextPage={events?.pageInfo.hasNextPage ?? false}
        endCursor={events?.pageInfo.endCursor}
        noun="event"
        loading={fetching}
      />
    </section>
  );
}
