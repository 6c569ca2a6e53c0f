"use client";

import { Card, Col, Empty, Flex, Row, Select, Table, Tag, Typography } from "antd";
import { useState } from "react";
import type { PolicyVersionFieldsFragment } from "@/gql/graphql";
import { formatDateTime, formatRelative } from "@/lib/format";
import { RestrictionView, ScopeView } from "./policy-definition";
import type { Names } from "./policy-model";

const CHANGE_COLORS = { CREATED: "green", UPDATED: "blue", DELETED: "red" } as const;
const FIELDS = [
  { key: "name", label: "Name" },
  { key: "description", label: "Description" },
  { key: "accessType", label: "Access" },
  { key: "restriction", label: "Who" },
  { key: "scope", label: "What" },
] as const;

function render(v: PolicyVersionFieldsFragment, key: (typeof FIELDS)[number]["key"], names: Names) {
  if (key === "restriction") return <RestrictionView restriction={v.restriction} names={names} />;
  if (key === "scope") return <ScopeView scope={v.scope} names={names} />;
  return v[key] || <Typography.Text type="secondary">—</Typography.Text>;
}

/** Two versions side by side; rows whose value changed are highlighted. */
function VersionDiff({ from, to, names }: { from: PolicyVersionFieldsFragment; to: PolicyVersionFieldsFragment; names: Names }) {
  return (
    <section aria-label={`Changes from version ${from.version} to ${to.version}`}>
      <Row gutter={0} style={{ border: "1px solid #f0f0f0", borderRadius: 6, overflow: "hidden" }}>
        {FIELDS.map((f) => {
          const changed = JSON.stringify(from[f.key]) !== JSON.stringify(to[f.key]);
          const bg = changed ? "#fffbe6" : undefined;
          return (
            <Col span={24} key={f.key} style={{ borderBottom: "1px solid #f0f0f0", background: bg }}>
              <Row>
                <Col span={4} style={{ padding: 8, fontWeight: 500 }}>
                  {f.label} {changed && <Tag color="gold">changed</Tag>}
                </Col>
                <Col
                  span={10}
                  style={{ padding: 8, textDecoration: changed ? "line-through" : undefined, color: changed ? "#8c8c8c" : undefined }}
                >
                  {render(from, f.key, names)}
                </Col>
                <Col span={10} style={{ padding: 8 }}>
                  {render(to, f.key, names)}
                </Col>
              </Row>
            </Col>
          );
        })}
      </Row>
    </section>
  );
}

export function PolicyHistory({ versions, names }: { versions: readonly PolicyVersionFieldsFragment[]; names: Names }) {
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
          { title: "Name", dataIndex: "name" },
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
