"use client";

import { PlusOutlined } from "@ant-design/icons";
import { Button, Card, Empty, Flex, Input, Select, Space, Table, Tag } from "antd";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useQuery } from "urql";
import { CursorPager } from "@/components/cursor-pager";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { ALL_ROLES, ROLE_LABELS } from "@/features/auth/access";
import { RequireCapability } from "@/features/auth/require-capability";
import { useCan } from "@/features/auth/viewer-context";
import type { Role, UserStatus, UsersQuery as UsersQueryType } from "@/gql/graphql";
import { formatDateTime } from "@/lib/format";
import { useCursorPagination } from "@/lib/use-cursor-pagination";
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
  const pagination = useCursorPagination();
  const [search, setSearch] = useState("");
  const [status, setStatus] = useState<UserStatus | undefined>();
  const [role, setRole] = useState<Role | undefined>();
  const [groupId, setGroupId] = useState<string | undefined>();
  const [creating, setCreating] = useState(false);
  const [{ data, fetching, error }, refetch] = useQuery({
    query: UsersQuery,
    variables: { filter: { search: search || null, status, role, groupId }, first: PAGE_SIZE, after: pagination.after },
  });
  const [{ data: groupData }] = useQuery({ query: GroupOptionsQuery, variables: { search: null } });

  // Any filter change starts again from the first page.
  function filterChanged<T>(set: (v: T) => void) {
    return (v: T) => {
      set(v);
      pagination.reset();
    };
  }
  const filtered = Boolean(search || status || role || groupId);
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
      {error && <QueryError error={error} onRetry={() => refetch({ requestPolicy: "network-only" })} />}
      <Card>
        <Flex gap={12} wrap style={{ marginBottom: 16 }}>
          <Input.Search
            aria-label="Search users"
            placeholder="Search username, name or email"
            allowClear
            onSearch={filterChanged(setSearch)}
            style={{ width: 300 }}
          />
          <Select
            aria-label="Filter by status"
            placeholder="Any status"
            allowClear
            value={status}
            onChange={filterChanged(setStatus)}
            style={{ width: 160 }}
            options={[
              { value: "ACTIVE", label: "Active" },
              { value: "DEACTIVATED", label: "Deactivated" },
            ]}
          />
          <Select
            aria-label="Filter by role"
            placeholder="Any role"
            allowClear
            value={role}
            onChange={filterChanged(setRole)}
            style={{ width: 160 }}
            options={ALL_ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
          />
          <Select
            aria-label="Filter by group"
            placeholder="Any group"
            allowClear
            showSearch={{ optionFilterProp: "label" }}
            value={groupId}
            onChange={filterChanged(setGroupId)}
            style={{ width: 200 }}
            options={groupData?.groups.nodes.map((g) => ({ value: g.id, label: g.name })) ?? []}
          />
        </Flex>
        <Table<UserRow>
          rowKey="id"
          loading={fetching}
          dataSource={users?.nodes ?? []}
          pagination={false}
          onRow={(u) => ({ onDoubleClick: () => router.push(`/users/${u.id}`) })}
          locale={{
            emptyText: (
              <Empty
                description={
                  filtered ? "No users match these filters." : "No users yet. Create the first one, or connect an identity provider later."
                }
              />
            ),
          }}
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
        <CursorPager
          pagination={pagination}
          hasNextPage={users?.pageInfo.hasNextPage ?? false}
          endCursor={users?.pageInfo.endCursor}
          totalCount={users?.totalCount}
          noun="user"
          loading={fetching}
        />
      </Card>
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
