"use client";

import { PlusOutlined } from "@ant-design/icons";
import { App, Button, Space, Typography } from "antd";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { ListCard, useListFilters } from "@/components/list-card";
import { PageHeader } from "@/components/page-header";
import { RequireCapability } from "@/features/auth/require-capability";
import { useCan } from "@/features/auth/viewer-context";
import { UsersGroupsTabs } from "@/features/users/users-groups-tabs";
import type { GroupsQuery as GroupsQueryType } from "@/gql/graphql";
import { formatDateTime } from "@/lib/format";
import { useApiAction } from "@/lib/use-api-action";
import { type EditableGroup, GroupFormModal } from "./group-form-modal";
import { DeleteGroupMutation, GroupsQuery } from "./operations";

const PAGE_SIZE = 20;
type GroupRow = GroupsQueryType["groups"]["nodes"][number];

export function GroupsPage() {
  return (
    <RequireCapability capability="users.read">
      <GroupsList />
    </RequireCapability>
  );
}

function GroupsList() {
  const router = useRouter();
  const { modal } = App.useApp();
  const canManage = useCan("users.manage");
  const { filters, setFilter, pagination } = useListFilters({ search: "" });
  const [editing, setEditing] = useState<EditableGroup | null | undefined>(undefined);
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: GroupsQuery,
    variables: { search: filters.search || null, first: PAGE_SIZE, after: pagination.after },
  });
  const [, deleteGroup] = useMutation(DeleteGroupMutation);
  const run = useApiAction();
  const refresh = () => reexecute({ requestPolicy: "network-only" });
  const groups = data?.groups;

  function confirmDelete(g: GroupRow) {
    modal.confirm({
      title: `Delete group ${g.name}?`,
      content: `Its ${g.memberCount} member${g.memberCount === 1 ? "" : "s"} lose any access granted through it. This cannot be undone.`,
      okText: "Delete group",
      okButtonProps: { danger: true },
      onOk: () => run(() => deleteGroup({ id: g.id }), { success: `Group ${g.name} deleted` }).then(refresh),
    });
  }

  return (
    <>
      <PageHeader
        title="Users & groups"
        subtitle="Groups collect users so policies can grant access to many people at once."
        extra={
          canManage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing(null)}>
              Create group
            </Button>
          )
        }
      />
      <UsersGroupsTabs />
      <ListCard<GroupRow>
        page={groups}
        fetching={fetching}
        error={error}
        onRetry={refresh}
        pagination={pagination}
        noun="group"
        search={{ label: "Search groups", placeholder: "Search groups by name", onSearch: setFilter("search") }}
        emptyText={filters.search ? "No groups match this search." : "No groups yet. Create one to grant access to teams."}
        columns={[
          { title: "Name", dataIndex: "name", render: (name: string, g) => <Link href={`/groups/${g.id}`}>{name}</Link> },
          {
            title: "Description",
            dataIndex: "description",
            render: (d: string) => d || <Typography.Text type="secondary">—</Typography.Text>,
          },
          { title: "Members", dataIndex: "memberCount", width: 110 },
          { title: "Updated", dataIndex: "updatedAt", render: formatDateTime, width: 190 },
          ...(canManage
            ? [
                {
                  title: <span className="sr-only">Actions</span>,
                  key: "actions",
                  width: 150,
                  render: (_: unknown, g: GroupRow) => (
                    <Space size={0}>
                      <Button type="link" size="small" aria-label={`Edit group ${g.name}`} onClick={() => setEditing(g)}>
                        Edit
                      </Button>
                      <Button type="link" size="small" danger aria-label={`Delete group ${g.name}`} onClick={() => confirmDelete(g)}>
                        Delete
                      </Button>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <GroupFormModal
        open={editing !== undefined}
        group={editing}
        onClose={() => setEditing(undefined)}
        onSaved={(id) => {
          const created = editing === null;
          setEditing(undefined);
          if (created) router.push(`/groups/${id}`);
          else refresh();
        }}
      />
    </>
  );
}
