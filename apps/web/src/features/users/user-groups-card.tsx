"use client";

import { App, Button, Card, List, Space, Typography } from "antd";
import Link from "next/link";
import { useState } from "react";
import { useMutation } from "urql";
import { SearchSelect } from "@/components/search-select";
import { useApiAction } from "@/lib/use-api-action";
import { AddGroupMemberMutation, RemoveGroupMemberMutation } from "./operations";
import { useGroupSearch } from "./option-searches";
import type { UserDetail } from "./user-detail";

export function UserGroupsCard({ user, canManage, onChanged }: { user: UserDetail; canManage: boolean; onChanged: () => void }) {
  const { modal } = App.useApp();
  const [groupId, setGroupId] = useState<string | undefined>();
  const [groupName, setGroupName] = useState("group");
  const [{ fetching: adding }, addMember] = useMutation(AddGroupMemberMutation);
  const [, removeMember] = useMutation(RemoveGroupMemberMutation);
  const run = useApiAction();
  const memberOf = new Set(user.groups.map((g) => g.id));

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
          <SearchSelect
            aria-label="Group to add"
            placeholder="Find a group"
            useSearch={useGroupSearch}
            exclude={memberOf}
            value={groupId}
            onChange={(id, label) => {
              setGroupId(id);
              setGroupName(label ?? "group");
            }}
            noMatch="No other groups"
            style={{ flex: 1 }}
          />
          <Button
            type="primary"
            disabled={!groupId}
            loading={adding}
            onClick={async () => {
              if (!groupId) return;
              await run(() => addMember({ groupId, userId: user.id }), { success: `Added to ${groupName}` });
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
