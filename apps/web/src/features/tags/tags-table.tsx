"use client";

import { Card, Empty, Input, Table, Tag, Typography } from "antd";
import Link from "next/link";
import { useState } from "react";
import { useQuery } from "urql";
import { QueryError } from "@/components/query-error";
import type { TagsWithUsageQuery as TagsWithUsageQueryType } from "@/gql/graphql";
import { TagsWithUsageQuery } from "./operations";

type Row = TagsWithUsageQueryType["tags"][number];

/** Data sources carrying the tag or one of its descendants, on the source or on a column. */
function TagUsage({ name, count }: { name: string; count: number }) {
  return <Link href={`/data-sources?tag=${encodeURIComponent(name)}`}>{`${count} data source${count === 1 ? "" : "s"}`}</Link>;
}

/** Every tag in use. Tags are created by tagging a source or column; there is nothing to create here. */
export function TagsTable() {
  const [search, setSearch] = useState("");
  const [{ data, fetching, error }, reexecute] = useQuery({ query: TagsWithUsageQuery, variables: { search: search || null } });
  return (
    <Card>
      {error && <QueryError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />}
      <Input.Search
        aria-label="Search tags"
        placeholder="Search tags"
        allowClear
        onSearch={setSearch}
        style={{ width: 300, marginBottom: 16 }}
      />
      <Table<Row>
        rowKey="id"
        loading={fetching && !data}
        dataSource={data?.tags ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        locale={{
          emptyText: <Empty description={search ? "No tags match." : "No tags yet. Tag a data source or a column to create one."} />,
        }}
        columns={[
          {
            title: "Tag",
            dataIndex: "name",
            render: (name: string) => {
              const parts = name.split(".");
              return (
                <span style={{ paddingLeft: (parts.length - 1) * 16 }}>
                  <Tag color="geekblue">{name}</Tag>
                </span>
              );
            },
          },
          { title: "Description", dataIndex: "description", render: (d: string) => d || "—" },
          { title: "Used by (incl. narrower tags)", key: "usage", render: (_, t) => <TagUsage name={t.name} count={t.dataSourceCount} /> },
        ]}
      />
      <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0 }}>
        Tags are hierarchical: filtering by <Typography.Text code>PII</Typography.Text> also finds{" "}
        <Typography.Text code>PII.Email</Typography.Text>.
      </Typography.Paragraph>
    </Card>
  );
}
