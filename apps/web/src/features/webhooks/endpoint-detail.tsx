"use client";

import { ArrowLeftOutlined, ReloadOutlined } from "@ant-design/icons";
import { App, Button, Card, Descriptions, Result, Segmented, Skeleton, Space, Switch, Tag, Typography } from "antd";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import { useMutation, useQuery } from "urql";
import { CursorPager } from "@/components/cursor-pager";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { SecretOnceModal } from "@/components/secret-once-modal";
import { RequireCapability } from "@/features/auth/require-capability";
import type { DeliveryStatus } from "@/gql/graphql";
import { formatDateTime } from "@/lib/format";
import { useApiAction } from "@/lib/use-api-action";
import { useCursorPagination } from "@/lib/use-cursor-pagination";
import { DeliveriesTable } from "./deliveries-table";
import { EndpointFormModal } from "./endpoint-form-modal";
import { EventTypeTags } from "./event-type-tags";
import {
  DeleteWebhookEndpointMutation,
  PingWebhookEndpointMutation,
  RedeliverWebhookMutation,
  RotateWebhookSecretMutation,
  UpdateWebhookEndpointMutation,
  WebhookEndpointDetailQuery,
} from "./operations";

const PAGE_SIZE = 20;
// Deliveries happen in the worker; poll while the page is open so their outcome shows up by itself.
const POLL_MS = 3000;

export function EndpointDetailPage({ id }: { id: string }) {
  return (
    <RequireCapability capability="webhooks.manage">
      <EndpointDetail id={id} />
    </RequireCapability>
  );
}

function EndpointDetail({ id }: { id: string }) {
  const router = useRouter();
  const { modal } = App.useApp();
  const pagination = useCursorPagination();
  const [status, setStatus] = useState<DeliveryStatus | "ALL">("ALL");
  const [editing, setEditing] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [redelivering, setRedelivering] = useState<string | null>(null);
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: WebhookEndpointDetailQuery,
    variables: { id, status: status === "ALL" ? null : status, first: PAGE_SIZE, after: pagination.after },
  });
  const [{ fetching: toggling }, update] = useMutation(UpdateWebhookEndpointMutation);
  const [{ fetching: pinging }, ping] = useMutation(PingWebhookEndpointMutation);
  const [, rotate] = useMutation(RotateWebhookSecretMutation);
  const [, remove] = useMutation(DeleteWebhookEndpointMutation);
  const [, redeliver] = useMutation(RedeliverWebhookMutation);
  const run = useApiAction();
  const refresh = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]);

  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") refresh();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  if (error && !data) return <QueryError error={error} onRetry={refresh} />;
  if (!data) return <Skeleton active paragraph={{ rows: 8 }} />;
  const endpoint = data.webhookEndpoint;
  if (!endpoint)
    return <Result status="404" title="Webhook endpoint not found" extra={<Link href="/integrations/webhooks">Back to webhooks</Link>} />;

  function confirmRotate() {
    modal.confirm({
      title: "Rotate the signing secret?",
      content: "The current secret stops working immediately; update the receiver with the new one.",
      okText: "Rotate secret",
      onOk: async () => {
        const res = await run(() => rotate({ id }), { success: "Secret rotated" });
        if (res) setSecret(res.rotateWebhookSecret.secret);
      },
    });
  }

  function confirmDelete() {
    modal.confirm({
      title: "Delete this endpoint?",
      content: "Steward stops sending events to it and its delivery history is removed.",
      okText: "Delete endpoint",
      okButtonProps: { danger: true },
      onOk: async () => {
        if (await run(() => remove({ id }), { success: "Endpoint deleted" })) router.push("/integrations/webhooks");
      },
    });
  }

  const deliveries = endpoint.deliveries;
  return (
    <>
      <PageHeader
        back={
          <Link href="/integrations/webhooks">
            <Space size={4} style={{ marginBottom: 8 }}>
              <ArrowLeftOutlined /> Webhook endpoints
            </Space>
          </Link>
        }
        title={<Typography.Text style={{ fontSize: "inherit", fontWeight: "inherit" }}>{endpoint.url}</Typography.Text>}
        subtitle={endpoint.description || "No description"}
        extra={
          <Space wrap>
            <Button loading={pinging} onClick={() => run(() => ping({ id }), { success: "Ping queued" }).then(refresh)}>
              Send ping
            </Button>
            <Button onClick={() => setEditing(true)}>Edit</Button>
            <Button onClick={confirmRotate}>Rotate secret</Button>
            <Button danger onClick={confirmDelete}>
              Delete
            </Button>
          </Space>
        }
      />
      <Card style={{ marginBottom: 16 }}>
        <Descriptions
          column={{ xs: 1, md: 2 }}
          items={[
            {
              key: "active",
              label: "Active",
              children: (
                <Space>
                  <Switch
                    checked={endpoint.active}
                    loading={toggling}
                    aria-label="Endpoint active"
                    onChange={(active) =>
                      run(() => update({ input: { id, active } }), {
                        success: active ? "Endpoint activated" : "Endpoint deactivated",
                      }).then(refresh)
                    }
                  />
                  {endpoint.active ? <Tag color="green">Receiving events</Tag> : <Tag>Paused: no new deliveries</Tag>}
                </Space>
              ),
            },
            { key: "events", label: "Event types", children: <EventTypeTags types={endpoint.eventTypes} max={20} /> },
            {
              key: "secret",
              label: "Signing secret",
              children: endpoint.hasSecret ? "Set (shown only when created or rotated)" : "Not set",
            },
            { key: "created", label: "Created", children: formatDateTime(endpoint.createdAt) },
            { key: "updated", label: "Updated", children: formatDateTime(endpoint.updatedAt) },
          ]}
        />
      </Card>
      <Card
        role="region"
        aria-label="Delivery history"
        title="Delivery history"
        extra={
          <Space>
            <Segmented<DeliveryStatus | "ALL">
              aria-label="Filter deliveries by status"
              value={status}
              onChange={(v) => {
                setStatus(v);
                pagination.reset();
              }}
              options={[
                { value: "ALL", label: "All" },
                { value: "PENDING", label: "Pending" },
                { value: "SUCCEEDED", label: "Succeeded" },
                { value: "FAILED", label: "Failed" },
              ]}
            />
            <Button icon={<ReloadOutlined />} onClick={refresh} aria-label="Refresh deliveries" />
          </Space>
        }
      >
        {error && <QueryError error={error} onRetry={refresh} />}
        <DeliveriesTable
          deliveries={deliveries.nodes}
          loading={fetching && !data}
          redelivering={redelivering}
          onRedeliver={async (d) => {
            setRedelivering(d.id);
            await run(() => redeliver({ deliveryId: d.id }), { success: "Redelivery queued" });
            setRedelivering(null);
            refresh();
          }}
        />
        <CursorPager
          pagination={pagination}
          hasNextPage={deliveries.pageInfo.hasNextPage}
          endCursor={deliveries.pageInfo.endCursor}
          noun="delivery"
          loading={fetching}
        />
      </Card>
      <EndpointFormModal
        open={editing}
        endpoint={endpoint}
        eventTypes={data.webhookEventTypes}
        onClose={() => setEditing(false)}
        onSaved={() => {
          setEditing(false);
          refresh();
        }}
      />
      <SecretOnceModal
        title="New signing secret"
        secret={secret}
        description="The previous secret no longer verifies. Update the receiver now."
        onClose={() => setSecret(null)}
      />
    </>
  );
}
