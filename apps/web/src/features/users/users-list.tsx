"use client";

import { PlusOutlined } from "@ant-design/icons";
import { Button, Space, Tag } from "antd";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useQuery } from "urql";
import { FilterSelect, ListCard, useListFilters } from "@/components/list-card";
import { PageHeader } from "@/components/page-header";
import { ALL_ROLES, ROLE_LABELS } from "@/features/auth/access";
import { RequireCapability } from "@/features/auth/require-capability";
import { useCan } from "@/features/auth/viewer-context";
import type { Role, UserStatus, UsersQuery as UsersQueryType } from "@/gql/graphql";
import { formatDateTime } from "@/lib/format";
import { CreateUserModal } from "./create-user-modal";
import { GroupOptionsQuery, UsersQuery } from "./operations";
import { RoleTags, StatusTag } from "./user-tags";
import { UsersGroupsTabs } from "./users-groups-tabs";

const PAGE_SIZE = 20;
type UserRow = UsersQueryType["users"]["nodes"][number];

export function UsersPage() {
  return (
    <RequireCapability capability="users.read">
      <UsersList />
    </RequireCapability>
  );
}

function UsersList() {
  const router = useRouter();
  const canManage = useCan("users.manage");
  const { filters, setFilter, filtered, pagination } = useListFilters({
    search: "",
    status: undefined as UserStatus | undefined,
    role: undefined as Role | undefined,
    groupId: undefined as string | undefined,
  });
  const { search, status, role, groupId } = filters;
  const [creating, setCreating] = useState(false);
  const [{ data, fetching, error }, refetch] = useQuery({
    query: UsersQuery,
    variables: { filter: { search: search || null, status, role, groupId }, first: PAGE_SIZE, after: pagination.after },
  });
  const [{ data: groupData }] = useQuery({ query: GroupOptionsQuery, variables: { search: null } });

  const users = data?.users;

  return (
    <>
      <PageHeader
        title="Users & groups"
        subtitle="People Steward knows about, their roles, attributes and group memberships."
        extra={
          canManage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
              Create user
            </Button>
          )
        }
      />
      <UsersGroupsTabs />
      <ListCard<UserRow>
        page={users}
        fetching={fetching}
        error={error}
        onRetry={() => refetch({ requestPolicy: "network-only" })}
        pagination={pagination}
        noun="user"
        search={{ label: "Search users", placeholder: "Search username, name or email", onSearch: setFilter("search") }}
        filters={
          <>
            <FilterSelect
              label="Filter by status"
              placeholder="Any status"
              value={status}
              onChange={setFilter("status")}
              width={160}
              options={[
                { value: "ACTIVE", label: "Active" },
                { value: "DEACTIVATED", label: "Deactivated" },
              ]}
            />
            <FilterSelect
              label="Filter by role"
              placeholder="Any role"
              value={role}
              onChange={setFilter("role")}
              width={160}
              options={ALL_ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
            />
            <FilterSelect
              label="Filter by group"
              placeholder="Any group"
              showSearch={{ optionFilterProp: "label" }}
              value={groupId}
              onChange={setFilter("groupId")}
              width={200}
              options={groupData?.groups.nodes.map((g) => ({ value: g.id, label: g.name })) ?? []}
            />
          </>
        }
        onRow={(u) => ({ onDoubleClick: () => router.push(`/users/${u.id}`) })}
        emptyText={
          filtered ? "No users match these filters." : "No users yet. Create the first one, or connect an identity provider later."
        }
        columns={[
          {
            title: "Name",
            key: "name",
            render: (_, u) => (
              <Space orientation="vertical" size={0}>
                <Link href={`/users/${u.id}`}>{u.displayName}</Link>
                <span style={{ color: "rgba(0,0,0,0.45)", fontSize: 12 }}>{u.username}</span>
              </Space>
            ),
          },
          { title: "Email", dataIndex: "email" },
          { title: "Status", dataIndex: "status", render: (s: UserStatus) => <StatusTag status={s} /> },
          { title: "Roles", dataIndex: "roles", render: (roles: Role[]) => <RoleTags roles={roles} /> },
          {
            title: "Groups",
            key: "groups",
            render: (_, u) =>
              u.groups.length === 0 ? (
                "—"
              ) : (
                <Space size={[4, 4]} wrap>
                  {u.groups.map((g) => (
                    <Tag key={g.id}>{g.name}</Tag>
                  ))}
                </Space>
              ),
          },
          { title: "Created", dataIndex: "createdAt", render: formatDateTime },
        ]}
      />
      <CreateUserModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(id) => {
          setCreating(false);
          router.push(`/users/${id}`);
        }}
      />
    </>
  );
}
