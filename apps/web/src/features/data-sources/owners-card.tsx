"use client";

import { Button, Card, Empty, Form, Space, Tag } from "antd";
import Link from "next/link";
import { useMemo, useState } from "react";
import { useMutation } from "urql";
import { SearchSelect } from "@/components/search-select";
import { useGroupSearch, useUserSearch } from "@/features/users/option-searches";
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
  const [form] = Form.useForm<Values>();
  const [{ fetching }, save] = useMutation(SetDataSourceOwnersMutation);
  const run = useApiAction();

  // Current owners keep their names in the pickers before any search has run.
  const known = useMemo(
    () =>
      Object.fromEntries(owners.flatMap((o) => (o.user ? [[o.user.id, o.user.displayName]] : o.group ? [[o.group.id, o.group.name]] : []))),
    [owners],
  );

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
            <SearchSelect
              mode="multiple"
              placeholder="Search users"
              useSearch={useUserSearch}
              knownLabels={known}
              noMatch="No matching user"
            />
          </Form.Item>
          <Form.Item label="Groups" name="groupIds">
            <SearchSelect
              mode="multiple"
              placeholder="Search groups"
              useSearch={useGroupSearch}
              knownLabels={known}
              noMatch="No matching group"
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
