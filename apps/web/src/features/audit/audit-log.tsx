"use client";

import { Card, Col, Empty, Row, Table, Tag, Tooltip, Typography } from "antd";
import Link from "next/link";
import { useState } from "react";
import { useQuery } from "urql";
import { CursorPager } from "@/components/cursor-pager";
import { JsonBlock } from "@/components/json-block";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { RequireCapability } from "@/features/auth/require-capability";
import type { AuditEventsFilter, AuditEventsQuery as AuditEventsQueryType } from "@/gql/graphql";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useCursorPagination } from "@/lib/use-cursor-pagination";
import { AuditFilters } from "./audit-filters";
import { AuditEventsQuery } from "./operations";

const PAGE_SIZE = 25;
type AuditRow = AuditEventsQueryType["auditEvents"]["nodes"][number];

const ACTOR_COLORS = { USER: "blue", API_KEY: "gold", SYSTEM: "default" } as const;

function targetLink(e: AuditRow) {
  if (e.targetType === "User") return <Link href={`/users/${e.targetId}`}>{e.targetId}</Link>;
  if (e.targetType === "Group") return <Link href={`/groups/${e.targetId}`}>{e.targetId}</Link>;
  if (e.targetType === "WebhookEndpoint") return <Link href={`/integrations/webhooks/${e.targetId}`}>{e.targetId}</Link>;
  return <Typography.Text>{e.targetId}</Typography.Text>;
}

export function AuditPage() {
  return (
    <RequireCapability capability="audit.read">
      <AuditLog />
    </RequireCapability>
  );
}

function AuditLog() {
  const pagination = useCursorPagination();
  const [filter, setFilter] = useState<AuditEventsFilter>({});
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: AuditEventsQuery,
    variables: { filter, first: PAGE_SIZE, after: pagination.after },
    requestPolicy: "network-only",
  });
  const events = data?.auditEvents;
  const filtered = Object.values(filter).some(Boolean);

  return (
    <>
      <PageHeader title="Audit" subtitle="The append-only record of every change made in Steward, newest first." />
      {error && <QueryError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />}
      <Card>
        <AuditFilters
          onChange={(f) => {
            setFilter(f);
            pagination.reset();
          }}
        />
        <Table<AuditRow>
          rowKey="id"
          loading={fetching}
          pagination={false}
          dataSource={events?.nodes ?? []}
          locale={{ emptyText: <Empty description={filtered ? "No audit events match these filters." : "No audit events yet."} /> }}
          expandable={{
            expandedRowRender: (e) => (
              <Row gutter={16}>
                <Col span={12}>
                  <Typography.Text strong>Before</Typography.Text>
                  <JsonBlock value={e.before} label="Before" />
                </Col>
                <Col span={12}>
                  <Typography.Text strong>After</Typography.Text>
                  <JsonBlock value={e.after} label="After" />
                </Col>
                {e.requestId && (
                  <Col span={24} style={{ marginTop: 8 }}>
                    <Typography.Text type="secondary">
                      Request ID: <Typography.Text code>{e.requestId}</Typography.Text>
                    </Typography.Text>
                  </Col>
                )}
              </Row>
            ),
          }}
          columns={[
            {
              title: "Time",
              dataIndex: "createdAt",
              width: 190,
              render: (v: string) => <Tooltip title={formatRelative(v)}>{formatDateTime(v)}</Tooltip>,
            },
            {
              title: "Actor",
              key: "actor",
              render: (_, e) => (
                <span>
                  <Tag color={ACTOR_COLORS[e.actorType]}>{e.actorType.replace("_", " ").toLowerCase()}</Tag>
                  {e.actor ? <Link href={`/users/${e.actor.id}`}>{e.actorLabel}</Link> : e.actorLabel}
                </span>
              ),
            },
            { title: "Action", dataIndex: "action", render: (a: string) => <Typography.Text code>{a}</Typography.Text> },
            { title: "Target type", dataIndex: "targetType" },
            { title: "Target", key: "target", ellipsis: true, render: (_, e) => targetLink(e) },
          ]}
        />
        <CursorPager
          pagination={pagination}
          hasNextPage={events?.pageInfo.hasNextPage ?? false}
          endCursor={events?.pageInfo.endCursor}
          noun="event"
          loading={fetching}
        />
      </Card>
    </>
  );
}
