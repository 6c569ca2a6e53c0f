"use client";

import { PlusOutlined } from "@ant-design/icons";
import { Button, Card, Empty, Space, Table, Tag, Typography } from "antd";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useQuery } from "urql";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { SecretOnceModal } from "@/components/secret-once-modal";
import { RequireCapability } from "@/features/auth/require-capability";
import { ScimMappingCard } from "@/features/scim/scim-mapping-card";
import type { WebhookEndpointsQuery as WebhookEndpointsQueryType } from "@/gql/graphql";
import { formatDateTime } from "@/lib/format";
import { EndpointFormModal } from "./endpoint-form-modal";
import { EventTypeTags } from "./event-type-tags";
import { WebhookEndpointsQuery } from "./operations";

type EndpointRow = WebhookEndpointsQueryType["webhookEndpoints"][number];

export function WebhooksPage() {
  return (
    <RequireCapability capability="webhooks.manage">
      <EndpointsList />
    </RequireCapability>
  );
}

function EndpointsList() {
  const router = useRouter();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ secret: string; id: string } | null>(null);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: WebhookEndpointsQuery });
  const refresh = () => reexecute({ requestPolicy: "network-only" });

  return (
    <>
      <PageHeader
        title="Integrations"
        subtitle="Webhooks notify your systems when users, groups and attributes change (each request is signed with the endpoint's secret); identity providers provision users through SCIM."
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            Add endpoint
          </Button>
        }
      />
      {error && <QueryError error={error} onRetry={refresh} />}
      <Space orientation="vertical" size={16} style={{ width: "100%" }}>
        <Card title="Webhook endpoints">
          <Table<EndpointRow>
            rowKey="id"
            loading={fetching}
            pagination={false}
            dataSource={data?.webhookEndpoints ?? []}
            locale={{
              emptyText: (
                <Empty description="No webhook endpoints yet. Add one to receive change events such as user.created or group.membership.changed." />
              ),
            }}
            columns={[
              {
                title: "URL",
                dataIndex: "url",
                render: (url: string, e) => (
                  <Link href={`/integrations/webhooks/${e.id}`}>
                    <Typography.Text style={{ color: "inherit" }} ellipsis>
                      {url}
                    </Typography.Text>
                  </Link>
                ),
              },
              {
                title: "Description",
                dataIndex: "description",
                render: (d: string) => d || <Typography.Text type="secondary">—</Typography.Text>,
              },
              { title: "Events", dataIndex: "eventTypes", render: (t: string[]) => <EventTypeTags types={t} /> },
              { title: "Status", dataIndex: "active", render: (a: boolean) => (a ? <Tag color="green">Active</Tag> : <Tag>Inactive</Tag>) },
              { title: "Created", dataIndex: "createdAt", render: formatDateTime },
            ]}
          />
        </Card>
        <ScimMappingCard />
      </Space>
      <EndpointFormModal
        open={creating}
        eventTypes={data?.webhookEventTypes ?? []}
        onClose={() => setCreating(false)}
        onCreated={(secret, id) => {
          setCreating(false);
          setCreated({ secret, id });
          refresh();
        }}
      />
      <SecretOnceModal
        title="Endpoint signing secret"
        secret={created?.secret ?? null}
        description="Use it to verify the signature header on every request Steward sends to this endpoint."
        onClose={() => {
          const id = created?.id;
          setCreated(null);
          if (id) router.push(`/integrations/webhooks/${id}`);
        }}
      />
    </>
  );
}
