"use client";

import { Empty, Space, Table, Tag, Typography } from "antd";
import { AppliedTags } from "@/features/tags/applied-tags";
import { AddTag } from "@/features/tags/tag-select";
import type { DataSourceFieldsFragment } from "@/gql/graphql";

type Column = DataSourceFieldsFragment["columns"][number];

export function ColumnsTable({
  columns,
  canTag,
  onTag,
  onUntag,
}: {
  columns: readonly Column[];
  canTag: boolean;
  onTag: (column: string, tag: string) => Promise<unknown>;
  onUntag: (column: string, tag: string) => Promise<unknown>;
}) {
  return (
    <Table<Column>
      rowKey="id"
      size="small"
      pagination={false}
      dataSource={[...columns].sort((a, b) => a.ordinal - b.ordinal)}
      locale={{ emptyText: <Empty description="No columns known: the connector did not report any." /> }}
      onRow={(c) => ({ "aria-label": `Column ${c.name}` }) as React.HTMLAttributes<HTMLElement>}
      columns={[
        { title: "#", dataIndex: "ordinal", width: 50 },
        {
          title: "Column",
          dataIndex: "name",
          render: (n: string, c) => (
            <Space size={4}>
              <Typography.Text code delete={!c.present}>
                {n}
              </Typography.Text>
              {!c.present && <Tag color="red">gone</Tag>}
            </Space>
          ),
        },
        { title: "Type", dataIndex: "dataType", render: (t: string) => <Typography.Text type="secondary">{t}</Typography.Text> },
        { title: "Nullable", dataIndex: "nullable", width: 90, render: (n: boolean) => (n ? "yes" : "no") },
        {
          title: "Tags",
          key: "tags",
          render: (_, c) => (
            <Space size={[4, 4]} wrap>
              <AppliedTags tags={c.tags} context={`column ${c.name}`} onRemove={canTag ? (t) => void onUntag(c.name, t) : undefined} />
              {canTag && (
                <AddTag label={`Add tag to column ${c.name}`} exclude={c.tags.map((t) => t.name)} onAdd={(t) => onTag(c.name, t)} />
              )}
            </Space>
          ),
        },
      ]}
    />
  );
}
