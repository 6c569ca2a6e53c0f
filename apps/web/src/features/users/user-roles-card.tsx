"use client";

import { App, Button, Card, Select, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { useMutation } from "urql";
import { ALL_ROLES, ROLE_COLORS, ROLE_LABELS } from "@/features/auth/access";
import type { Role } from "@/gql/graphql";
import { useApiAction } from "@/lib/use-api-action";
import { GrantRoleMutation, RevokeRoleMutation } from "./operations";
import type { UserDetail } from "./user-detail";

const ROLE_HELP: Record<Role, string> = {
  ADMIN: "users, groups, roles, others' API keys, webhooks and connections",
  GOVERNOR: "authors policies; reads all users and attributes",
  DATA_OWNER: "manages the data sources they own",
};

export function UserRolesCard({ user, canManage, onChanged }: { user: UserDetail; canManage: boolean; onChanged: () => void }) {
  const { modal } = App.useApp();
  const [role, setRole] = useState<Role | undefined>();
  const [{ fetching: granting }, grant] = useMutation(GrantRoleMutation);
  const [, revoke] = useMutation(RevokeRoleMutation);
  const run = useApiAction();
  const grantable = ALL_ROLES.filter((r) => !user.roles.includes(r));

  function confirmRevoke(r: Role) {
    modal.confirm({
      title: `Revoke ${ROLE_LABELS[r]} from ${user.displayName}?`,
      content: "Their API keys lose this role too.",
      okText: "Revoke",
      okButtonProps: { danger: true },
      onOk: () => run(() => revoke({ userId: user.id, role: r }), { success: `${ROLE_LABELS[r]} revoked` }).then(onChanged),
    });
  }

  return (
    <Card title="Roles">
      {user.roles.length === 0 ? (
        <Typography.Paragraph type="secondary">
          No administrative roles: this user can manage only their own API keys and settings.
        </Typography.Paragraph>
      ) : (
        <Space orientation="vertical" style={{ width: "100%", marginBottom: 12 }}>
          {user.roles.map((r) => (
            <Space key={r}>
              <Tag color={ROLE_COLORS[r]}>{ROLE_LABELS[r]}</Tag>
              <Typography.Text type="secondary">{ROLE_HELP[r]}</Typography.Text>
              {canManage && (
                <Button type="link" danger size="small" aria-label={`Revoke role ${ROLE_LABELS[r]}`} onClick={() => confirmRevoke(r)}>
                  Revoke
                </Button>
              )}
            </Space>
          ))}
        </Space>
      )}
      {canManage && grantable.length > 0 && (
        <Space.Compact style={{ width: "100%" }}>
          <Select
            aria-label="Role to grant"
            placeholder="Choose a role to grant"
            value={role}
            onChange={setRole}
            style={{ flex: 1 }}
            options={grantable.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
          />
          <Button
            type="primary"
            disabled={!role}
            loading={granting}
            onClick={async () => {
              if (!role) return;
              await run(() => grant({ userId: user.id, role }), { success: `${ROLE_LABELS[role]} granted` });
              setRole(undefined);
              onChanged();
            }}
          >
            Grant role
          </Button>
        </Space.Compact>
      )}
    </Card>
  );
}
