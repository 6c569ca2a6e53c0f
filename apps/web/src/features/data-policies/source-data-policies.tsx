"use client";

import { Alert, Empty, Flex, Spin, Table, Tag, Typography } from "antd";
import Link from "next/link";
import { useQuery } from "urql";
import { QueryError } from "@/components/query-error";
import { ConflictsList } from "./conflicts";
import { MaskTag } from "./data-policy-preview";
import { PolicyViewQuery } from "./operations";

/** A data source's policy view as resolved now: the policies shaping it, each column's mask, conflicts. */
export function SourceDataPolicies({ dataSourceId }: { dataSourceId: string }) {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: PolicyViewQuery, variables: { dataSourceId } });
  if (error && !fetching) return <QueryError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  if (!data) return <Spin aria-label="Loading data policies" />;
  const view = data.policyView;
  if (!view || view.policies.length === 0)
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="No data policy applies: readers see every column and row." />;
  return (
    <Flex vertical gap={12}>
      <Flex wrap gap={4} align="center">
        <Typography.Text>Shaped by</Typography.Text>
        {view.policies.map((p) => (
          <Link key={p.id} href={`/data-policies/${p.id}`}>
            <Tag color="purple">{p.name}</Tag>
          </Link>
        ))}
        {view.rowFiltered && <Tag color="blue">rows filtered</Tag>}
      </Flex>
      <ConflictsList conflicts={view.conflicts} hideSource />
      {view.conflicts.length === 0 && <Alert type="success" showIcon title="No mask conflicts on this source." />}
      <Table
        aria-label="Masked columns"
        size="small"
        rowKey="name"
        pagination={false}
        dataSource={view.columns}
        columns={[
          { title: "Column", dataIndex: "name", render: (n: string) => <Typography.Text code>{n}</Typography.Text> },
          { title: "Type", dataIndex: "dataType" },
          { title: "Mask", key: "mask", render: (_, c) => <MaskTag column={c} /> },
          {
            title: "Policy",
            key: "policy",
            render: (_, c) => (c.maskedBy ? <Link href={`/data-policies/${c.maskedBy.id}`}>{c.maskedBy.name}</Link> : "—"),
          },
        ]}
      />
    </Flex>
  );
}
