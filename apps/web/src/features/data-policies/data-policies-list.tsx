"use client";

import { PlusOutlined } from "@ant-design/icons";
import { Button, Card, Input, Table, Tag, Tooltip, Typography } from "antd";
import Link from "next/link";
import { useState } from "react";
import { useQuery } from "urql";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { RequireCapability } from "@/features/auth/require-capability";
import { useCan } from "@/features/auth/viewer-context";
import { useNames } from "@/features/policies/use-names";
import { formatDateTime, formatRelative } from "@/lib/format";
import { describeDataScope, describeExcept, describeRule } from "./describe";
import { DataPoliciesQuery } from "./operations";

export function DataPoliciesPage() {
  return (
    <RequireCapability capability="policies.author">
      <DataPoliciesList />
    </RequireCapability>
  );
}

function DataPoliciesList() {
  const canWrite = useCan("policies.write");
  const names = useNames();
  const [search, setSearch] = useState("");
  const [{ data, fetching, error }, reexecute] = useQuery({ query: DataPoliciesQuery });
  const rows = (data?.dataPolicies ?? []).filter((p) => p.name.toLowerCase().includes(search.trim().toLowerCase()));
  return (
    <>
      <PageHeader
        title="Data policies"
        subtitle="What users see inside the data sources they may read: masked columns and filtered rows, enforced through policy views."
        extra={
          canWrite && (
            <Link href="/data-policies/new">
              <Button type="primary" icon={<PlusOutlined />}>
                New data policy
              </Button>
            </Link>
          )
        }
      />
      {error && <QueryError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />}
      <Card>
        <Input.Search
          aria-label="Search data policies"
          placeholder="Search by name"
          allowClear
          onChange={(e) => setSearch(e.target.value)}
          style={{ maxWidth: 320, marginBottom: 16 }}
        />
        <Table
          aria-label="Data policies"
          rowKey="id"
          loading={fetching && !data}
          dataSource={rows}
          locale={{ emptyText: search ? "No data policy matches" : "No data policies yet: readers see every column and row." }}
          columns={[
            {
              title: "Name",
              key: "name",
              render: (_, p) => <Link href={`/data-policies/${p.id}`}>{p.name}</Link>,
              sorter: (a, b) => a.name.localeCompare(b.name),
            },
            {
              title: "Rule",
              key: "rule",
              render: (_, p) => (
                <>
                  <Typography.Text>{describeRule(p.rule)}</Typography.Text>
                  <br />
                  <Typography.Text type="secondary">{describeExcept(p.except, names)}</Typography.Text>
                </>
              ),
            },
            {
              title: "Scope",
              key: "scope",
              render: (_, p) => (
                <>
                  {describeDataScope(p.scope, names)}
                  <br />
                  <Typography.Text type="secondary">
                    {p.sourceCount} source{p.sourceCount === 1 ? "" : "s"} now
                  </Typography.Text>
                </>
              ),
            },
            {
              title: "Conflicts",
              key: "conflicts",
              width: 110,
              render: (_, p) =>
                p.conflicts.length === 0 ? (
                  <Typography.Text type="secondary">—</Typography.Text>
                ) : (
                  <Tooltip title={p.conflicts.map((c) => `${c.dataSource.name}.${c.column}: ${c.winner.name} applies`).join("\n")}>
                    <Tag color="orange">
                      {p.conflicts.length} conflict{p.conflicts.length === 1 ? "" : "s"}
                    </Tag>
                  </Tooltip>
                ),
            },
            { title: "Version", dataIndex: "version", width: 90 },
            {
              title: "Updated",
              key: "updated",
              width: 140,
              sorter: (a, b) => a.updatedAt.localeCompare(b.updatedAt),
              render: (_, p) => <span title={formatDateTime(p.updatedAt)}>{formatRelative(p.updatedAt)}</span>,
            },
          ]}
        />
      </Card>
    </>
  );
}
