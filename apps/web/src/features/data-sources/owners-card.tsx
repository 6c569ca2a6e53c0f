"use client";

import { Button, Card, Empty, Form, Select, Space, Tag } from "antd";
import Link from "next/link";
import { useMemo, useState } from "react";
import { useMutation, useQuery } from "urql";
import { PickGroupsQuery, PickUsersQuery } from "@/features/users/operations";
import type { DataSourceFieldsFragment } from "@/gql/graphql";
import { useApiAction } from "@/lib/use-api-action";
import { SetDataSourceOwnersMutation } from "./operations";

type Owners = DataSourceFieldsFragment["owners"];
type Values = { userIds: string[]; groupIds: string[] };

function OwnerTags({ owners }: { owners: Owners }) {
  if (owners.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="No owners yet." />;
  return (
    <Space size={[4, 8]} wrap>
      {owners.map((o) =>
        o.user ? (
          <Tag key={o.user.id} color="blue">
            {o.user.displayName}
          </Tag>
        ) : o.group ? (
          <Tag key={o.group.id} color="cyan">
            <Link href={`/groups/${o.group.id}`}>{o.group.name}</Link> (group)
          </Tag>
        ) : null,
      )}
    </Space>
  );
}

/** Owners of a data source: users and groups. Editing replaces the whole set. */
export function OwnersCard({ dataSourceId, owners, canEdit }: { dataSourceId: string; owners: Owners; canEdit: boolean }) {
  const [editing, setEditing] = useState(false);
  const [userSearch, setUserSearch] = useState("");
  const [groupSearch, setGroupSearch] = useState("");
  const [form] = Form.useForm<Values>();
  const [{ data: users }] = useQuery({ query: PickUsersQuery, variables: { search: userSearch || null }, pause: !editing });
  const [{ data: groups }] = useQuery({ query: PickGroupsQuery, variables: { search: groupSearch || null }, pause: !editing });
  const [{ fetching }, save] = useMutation(SetDataSourceOwnersMutation);
  const run = useApiAction();

  const userOptions = useMemo(() => {
    const byId = new Map<string, string>();
    for (const o of owners) if (o.user) byId.set(o.user.id, o.user.displayName);
    for (const u of users?.userOptions ?? []) byId.set(u.id, `${u.displayName} (${u.username})`);
    return [...byId].map(([value, label]) => ({ value, label }));
  }, [owners, users]);
  const groupOptions = useMemo(() => {
    const byId = new Map<string, string>();
    for (const o of owners) if (o.group) byId.set(o.group.id, o.group.name);
    for (const g of groups?.groupOptions ?? []) byId.set(g.id, g.name);
    return [...byId].map(([value, label]) => ({ value, label }));
  }, [owners, groups]);

  function startEditing() {
    form.setFieldsValue({
      userIds: owners.flatMap((o) => (o.user ? [o.user.id] : [])),
      groupIds: owners.flatMap((o) => (o.group ? [o.group.id] : [])),
    });
    setEditing(true);
  }

  async function onFinish(v: Values) {
    if (await run(() => save({ input: { dataSourceId, userIds: v.userIds, groupIds: v.groupIds } }), { success: "Owners saved" }))
      setEditing(false);
  }

  return (
    <Card
      title="Owners"
      role="region"
      aria-label="Owners"
      extra={
        canEdit &&
        !editing && (
          <Button size="small" onClick={startEditing}>
            Edit owners
          </Button>
        )
      }
    >
      {!editing ? (
        <OwnerTags owners={owners} />
      ) : (
        <Form form={form} layout="vertical" onFinish={onFinish}>
          <Form.Item label="Users" name="userIds">
            <Select
              mode="multiple"
              placeholder="Search users"
              showSearch={{ filterOption: false, onSearch: setUserSearch }}
              options={userOptions}
            />
          </Form.Item>
          <Form.Item label="Groups" name="groupIds">
            <Select
              mode="multiple"
              placeholder="Search groups"
              showSearch={{ filterOption: false, onSearch: setGroupSearch }}
              options={groupOptions}
            />
          </Form.Item>
          <Space>
            <Button onClick={() => setEditing(false)}>Cancel</Button>
            <Button type="primary" htmlType="submit" loading={fetching}>
              Save owners
            </Button>
          </Space>
        </Form>
      )}
    </Card>
  );
}
