"use client";

import { KeyOutlined, PlusOutlined } from "@ant-design/icons";
import { App, Button, Card, Empty, Flex, Switch, Table, Tag, Tooltip, Typography } from "antd";
import dayjs from "dayjs";
import { useMemo, useState } from "react";
import { useMutation, useQuery } from "urql";
import { QueryError } from "@/components/query-error";
import { SecretOnceModal } from "@/components/secret-once-modal";
import { RoleTags } from "@/features/users/user-tags";
import type { ApiKeyScope, MyApiKeysQuery as MyApiKeysQueryType } from "@/gql/graphql";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useApiAction } from "@/lib/use-api-action";
import { CreateApiKeyModal } from "./create-api-key-modal";
import { MyApiKeysQuery, RevokeApiKeyMutation } from "./operations";

type KeyRow = MyApiKeysQueryType["myApiKeys"][number];

function KeyStatus({ k }: { k: KeyRow }) {
  if (k.revokedAt) return <Tag>Revoked {formatDateTime(k.revokedAt)}</Tag>;
  if (k.expiresAt && dayjs(k.expiresAt).isBefore(dayjs())) return <Tag color="orange">Expired</Tag>;
  return <Tag color="green">Active</Tag>;
}

export function ApiKeysPanel() {
  const { modal } = App.useApp();
  const [includeRevoked, setIncludeRevoked] = useState(false);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ secret: string; scope: ApiKeyScope } | null>(null);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: MyApiKeysQuery, variables: { includeRevoked } });
  const [, revoke] = useMutation(RevokeApiKeyMutation);
  const run = useApiAction();
  const refresh = () => reexecute({ requestPolicy: "network-only" });
  // Revocations the server confirmed, applied to the list at once: urql drops a refetch while an
  // identical query is still in flight, so a list fetched just before the revoke could otherwise stay.
  const [revokedNow, setRevokedNow] = useState<ReadonlyMap<string, string>>(new Map());
  const keys = useMemo(
    () =>
      (data?.myApiKeys ?? [])
        .map((k) => (k.revokedAt || !revokedNow.has(k.id) ? k : { ...k, revokedAt: revokedNow.get(k.id)! }))
        .filter((k) => includeRevoked || !k.revokedAt),
    [data, revokedNow, includeRevoked],
  );

  function confirmRevoke(k: KeyRow) {
    modal.confirm({
      title: `Revoke API key ${k.name}?`,
      content: "Anything using it stops working immediately. This cannot be undone.",
      okText: "Revoke key",
      okButtonProps: { danger: true },
      onOk: async () => {
        const done = await run(() => revoke({ id: k.id }), { success: `API key ${k.name} revoked` });
        const revokedAt = done?.revokeApiKey.revokedAt;
        if (revokedAt) setRevokedNow((m) => new Map(m).set(k.id, revokedAt));
        refresh();
      },
    });
  }

  return (
    <Card
      title={
        <span>
          <KeyOutlined /> My API keys
        </span>
      }
      extra={
        <Flex gap={16} align="center">
          <Flex gap={6} align="center">
            <Switch
              id="show-revoked-keys"
              size="small"
              checked={includeRevoked}
              onChange={setIncludeRevoked}
              aria-label="Show revoked keys"
            />
            <Typography.Text>Show revoked</Typography.Text>
          </Flex>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            Create API key
          </Button>
        </Flex>
      }
    >
      <Typography.Paragraph type="secondary">
        API keys let scripts and pipelines call the Steward API as you. A key never has more roles than you do.
      </Typography.Paragraph>
      {error && <QueryError error={error} onRetry={refresh} />}
      <Table<KeyRow>
        rowKey="id"
        loading={fetching}
        pagination={false}
        dataSource={keys}
        locale={{ emptyText: <Empty description={includeRevoked ? "You have no API keys." : "You have no active API keys."} /> }}
        columns={[
          { title: "Name", dataIndex: "name" },
          { title: "Prefix", dataIndex: "prefix", render: (p: string) => <Typography.Text code>{p}…</Typography.Text> },
          {
            title: "Used for",
            dataIndex: "scope",
            render: (s: ApiKeyScope) => (s === "SCIM" ? <Tag color="purple">SCIM provisioning</Tag> : <Tag>Steward API</Tag>),
          },
          { title: "Roles", dataIndex: "roles", render: (r: KeyRow["roles"]) => <RoleTags roles={r} empty="None" /> },
          { title: "Created", dataIndex: "createdAt", render: formatDateTime },
          {
            title: "Last used",
            dataIndex: "lastUsedAt",
            render: (v: string | null) => <Tooltip title={v ? formatDateTime(v) : undefined}>{formatRelative(v)}</Tooltip>,
          },
          { title: "Expires", dataIndex: "expiresAt", render: (v: string | null) => (v ? formatDateTime(v) : "Never") },
          { title: "Status", key: "status", render: (_, k) => <KeyStatus k={k} /> },
          {
            title: <span className="sr-only">Actions</span>,
            key: "actions",
            render: (_, k) =>
              !k.revokedAt && (
                <Button type="link" danger size="small" aria-label={`Revoke API key ${k.name}`} onClick={() => confirmRevoke(k)}>
                  Revoke
                </Button>
              ),
          },
        ]}
      />
      <CreateApiKeyModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(secret, scope) => {
          setCreating(false);
          setCreated({ secret, scope });
          refresh();
        }}
      />
      <SecretOnceModal
        title="Your new API key"
        secret={created?.secret ?? null}
        description={
          created?.scope === "SCIM"
            ? "Steward stores only a hash of the key. Enter it in your identity provider as the SCIM bearer token (Okta: HTTP Header; Entra ID: Secret Token), with the API's /scim/v2 as the base URL."
            : "Steward stores only a hash of the key. Send it as a Bearer token in the Authorization header."
        }
        onClose={() => setCreated(null)}
      />
    </Card>
  );
}
