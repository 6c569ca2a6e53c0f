import { Space, Tag, Typography } from "antd";
import { ROLE_COLORS, ROLE_LABELS } from "@/features/auth/access";
import type { Role, UserStatus } from "@/gql/graphql";

export function StatusTag({ status }: { status: UserStatus }) {
  return status === "ACTIVE" ? <Tag color="green">Active</Tag> : <Tag>Deactivated</Tag>;
}

export function RoleTags({ roles, empty = "—" }: { roles: readonly Role[]; empty?: string }) {
  if (roles.length === 0) return <Typography.Text type="secondary">{empty}</Typography.Text>;
  return (
    <Space size={[4, 4]} wrap>
      {roles.map((r) => (
        <Tag key={r} color={ROLE_COLORS[r]}>
          {ROLE_LABELS[r]}
        </Tag>
      ))}
    </Space>
  );
}
