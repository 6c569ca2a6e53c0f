"use client";

import { CheckCircleTwoTone, CloseCircleTwoTone } from "@ant-design/icons";
import { Alert, Card, Descriptions, Empty, Flex, List, Space, Tag, Typography } from "antd";
import Link from "next/link";
import { useCan } from "@/features/auth/viewer-context";
import type { Names } from "@/features/policies/policy-model";
import { formatDateTime, formatRelative } from "@/lib/format";
import type { ConditionTrace, Explanation, PolicyVerdict } from "./explanation";

function Mark({ ok }: { ok: boolean }) {
  return ok ? (
    <CheckCircleTwoTone twoToneColor="#52c41a" aria-label="satisfied" />
  ) : (
    <CloseCircleTwoTone twoToneColor="#ff4d4f" aria-label="not satisfied" />
  );
}

function TraceView({ trace, names }: { trace: ConditionTrace; names: Names }) {
  if (trace.kind !== "group" && trace.kind !== "attribute")
    return (
      <div>
        <Mark ok={trace.satisfied} /> <Typography.Text strong>{trace.kind === "and" ? "All of" : "Any of"}</Typography.Text>
        <ul style={{ listStyle: "none", margin: "4px 0 0", paddingLeft: 20 }}>
          {trace.children.map((c, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: trace nodes have no identity beyond position
            <li key={i}>
              <TraceView trace={c} names={names} />
            </li>
          ))}
        </ul>
      </div>
    );
  if (trace.kind === "group")
    return (
      <span>
        <Mark ok={trace.satisfied} /> {trace.satisfied ? "is" : "is not"} a member of <Tag>{names.group(trace.group)}</Tag>
      </span>
    );
  return (
    <span>
      <Mark ok={trace.satisfied} /> <Typography.Text code>{trace.key}</Typography.Text> must have{" "}
      {trace.match === "allOf" ? "all of" : "any of"} [{trace.values.join(", ")}]
      <Typography.Text type="secondary"> — has {trace.userValues.length ? `[${trace.userValues.join(", ")}]` : "no value"}</Typography.Text>
    </span>
  );
}

function PolicyCard({ p, names }: { p: PolicyVerdict; names: Names }) {
  const canReadPolicies = useCan("policies.author");
  return (
    <Card
      size="small"
      role="group"
      aria-label={`Policy ${p.policyName}`}
      title={
        <Space>
          <Mark ok={p.satisfied} />
          {canReadPolicies ? <Link href={`/policies/${p.policyId}`}>{p.policyName}</Link> : p.policyName}
          <Tag color={p.accessType === "WRITE" ? "purple" : "blue"}>{p.accessType}</Tag>
          <Tag color={p.satisfied ? "green" : "red"}>{p.satisfied ? "matched" : "not matched"}</Tag>
        </Space>
      }
    >
      <Typography.Paragraph style={{ marginBottom: 8 }}>{p.reason}</Typography.Paragraph>
      <Typography.Paragraph type="secondary" style={{ marginBottom: p.condition || p.approval ? 8 : 0 }}>
        Applies because: {p.scopeReason}
      </Typography.Paragraph>
      {p.condition && <TraceView trace={p.condition} names={names} />}
      {p.approval && (
        <Typography.Text>
          Approved request in force{p.approval.expiresAt ? ` until ${formatDateTime(p.approval.expiresAt)}` : " without end date"}.
        </Typography.Text>
      )}
    </Card>
  );
}

export function ExplanationView({ e, names }: { e: Explanation; names: Names }) {
  const policyName = (id: string) => e.policies.find((p) => p.policyId === id)?.policyName ?? id;
  // The engine's sentences name policies by id; people know them by name.
  const readable = (text: string) => e.policies.reduce((t, p) => t.replaceAll(p.policyId, `“${p.policyName}”`), text);
  return (
    <Flex vertical gap={16}>
      <Card>
        <Descriptions
          size="small"
          column={{ xs: 1, md: 3 }}
          items={[
            {
              key: "level",
              label: "Access",
              children: (
                <Tag color={e.level === "NONE" ? "default" : e.level === "WRITE" ? "purple" : "blue"} style={{ fontSize: 14 }}>
                  {e.level}
                </Tag>
              ),
            },
            {
              key: "merge",
              label: "Merge rule",
              children: `${e.mergeRule} (${e.mergeRuleFrom === "source" ? "set on the source" : "engine default"})`,
            },
            {
              key: "next",
              label: "Next change by expiry",
              children: e.nextExpiryAt ? `${formatRelative(e.nextExpiryAt)} (${formatDateTime(e.nextExpiryAt)})` : "—",
            },
          ]}
        />
        {e.reasons.length > 0 && (
          <List
            size="small"
            aria-label="Reasons"
            header={<Typography.Text strong>Why</Typography.Text>}
            dataSource={e.reasons.map(readable)}
            renderItem={(r) => <List.Item>{r}</List.Item>}
          />
        )}
      </Card>
      {e.conflicts.map((c) => (
        <Alert
          key={`${c.kind}-${c.accessType}`}
          type="warning"
          showIcon
          title={`${c.kind.replaceAll("_", " ").toLowerCase()} (${c.accessType})`}
          description={
            <>
              {c.message}
              {c.grantedBy.length > 0 && <div>Granted by: {c.grantedBy.map(policyName).join(", ")}</div>}
              {c.deniedBy.length > 0 && <div>Not satisfied: {c.deniedBy.map(policyName).join(", ")}</div>}
            </>
          }
        />
      ))}
      <Card title={`Policies on this source (${e.policies.length})`} size="small">
        {e.policies.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="No subscription policy covers this data source" />
        ) : (
          <Flex vertical gap={12}>
            {e.policies.map((p) => (
              <PolicyCard key={p.policyId} p={p} names={names} />
            ))}
          </Flex>
        )}
      </Card>
      {e.subscriptions.length > 0 && (
        <Card title="Manual subscriptions" size="small">
          <List
            size="small"
            dataSource={e.subscriptions}
            renderItem={(s) => (
              <List.Item>
                <Space>
                  <Mark ok={s.inForce} />
                  <Tag>{s.accessType}</Tag>
                  {s.inForce ? "in force" : "expired"}
                  {s.expiresAt && ` · ends ${formatDateTime(s.expiresAt)}`}
                </Space>
              </List.Item>
            )}
          />
        </Card>
      )}
    </Flex>
  );
}
