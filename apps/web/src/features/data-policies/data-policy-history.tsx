"use client";

import { Card, Empty, Flex, Select, Table, Tag, Typography } from "antd";
import { useState } from "react";
import type { Names } from "@/features/policies/policy-model";
import type { DataPolicyVersionFieldsFragment } from "@/gql/graphql";
import { formatDateTime, formatRelative } from "@/lib/format";
import { describeDataScope, describeExcept, describeRule } from "./describe";

const CHANGE_COLORS = { CREATED: "green", UPDATED: "blue", DELETED: "red" } as const;

type Version = DataPolicyVersionFieldsFragment;

const FIELDS: readonly { label: string; text: (v: Version, names: Names) => string }[] = [
  { label: "Name", text: (v) => v.name },
  { label: "Description", text: (v) => v.description },
  { label: "Scope", text: (v, n) => describeDataScope(v.scope, n) },
  { label: "Rule", text: (v) => describeRule(v.rule) },
  { label: "Exceptions", text: (v, n) => describeExcept(v.except, n) },
];

/** Two versions side by side, compared by their readable form; changed rows are highlighted. */
function VersionDiff({ from, to, names }: { from: Version; to: Version; names: Names }) {
  return (
    <Table
      aria-label={`Changes from version ${from.version} to ${to.version}`}
      size="small"
      pagination={false}
      rowKey="label"
      dataSource={FIELDS.map((f) => ({ label: f.label, before: f.text(from, names), after: f.text(to, names) }))}
      onRow={(r) => ({ style: r.before !== r.after ? { background: "#fffbe6" } : undefined })}
      columns={[
        {
          title: "Field",
          key: "field",
          width: 140,
          render: (_, r) => (
            <>
              {r.label} {r.before !== r.after && <Tag color="gold">changed</Tag>}
            </>
          ),
        },
        {
          title: `Version ${from.version}`,
          key: "before",
          render: (_, r) => <Typography.Text delete={r.before !== r.after}>{r.before || "—"}</Typography.Text>,
        },
        { title: `Version ${to.version}`, key: "after", render: (_, r) => r.after || "—" },
      ]}
    />
  );
}

export function DataPolicyHistory({ versions, names }: { versions: readonly Version[]; names: Names }) {
  const newest = versions[0]?.version ?? 1;
  const [to, setTo] = useState(newest);
  const [from, setFrom] = useState(Math.max(1, newest - 1));
  const byVersion = new Map(versions.map((v) => [v.version, v]));
  const a = byVersion.get(from);
  const b = byVersion.get(to);
  const options = versions.map((v) => ({ value: v.version, label: `Version ${v.version}` }));
  return (
    <Flex vertical gap={16}>
      <Table
        aria-label="Versions"
        size="small"
        rowKey="version"
        dataSource={[...versions]}
        pagination={false}
        columns={[
          { title: "Version", dataIndex: "version", width: 90 },
          { title: "Change", key: "change", width: 110, render: (_, v) => <Tag color={CHANGE_COLORS[v.change]}>{v.change}</Tag> },
          { title: "Rule", key: "rule", render: (_, v) => describeRule(v.rule) },
          { title: "By", key: "by", render: (_, v) => v.changedBy?.displayName ?? "System" },
          { title: "When", key: "when", render: (_, v) => <span title={formatDateTime(v.createdAt)}>{formatRelative(v.createdAt)}</span> },
        ]}
      />
      <Card size="small" title="Compare versions">
        {versions.length < 2 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="Only one version so far" />
        ) : (
          <>
            <Flex gap={8} align="center" style={{ marginBottom: 12 }}>
              <Select aria-label="Compare from version" value={from} onChange={setFrom} options={options} style={{ width: 140 }} />
              <span>→</span>
              <Select aria-label="Compare to version" value={to} onChange={setTo} options={options} style={{ width: 140 }} />
            </Flex>
            {a && b && <VersionDiff from={a} to={b} names={names} />}
          </>
        )}
      </Card>
    </Flex>
  );
}
