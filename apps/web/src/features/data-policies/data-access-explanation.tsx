"use client";

import { Alert, Empty, Flex, Skeleton, Table, Tag, Typography } from "antd";
import Link from "next/link";
import { useQuery } from "urql";
import { QueryError } from "@/components/query-error";
import { useCan } from "@/features/auth/viewer-context";
import type { ExplainDataAccessQuery as ExplainData } from "@/gql/graphql";
import { toApiError } from "@/lib/api-error";
import { ExplainDataAccessQuery } from "./operations";

type Explanation = ExplainData["explainDataAccess"];
type ColumnRow = Explanation["columns"][number];
/** The parts of the engine's full explanation (`details`) shown besides the typed fields. */
type Details = { governed?: boolean; subscribed?: boolean | null; warnings?: { message?: string }[] };

function ColumnStatus({ c }: { c: ColumnRow }) {
  if (c.masked) return <Tag color="purple">{c.mask ? `masked: ${c.mask}` : "masked"}</Tag>;
  if (c.exempt) return <Tag color="green">clear (exempt)</Tag>;
  return <Tag>clear</Tag>;
}

function PolicyLink({ policy }: { policy: { id: string; name: string } | null | undefined }) {
  // Everyone may learn which policy masks their data; only authors can open its page.
  const canOpen = useCan("policies.author");
  if (!policy) return <Typography.Text type="secondary">—</Typography.Text>;
  return canOpen ? <Link href={`/data-policies/${policy.id}`}>{policy.name}</Link> : <Typography.Text>{policy.name}</Typography.Text>;
}

/** The explanation as read: which columns are masked and rows hidden for the user, by which policy, and why. */
export function DataAccessExplanationView({ e }: { e: Explanation }) {
  const details = (e.details ?? {}) as Details;
  // Columns without any policy are noise here; a column shown in clear only matters when a policy spared it.
  const decided = e.columns.filter((c) => c.policy || c.masked);
  return (
    <Flex vertical gap={12}>
      {e.level === "NONE" && (
        <Alert type="warning" showIcon title="No READ access: the user sees no rows of this source, whatever the data policies." />
      )}
      {details.governed === false && (
        <Alert type="info" showIcon title="No data policy applies to this source: every column and row is shown as stored." />
      )}
      {(details.warnings ?? []).map((w, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: warnings have no id and never reorder
        <Alert key={i} type="warning" showIcon title={w.message ?? "Warning"} />
      ))}
      {details.governed !== false && (
        <Table
          aria-label="Why columns are masked"
          size="small"
          rowKey={(c) => c.column}
          pagination={false}
          dataSource={decided}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="No mask applies to any column" /> }}
          columns={[
            { title: "Column", key: "column", render: (_, c) => <Typography.Text code>{c.column}</Typography.Text> },
            { title: "For this user", key: "status", render: (_, c) => <ColumnStatus c={c} /> },
            { title: "Policy", key: "policy", render: (_, c) => <PolicyLink policy={c.policy} /> },
            { title: "Why", dataIndex: "reason" },
          ]}
        />
      )}
      {e.rowRules.length > 0 && (
        <Table
          aria-label="Why rows are hidden"
          size="small"
          rowKey={(r) => `${r.policy.id}-${r.reason}`}
          pagination={false}
          dataSource={e.rowRules}
          columns={[
            { title: "Row rule", key: "policy", render: (_, r) => <PolicyLink policy={r.policy} /> },
            {
              title: "For this user",
              key: "applies",
              render: (_, r) => (r.applies ? <Tag color="blue">hides rows</Tag> : <Tag color="green">exempt</Tag>),
            },
            { title: "Why", dataIndex: "reason" },
          ]}
        />
      )}
    </Flex>
  );
}

/** Loads and shows why a user sees a source's columns masked and rows hidden (`explainDataAccess`). */
export function DataAccessExplanation({ userId, dataSourceId }: { userId: string; dataSourceId: string }) {
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: ExplainDataAccessQuery,
    variables: { userId, dataSourceId },
    requestPolicy: "network-only",
  });
  if (error && !fetching) {
    // A disabled or gone source has no view: there is nothing inside the data to explain.
    if (toApiError(error)?.code === "NOT_FOUND")
      return <Alert type="info" showIcon title="The source is not active on its platform: no data policy shapes it." />;
    return <QueryError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  }
  if (!data) return <Skeleton active paragraph={{ rows: 3 }} />;
  return <DataAccessExplanationView e={data.explainDataAccess} />;
}
