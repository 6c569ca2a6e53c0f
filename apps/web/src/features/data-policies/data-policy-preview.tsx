"use client";

import { Alert, Card, Empty, Flex, Spin, Statistic, Table, Tag, Tooltip, Typography } from "antd";
import { useQuery } from "urql";
import { QueryError } from "@/components/query-error";
import { ConnectionPlans, useDebounced } from "@/features/policies/policy-preview";
import type { PlanDataPolicyChangeQuery as PlanData, PlanDataPolicyChangeInput, PolicyViewColumnFieldsFragment } from "@/gql/graphql";
import { ConflictsList } from "./conflicts";
import { PlanDataPolicyChangeQuery } from "./operations";

type Plan = PlanData["planDataPolicyChange"];

/** A column's mask as a tag, with the policy deciding it and any type fallback in the tooltip. */
export function MaskTag({ column }: { column: PolicyViewColumnFieldsFragment }) {
  if (!column.mask) return <Tag>clear</Tag>;
  const title = [
    column.maskedBy ? `by ${column.maskedBy.name}` : null,
    column.fallback ? `${column.fallback.requested} does not fit ${column.dataType}: ${column.fallback.reason}` : null,
  ]
    .filter(Boolean)
    .join(" · ");
  return (
    <Tooltip title={title || undefined}>
      <Tag color={column.fallback ? "orange" : "purple"}>
        {column.mask}
        {column.fallback ? ` (fallback for ${column.fallback.requested})` : ""}
      </Tag>
    </Tooltip>
  );
}

function PlanSources({ plan }: { plan: Plan }) {
  return (
    <Table
      aria-label="Affected sources"
      size="small"
      rowKey={(s) => s.dataSource.id}
      dataSource={plan.sources}
      pagination={plan.sources.length > 8 ? { pageSize: 8, size: "small" } : false}
      locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="No source's view changes" /> }}
      columns={[
        { title: "Data source", key: "source", render: (_, s) => <Typography.Text code>{s.dataSource.name}</Typography.Text> },
        {
          title: "Columns",
          key: "columns",
          render: (_, s) => {
            const changed = (s.after?.columns ?? []).filter((c) => s.changedColumns.includes(c.name));
            if (changed.length === 0 && s.changedColumns.length === 0) return <Typography.Text type="secondary">—</Typography.Text>;
            return (
              <Flex wrap gap={4}>
                {changed.map((c) => (
                  <span key={c.name}>
                    <Typography.Text>{c.name}</Typography.Text> <MaskTag column={c} />
                  </span>
                ))}
                {/* Columns the policy no longer masks have no "after" entry with a mask. */}
                {s.changedColumns
                  .filter((name) => !changed.some((c) => c.name === name))
                  .map((name) => (
                    <Tag key={name}>{name}</Tag>
                  ))}
              </Flex>
            );
          },
        },
        {
          title: "Rows",
          key: "rows",
          width: 110,
          render: (_, s) =>
            s.rowFilterChanged ? <Tag color="blue">filter changes</Tag> : <Typography.Text type="secondary">—</Typography.Text>,
        },
      ]}
    />
  );
}

export function DataPlanView({ plan }: { plan: Plan }) {
  const conflicts = plan.sources.flatMap((s) => s.after?.conflicts ?? []);
  return (
    <Flex vertical gap={12}>
      <Flex gap={32}>
        <Statistic title="Sources" value={plan.sources.length} />
        <Statistic title="Users affected" value={plan.affectedUserCount} />
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
      <PlanSources plan={plan} />
      {conflicts.length > 0 && <ConflictsList conflicts={conflicts} title="Mask conflicts after this change" />}
      <ConnectionPlans plans={plan.connectionPlans} />
    </Flex>
  );
}

/** Live dry run of the data policy being edited: the views it reshapes, who is affected, the SQL per connection. */
export function DataPolicyImpact({ input }: { input: PlanDataPolicyChangeInput | null }) {
  const debounced = useDebounced(input, 500);
  const [{ data, fetching, error }] = useQuery({
    query: PlanDataPolicyChangeQuery,
    variables: { input: debounced as PlanDataPolicyChangeInput },
    pause: debounced === null,
    requestPolicy: "network-only",
  });
  const stale = JSON.stringify(debounced) !== JSON.stringify(input);
  return (
    <Card
      title="Impact and SQL"
      role="region"
      aria-label="Impact"
      extra={(fetching || stale) && input && <Spin size="small" aria-label="Updating impact" />}
    >
      {!input ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="Complete the scope and the rule to see the views it changes." />
      ) : error && !fetching ? (
        <QueryError error={error} />
      ) : data ? (
        <div style={{ opacity: fetching || stale ? 0.6 : 1 }}>
          <DataPlanView plan={data.planDataPolicyChange} />
        </div>
      ) : (
        <Spin aria-label="Loading impact" />
      )}
    </Card>
  );
}
