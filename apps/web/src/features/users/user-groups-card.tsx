"use client";

import { App, Button, Card, List, Select, Space, Typography } from "antd";
import Link from "next/link";
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { useApiAction } from "@/lib/use-api-action";
import { AddGroupMemberMutation, GroupOptionsQuery, RemoveGroupMemberMutation } from "./operations";
import type { UserDetail } from "./user-detail";

export function UserGroupsCard({ user, canManage, onChanged }: { user: UserDetail; canManage: boolean; onChanged: () => void }) {
  const { modal } = App.useApp();
  const [search, setSearch] = useState("");
  const [groupId, setGroupId] = useState<string | undefined>();
  const [{ data, fetching: searching }] = useQuery({ query: GroupOptionsQuery, variables: { search: search || null }, pause: !canManage });
  const [{ fetching: adding }, addMember] = useMutation(AddGroupMemberMutation);
  const [, removeMember] = useMutation(RemoveGroupMemberMutation);
  const run = useApiAction();
  const memberOf = new Set(user.groups.map((g) => g.id));
  const options = (data?.groups.nodes ?? []).filter((g) => !memberOf.has(g.id)).map((g) => ({ value: g.id, label: g.name }));

  function confirmRemove(group: { id: string; name: string }) {
    modal.confirm({
      title: `Remove ${user.displayName} from ${group.name}?`,
      okText: "Remove",
      okButtonProps: { danger: true },
      onOk: () =>
        run(() => removeMember({ groupId: group.id, userId: user.id }), { success: `Removed from ${group.name}` }).then(onChanged),
    });
  }

  return (
    <Card title="Groups">
      <List
        size="small"
        dataSource={user.groups}
        locale={{ emptyText: "Not a member of any group." }}
        renderItem={(g) => (
          <List.Item
            actions={
              canManage
                ? [
                    <Button
                      key="remove"
                      type="link"
                      size="small"
                      danger
                      aria-label={`Remove from group ${g.name}`}
                      onClick={() => confirmRemove(g)}
                    >
                      Remove
                    </Button>,
                  ]
                : []
            }
          >
            <List.Item.Meta title={<Link href={`/groups/${g.id}`}>{g.name}</Link>} description={g.description || undefined} />
          </List.Item>
        )}
      />
      {canManage && (
        <Space.Compact style={{ width: "100%", marginTop: 12 }}>
          <Select
            aria-label="Group to add"
            placeholder="Find a group"
            showSearch={{ filterOption: false, onSearch: setSearch }}
            loading={searching}
            value={groupId}
            onChange={setGroupId}
            options={options}
            notFoundContent={searching ? "Searching…" : "No other groups"}
            style={{ flex: 1 }}
          />
          <Button
            type="primary"
            disabled={!groupId}
            loading={adding}
            onClick={async () => {
              if (!groupId) return;
              const name = options.find((o) => o.value === groupId)?.label ?? "group";
              await run(() => addMember({ groupId, userId: user.id }), { success: `Added to ${name}` });
              setGroupId(undefined);
              onChanged();
            }}
          >
            Add to group
          </Button>
        </Space.Compact>
      )}
      {!canManage && user.groups.length > 0 && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
          Only administrators can change group membership.
        </Typography.Paragraph>
      )}
    </Card>
  );
}
