"use client";

import { ArrowRightOutlined } from "@ant-design/icons";
import { Alert, Card, Collapse, Empty, Flex, Spin, Statistic, Table, Tag, Typography } from "antd";
import { useEffect, useState } from "react";
import { useQuery } from "urql";
import { QueryError } from "@/components/query-error";
import type { AccessDecision, PlanPolicyChangeQuery as PlanData, PlanPolicyChangeInput } from "@/gql/graphql";
import { PlanPolicyChangeQuery } from "./operations";

const DECISION_COLORS: Record<AccessDecision, string> = { NONE: "default", READ: "blue", WRITE: "purple" };

export function DecisionTag({ level }: { level: AccessDecision }) {
  return <Tag color={DECISION_COLORS[level]}>{level}</Tag>;
}

/** Re-renders only once the value has been stable for `ms` (compared by JSON, so new objects with equal content do not reset it). */
export function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  const key = JSON.stringify(value);
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed by content on purpose
  useEffect(() => {
    const t = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(t);
  }, [key, ms]);
  return debounced;
}

type Plan = PlanData["planPolicyChange"];

export function PlanView({ plan, emptyText }: { plan: Plan; emptyText: string }) {
  return (
    <Flex vertical gap={12}>
      <Flex gap={32}>
        <Statistic title="Gain access" value={plan.gainedCount} styles={{ content: { color: plan.gainedCount ? "#389e0d" : undefined } }} />
        <Statistic title="Lose access" value={plan.lostCount} styles={{ content: { color: plan.lostCount ? "#cf1322" : undefined } }} />
      </Flex>
      {plan.warnings.map((w) => (
        <Alert
          key={`${w.code}-${w.path}`}
          type={w.severity === "error" ? "error" : "warning"}
          showIcon
          title={w.message}
          description={w.path ? `at ${w.path}` : undefined}
        />
      ))}
      <Table
        aria-label="Access changes"
        size="small"
        rowKey={(c) => `${c.user.id}-${c.dataSource.id}`}
        dataSource={plan.changes}
        pagination={plan.changes.length > 10 ? { pageSize: 10, size: "small" } : false}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={emptyText} /> }}
        columns={[
          { title: "User", key: "user", render: (_, c) => `${c.user.displayName} (${c.user.username})` },
          { title: "Data source", key: "source", render: (_, c) => <Typography.Text code>{c.dataSource.name}</Typography.Text> },
          {
            title: "Change",
            key: "change",
            render: (_, c) => (
              <span style={{ whiteSpace: "nowrap" }}>
                <DecisionTag level={c.before} /> <ArrowRightOutlined aria-label="becomes" /> <DecisionTag level={c.after} />
              </span>
            ),
          },
        ]}
      />
      <ConnectionPlans plans={plan.connectionPlans} />
    </Flex>
  );
}

type ConnectionPlan = Plan["connectionPlans"][number];

/** Per connection, the exact statements its reconcile would run (collapsed; one panel per connection). */
export function ConnectionPlans({ plans }: { plans: readonly ConnectionPlan[] }) {
  if (plans.length === 0) return null;
  return (
    <Collapse
      aria-label="Statements per connection"
      items={plans.map((c) => ({
        key: c.connection.id,
        label: `${c.connection.name}: ${c.statements.length} statement${c.statements.length === 1 ? "" : "s"}`,
        children: (
          <>
            {c.error && (
              <Alert
                type="warning"
                showIcon
                title="The platform could not be read: the plan is incomplete"
                description={c.error}
                style={{ marginBottom: 8 }}
              />
            )}
            <section aria-label={`SQL for ${c.connection.name}`}>
              <pre
                style={{
                  margin: 0,
                  padding: 12,
                  background: "#fafafa",
                  border: "1px solid #f0f0f0",
                  borderRadius: 6,
                  fontSize: 12,
                  maxHeight: 320,
                  overflow: "auto",
                  whiteSpace: "pre-wrap",
                }}
              >
                {c.statements.length ? c.statements.join(";\n") + ";" : "-- nothing to change"}
              </pre>
            </section>
          </>
        ),
      }))}
    />
  );
}

/** Live dry run of the policy being edited: who gains or loses access and the SQL each connection would run. */
export function PolicyPreview({ input, incompleteHint }: { input: PlanPolicyChangeInput | null; incompleteHint: string }) {
  const debounced = useDebounced(input, 500);
  const [{ data, fetching, error }] = useQuery({
    query: PlanPolicyChangeQuery,
    variables: { input: debounced as PlanPolicyChangeInput },
    pause: debounced === null,
    requestPolicy: "network-only",
  });
  const stale = JSON.stringify(debounced) !== JSON.stringify(input);
  return (
    <Card
      title="Preview"
      role="region"
      aria-label="Preview"
      extra={(fetching || stale) && input && <Spin size="small" aria-label="Updating preview" />}
    >
      {!input ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={incompleteHint} />
      ) : error && !fetching ? (
        <QueryError error={error} />
      ) : data ? (
        <div style={{ opacity: fetching || stale ? 0.6 : 1 }}>
          <PlanView plan={data.planPolicyChange} emptyText="Nobody's access changes" />
        </div>
      ) : (
        <Spin aria-label="Loading preview" />
      )}
    </Card>
  );
}
