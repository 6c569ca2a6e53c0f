"use client";

import { PlusOutlined } from "@ant-design/icons";
import { Button, Card, Input, Table, Tag, Typography } from "antd";
import Link from "next/link";
import { useState } from "react";
import { useQuery } from "urql";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { RequireCapability } from "@/features/auth/require-capability";
import { useCan } from "@/features/auth/viewer-context";
import { formatDateTime, formatRelative } from "@/lib/format";
import { PoliciesQuery } from "./operations";
import { describeRestriction, describeScope } from "./policy-model";
import { useNames } from "./use-names";

export function PoliciesPage() {
  return (
    <RequireCapability capability="policies.author">
      <PoliciesList />
    </RequireCapability>
  );
}

export function AccessTypeTag({ type }: { type: "READ" | "WRITE" }) {
  return <Tag color={type === "WRITE" ? "purple" : "blue"}>{type}</Tag>;
}

function PoliciesList() {
  const canWrite = useCan("policies.write");
  const names = useNames();
  const [search, setSearch] = useState("");
  const [{ data, fetching, error }, reexecute] = useQuery({ query: PoliciesQuery });
  const rows = (data?.policies ?? []).filter((p) => p.name.toLowerCase().includes(search.trim().toLowerCase()));
  return (
    <>
      <PageHeader
        title="Policies"
        subtitle={
          canWrite
            ? "Who may read or write which data sources. Changes reach every platform within seconds."
            : "Who may read or write which data sources. Only governors change policies."
        }
        extra={
          canWrite && (
            <Link href="/policies/new">
              <Button type="primary" icon={<PlusOutlined />}>
                New policy
              </Button>
            </Link>
          )
        }
      />
      {error && <QueryError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />}
      <Card>
        <Input.Search
          aria-label="Search policies"
          placeholder="Search by name"
          allowClear
          onChange={(e) => setSearch(e.target.value)}
          style={{ maxWidth: 320, marginBottom: 16 }}
        />
        <Table
          aria-label="Policies"
          rowKey="id"
          loading={fetching && !data}
          dataSource={rows}
          locale={{ emptyText: search ? "No policy matches" : "No policies yet: nobody has access through Steward." }}
          columns={[
            {
              title: "Name",
              key: "name",
              render: (_, p) => <Link href={`/policies/${p.id}`}>{p.name}</Link>,
              sorter: (a, b) => a.name.localeCompare(b.name),
            },
            { title: "Access", key: "type", render: (_, p) => <AccessTypeTag type={p.accessType} />, width: 90 },
            { title: "Who", key: "who", render: (_, p) => <Typography.Text>{describeRestriction(p.restriction, names)}</Typography.Text> },
            { title: "What", key: "what", render: (_, p) => describeScope(p.scope, names) },
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
