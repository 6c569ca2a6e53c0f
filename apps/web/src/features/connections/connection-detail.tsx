"use client";

import { ArrowLeftOutlined, SyncOutlined } from "@ant-design/icons";
import { App, Button, Card, Col, Descriptions, Empty, Result, Row, Skeleton, Space, Tabs, Tag, Typography } from "antd";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useState } from "react";
import { useMutation, useQuery } from "urql";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { SecretOnceModal } from "@/components/secret-once-modal";
import { RequireCapability } from "@/features/auth/require-capability";
import { useCan, useViewer } from "@/features/auth/viewer-context";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useApiAction } from "@/lib/use-api-action";
import { AccessStatusTab } from "./access-status-tab";
import { CatalogTree } from "./catalog-tree";
import { scheduleLabel } from "./connections-list";
import { DecisionClientCard } from "./decision-client-card";
import { EditConnectionModal } from "./edit-connection-modal";
import { InboundWebhookInfo, webhookUrl } from "./inbound-webhook";
import { ConnectionDetailQuery, DeleteConnectionMutation, RotateInboundSecretMutation, SyncConnectionMutation } from "./operations";
import { displayValue, SIGNATURE_FORMAT, usePlatformKinds } from "./platform-kinds";
import { RegisterPanel } from "./register-panel";
import { SyncRunsTable } from "./sync-runs-table";
import { isActive, SyncProgress, usePollWhile } from "./sync-status";

export function ConnectionDetailPage({ id, apiOrigin }: { id: string; apiOrigin: string }) {
  return (
    <RequireCapability capability="dataSources.manage">
      <ConnectionDetail id={id} apiOrigin={apiOrigin} />
    </RequireCapability>
  );
}

function ConnectionDetail({ id, apiOrigin }: { id: string; apiOrigin: string }) {
  const router = useRouter();
  const { modal, message } = App.useApp();
  const viewer = useViewer();
  const isAdmin = useCan("connections.manage");
  const [editing, setEditing] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [catalogToken, setCatalogToken] = useState(0);
  const [{ data, error }, reexecute] = useQuery({ query: ConnectionDetailQuery, variables: { id } });
  const platforms = usePlatformKinds();
  const [{ fetching: syncing }, sync] = useMutation(SyncConnectionMutation);
  const [, rotate] = useMutation(RotateInboundSecretMutation);
  const [, remove] = useMutation(DeleteConnectionMutation);
  const run = useApiAction();
  const refresh = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]);
  const connection = data?.connection;
  const running = isActive(connection?.latestSyncRun);
  usePollWhile(running, refresh);
  // When a sync finishes the catalog may have changed: reload the tree once.
  const [wasRunning, setWasRunning] = useState(false);
  if (running !== wasRunning) {
    setWasRunning(running);
    if (!running) setCatalogToken((t) => t + 1);
  }

  if (error && !data) return <QueryError error={error} onRetry={refresh} />;
  if (!data) return <Skeleton active paragraph={{ rows: 10 }} />;
  if (!connection)
    return (
      <Result
        status="404"
        title="Connection not found"
        subTitle="It was deleted, or you are not a data owner on it."
        extra={<Link href="/connections">Back to connections</Link>}
      />
    );

  const canRegister = isAdmin || connection.dataOwners.some((o) => o.id === viewer.user?.id);
  const fields = platforms.info(connection.kind)?.connectionFields ?? [];

  function confirmRotate() {
    modal.confirm({
      title: "Rotate the inbound secret?",
      content: "Requests signed with the current secret are refused from now on; update the caller with the new one.",
      okText: "Rotate secret",
      onOk: async () => {
        const res = await run(() => rotate({ id }), { success: "Inbound secret rotated" });
        if (res) setSecret(res.rotateConnectionInboundSecret.inboundSecret);
      },
    });
  }

  function confirmDelete() {
    modal.confirm({
      title: `Delete “${connection?.name}”?`,
      content: "Its data sources are disabled (reason: connection deleted) and no further syncs run. Audit history is kept.",
      okText: "Delete connection",
      okButtonProps: { danger: true },
      onOk: async () => {
        if (await run(() => remove({ id }), { success: "Connection deleted" })) router.push("/connections");
      },
    });
  }

  return (
    <>
      <PageHeader
        back={
          <Link href="/connections">
            <Space size={4} style={{ marginBottom: 8 }}>
              <ArrowLeftOutlined /> Connections
            </Space>
          </Link>
        }
        title={connection.name}
        subtitle={
          <Space>
            <Tag>{platforms.label(connection.kind)}</Tag>
            {connection.description || "No description"}
          </Space>
        }
        extra={
          <Space wrap>
            {canRegister && (
              <Button
                icon={<SyncOutlined spin={running} />}
                loading={syncing}
                onClick={() => run(() => sync({ id }), { success: "Sync queued" }).then(refresh)}
              >
                Sync now
              </Button>
            )}
            {isAdmin && (
              <>
                <Button onClick={() => setEditing(true)}>Edit</Button>
                <Button onClick={confirmRotate}>Rotate inbound secret</Button>
                <Button danger onClick={confirmDelete}>
                  Delete
                </Button>
              </>
            )}
          </Space>
        }
      />
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={24} xl={14}>
          <Card title="Details" style={{ height: "100%" }}>
            <Descriptions
              size="small"
              column={{ xs: 1, md: 2 }}
              items={[
                ...fields.map((f) => ({
                  key: `field-${f.name}`,
                  label: f.label,
                  children:
                    f.type === "SECRET" ? (connection.hasCredentials ? "Stored (encrypted)" : "None") : displayValue(f, connection.config),
                })),
                { key: "sched", label: "Schedule", children: scheduleLabel(connection.syncIntervalMinutes) },
                { key: "next", label: "Next sync", children: connection.nextSyncAt ? formatRelative(connection.nextSyncAt) : "—" },
                { key: "auto", label: "Auto-register", children: connection.autoRegister ? "Every new object" : "Only in chosen schemas" },
                {
                  key: "count",
                  label: "Data sources",
                  children: <Link href={`/data-sources?connectionId=${id}`}>{connection.dataSourceCount}</Link>,
                },
                { key: "created", label: "Created", children: formatDateTime(connection.createdAt) },
                { key: "updated", label: "Updated", children: formatDateTime(connection.updatedAt) },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Space orientation="vertical" size={16} style={{ width: "100%" }}>
            <Card title="Latest sync" role="region" aria-label="Latest sync">
              {connection.latestSyncRun ? (
                <SyncProgress run={connection.latestSyncRun} />
              ) : (
                <Typography.Text type="secondary">Never synced</Typography.Text>
              )}
            </Card>
            <Card title="Data owners" role="region" aria-label="Data owners">
              {connection.dataOwners.length === 0 ? (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="No data owners: only administrators register sources here." />
              ) : (
                <Space size={[4, 8]} wrap>
                  {connection.dataOwners.map((o) => (
                    <Tag key={o.id}>{isAdmin ? <Link href={`/users/${o.id}`}>{o.displayName}</Link> : o.displayName}</Tag>
                  ))}
                </Space>
              )}
            </Card>
          </Space>
        </Col>
      </Row>
      {connection.decisionClient && (
        <DecisionClientCard connectionId={id} client={connection.decisionClient} canIssue={isAdmin} onIssued={refresh} />
      )}
      <Card>
        <Tabs
          items={[
            {
              key: "catalog",
              label: "Catalog",
              children: canRegister ? (
                <RegisterPanel
                  key={catalogToken}
                  connectionId={id}
                  onRegistered={(n) => {
                    message.success(`${n} data source${n === 1 ? "" : "s"} registered`);
                    refresh();
                  }}
                />
              ) : (
                <section aria-label="Catalog browser">
                  <CatalogTree connectionId={id} reloadToken={catalogToken} />
                </section>
              ),
            },
            { key: "history", label: "Sync history", children: <SyncRunsTable runs={connection.syncRuns} /> },
            { key: "access", label: "Access status", children: <AccessStatusTab connectionId={id} /> },
            {
              key: "webhook",
              label: "Inbound webhook",
              children: (
                <>
                  <Typography.Paragraph type="secondary">
                    POST to this URL to sync at once when objects change. Sign each request with the connection&apos;s inbound secret (
                    {SIGNATURE_FORMAT}). The secret is shown only when the connection is created or the secret rotated.
                  </Typography.Paragraph>
                  <InboundWebhookInfo url={webhookUrl(apiOrigin, connection.inboundWebhookPath)} />
                </>
              ),
            },
          ]}
        />
      </Card>
      <EditConnectionModal
        connection={connection}
        open={editing}
        onClose={() => setEditing(false)}
        onSaved={() => {
          setEditing(false);
          refresh();
        }}
      />
      <SecretOnceModal
        title="New inbound secret"
        secret={secret}
        description={`Sign requests to ${webhookUrl(apiOrigin, connection.inboundWebhookPath)} with it: ${SIGNATURE_FORMAT}.`}
        onClose={() => setSecret(null)}
      />
    </>
  );
}
