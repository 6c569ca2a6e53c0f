"use client";

import { PlusOutlined, ReloadOutlined } from "@ant-design/icons";
import { Button, Card, Empty, Space, Table, Tag, Tooltip, Typography } from "antd";
import Link from "next/link";
import { useCallback } from "react";
import { useQuery } from "urql";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { RequireCapability } from "@/features/auth/require-capability";
import { useCan } from "@/features/auth/viewer-context";
import type { ConnectionsQuery as ConnectionsQueryType } from "@/gql/graphql";
import { formatDateTime, formatRelative } from "@/lib/format";
import { ConnectionsQuery } from "./operations";
import { usePlatformKinds } from "./platform-kinds";
import { isActive, SyncProgress, usePollWhile } from "./sync-status";

type Row = ConnectionsQueryType["connections"][number];

export function scheduleLabel(minutes: number | null | undefined): string {
  if (!minutes) return "On demand";
  if (minutes % 1440 === 0) return `Every ${minutes / 1440} day${minutes === 1440 ? "" : "s"}`;
  if (minutes % 60 === 0) return `Every ${minutes / 60} h`;
  return `Every ${minutes} min`;
}

export function ConnectionsPage() {
  return (
    <RequireCapability capability="dataSources.manage">
      <ConnectionsList />
    </RequireCapability>
  );
}

function ConnectionsList() {
  const canManage = useCan("connections.manage");
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ConnectionsQuery });
  const platforms = usePlatformKinds();
  const refresh = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]);
  const connections = data?.connections ?? [];
  usePollWhile(
    connections.some((c) => isActive(c.latestSyncRun)),
    refresh,
  );

  return (
    <>
      <PageHeader
        title="Connections"
        subtitle="Data platforms Steward reads catalogs from and applies policies to."
        extra={
          <Space>
            <Button icon={<ReloadOutlined />} onClick={refresh} aria-label="Refresh connections" />
            {canManage && (
              <Button type="primary" icon={<PlusOutlined />} href="/connections/new">
                New connection
              </Button>
            )}
          </Space>
        }
      />
      {error && <QueryError error={error} onRetry={refresh} />}
      <Card>
        <Table<Row>
          rowKey="id"
          loading={fetching && !data}
          dataSource={connections}
          pagination={false}
          locale={{
            emptyText: (
              <Empty
                description={canManage ? "No connections yet. Add your first data platform." : "No connections you are a data owner of."}
              >
                {canManage && (
                  <Button type="primary" href="/connections/new">
                    Add your first connection
                  </Button>
                )}
              </Empty>
            ),
          }}
          columns={[
            {
              title: "Name",
              key: "name",
              render: (_, c) => (
                <Space orientation="vertical" size={0}>
                  <Link href={`/connections/${c.id}`}>{c.name}</Link>
                  {c.description && (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {c.description}
                    </Typography.Text>
                  )}
                </Space>
              ),
            },
            { title: "Platform", dataIndex: "kind", render: (k: Row["kind"]) => <Tag>{platforms.label(k)}</Tag> },
            {
              title: "Data sources",
              dataIndex: "dataSourceCount",
              align: "right",
              render: (n: number, c) => <Link href={`/data-sources?connectionId=${c.id}`}>{n}</Link>,
            },
            {
              title: "Last sync",
              key: "sync",
              width: 280,
              render: (_, c) =>
                c.latestSyncRun ? (
                  <SyncProgress run={c.latestSyncRun} compact />
                ) : (
                  <Typography.Text type="secondary">Never synced</Typography.Text>
                ),
            },
            {
              title: "Schedule",
              key: "schedule",
              render: (_, c) => (
                <Space orientation="vertical" size={0}>
                  <span>{scheduleLabel(c.syncIntervalMinutes)}</span>
                  {c.nextSyncAt && (
                    <Tooltip title={formatDateTime(c.nextSyncAt)}>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        next {formatRelative(c.nextSyncAt)}
                      </Typography.Text>
                    </Tooltip>
                  )}
                </Space>
              ),
            },
            {
              title: "Auto-register",
              dataIndex: "autoRegister",
              render: (a: boolean) => (a ? <Tag color="purple">All new objects</Tag> : "Chosen schemas"),
            },
          ]}
        />
      </Card>
    </>
  );
}
