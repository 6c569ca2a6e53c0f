"use client";

import { ArrowLeftOutlined, EditOutlined } from "@ant-design/icons";
import { App, Button, Card, Descriptions, Result, Skeleton, Space, Table } from "antd";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useState } from "react";
import { useMutation, useQuery } from "urql";
import { CursorPager } from "@/components/cursor-pager";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { SearchSelect } from "@/components/search-select";
import { RequireCapability } from "@/features/auth/require-capability";
import { useCan } from "@/features/auth/viewer-context";
import { AddGroupMemberMutation, RemoveGroupMemberMutation } from "@/features/users/operations";
import { useDirectoryUserSearch } from "@/features/users/option-searches";
import { StatusTag } from "@/features/users/user-tags";
import type { GroupDetailQuery as GroupDetailQueryType } from "@/gql/graphql";
import { formatDateTime } from "@/lib/format";
import { useApiAction } from "@/lib/use-api-action";
import { useCursorPagination } from "@/lib/use-cursor-pagination";
import { GroupFormModal } from "./group-form-modal";
import { DeleteGroupMutation, GroupDetailQuery } from "./operations";

const PAGE_SIZE = 20;
type Member = NonNullable<GroupDetailQueryType["group"]>["members"]["nodes"][number];

export function GroupDetailPage({ id }: { id: string }) {
  return (
    <RequireCapability capability="users.read">
      <GroupDetailView id={id} />
    </RequireCapability>
  );
}

function GroupDetailView({ id }: { id: string }) {
  const router = useRouter();
  const { modal } = App.useApp();
  const canManage = useCan("users.manage");
  const pagination = useCursorPagination();
  const [editing, setEditing] = useState(false);
  const [userId, setUserId] = useState<string | undefined>();
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: GroupDetailQuery,
    variables: { id, first: PAGE_SIZE, after: pagination.after },
  });
  const [{ fetching: adding }, addMember] = useMutation(AddGroupMemberMutation);
  const [, removeMember] = useMutation(RemoveGroupMemberMutation);
  const [, deleteGroup] = useMutation(DeleteGroupMutation);
  const run = useApiAction();
  const refresh = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]);

  if (error) return <QueryError error={error} onRetry={refresh} />;
  if (!data && fetching) return <Skeleton active paragraph={{ rows: 6 }} />;
  const group = data?.group;
  if (!group) return <Result status="404" title="Group not found" extra={<Link href="/groups">Back to groups</Link>} />;

  const memberIds = new Set(group.members.nodes.map((m) => m.id));

  function confirmRemove(m: Member) {
    modal.confirm({
      title: `Remove ${m.displayName} from ${group?.name}?`,
      okText: "Remove",
      okButtonProps: { danger: true },
      onOk: () => run(() => removeMember({ groupId: id, userId: m.id }), { success: `${m.displayName} removed` }).then(refresh),
    });
  }

  function confirmDelete() {
    modal.confirm({
      title: `Delete group ${group?.name}?`,
      content: "Members lose any access granted through this group. This cannot be undone.",
      okText: "Delete group",
      okButtonProps: { danger: true },
      onOk: async () => {
        if (await run(() => deleteGroup({ id }), { success: "Group deleted" })) router.push("/groups");
      },
    });
  }

  return (
    <>
      <PageHeader
        back={
          <Link href="/groups">
            <Space size={4} style={{ marginBottom: 8 }}>
              <ArrowLeftOutlined /> Groups
            </Space>
          </Link>
        }
        title={group.name}
        subtitle={group.description || "No description"}
        extra={
          canManage && (
            <Space>
              <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
                Edit
              </Button>
              <Button danger onClick={confirmDelete}>
                Delete
              </Button>
            </Space>
          )
        }
      />
      <Card style={{ marginBottom: 16 }}>
        <Descriptions
          items={[
            { key: "members", label: "Members", children: group.memberCount },
            { key: "created", label: "Created", children: formatDateTime(group.createdAt) },
            { key: "updated", label: "Updated", children: formatDateTime(group.updatedAt) },
          ]}
        />
      </Card>
      <Card title="Members">
        {canManage && (
          <Space.Compact style={{ width: "100%", maxWidth: 520, marginBottom: 16 }}>
            <SearchSelect
              aria-label="User to add"
              placeholder="Find a user by name, username or email"
              useSearch={useDirectoryUserSearch}
              exclude={memberIds}
              value={userId}
              onChange={setUserId}
              noMatch="No matching users"
              style={{ flex: 1 }}
            />
            <Button
              type="primary"
              disabled={!userId}
              loading={adding}
              onClick={async () => {
                if (!userId) return;
                await run(() => addMember({ groupId: id, userId }), { success: "Member added" });
                setUserId(undefined);
                refresh();
              }}
            >
              Add member
            </Button>
          </Space.Compact>
        )}
        <Table<Member>
          rowKey="id"
          loading={fetching}
          pagination={false}
          dataSource={group.members.nodes}
          locale={{ emptyText: "No members yet." }}
          columns={[
            { title: "Name", dataIndex: "displayName", render: (n: string, m) => <Link href={`/users/${m.id}`}>{n}</Link> },
            { title: "Username", dataIndex: "username" },
            { title: "Email", dataIndex: "email" },
            { title: "Status", dataIndex: "status", render: (s: Member["status"]) => <StatusTag status={s} /> },
            ...(canManage
              ? [
                  {
                    title: <span className="sr-only">Actions</span>,
                    key: "actions",
                    width: 100,
                    render: (_: unknown, m: Member) => (
                      <Button type="link" size="small" danger aria-label={`Remove member ${m.username}`} onClick={() => confirmRemove(m)}>
                        Remove
                      </Button>
                    ),
                  },
                ]
              : []),
          ]}
        />
        <CursorPager
          pagination={pagination}
          hasNextPage={group.members.pageInfo.hasNextPage}
          endCursor={group.members.pageInfo.endCursor}
          totalCount={group.members.totalCount}
          noun="member"
          loading={fetching}
        />
      </Card>
      <GroupFormModal
        open={editing}
        group={group}
        onClose={() => setEditing(false)}
        onSaved={() => {
          setEditing(false);
          refresh();
        }}
      />
    </>
  );
}
