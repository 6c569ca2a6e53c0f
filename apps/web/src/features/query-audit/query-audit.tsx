"use client";

import { Button, Card, Empty, Flex, Table, Tag, Tooltip, Typography } from "antd";
import { useCallback, useEffect, useRef, useState } from "react";
import { type CombinedError, useClient } from "urql";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { RequireCapability } from "@/features/auth/require-capability";
import type { DecisionRecordsFilter, DecisionRecordsQuery as DecisionRecordsResult } from "@/gql/graphql";
import { formatDateTime, formatRelative } from "@/lib/format";
import { DecisionRecordsQuery } from "./operations";
import { QueryAuditFilters } from "./query-audit-filters";

const PAGE_SIZE = 50;
type DecisionRow = DecisionRecordsResult["decisionRecords"]["nodes"][number];
type Loaded = { rows: DecisionRow[]; endCursor: string | null; hasNextPage: boolean };

export function QueryAuditPage() {
  return (
    <RequireCapability capability="queryAudit.read">
      <QueryAudit />
    </RequireCapability>
  );
}

/**
 * Pages accumulate ("Load more") rather than replace each other: reading a query's decisions in order
 * matters more here than jumping between pages.
 */
function useDecisionRecords(filter: DecisionRecordsFilter) {
  const client = useClient();
  const [loaded, setLoaded] = useState<Loaded>({ rows: [], endCursor: null, hasNextPage: false });
  const [fetching, setFetching] = useState(false);
  const [error, setError] = useState<CombinedError | null>(null);
  // A response for an older filter (or an older reload) must not land after a newer one.
  const generation = useRef(0);

  const load = useCallback(
    async (after: string | null) => {
      const mine = after === null ? ++generation.current : generation.current;
      setFetching(true);
      const res = await client
        .query(DecisionRecordsQuery, { filter, first: PAGE_SIZE, after }, { requestPolicy: "network-only" })
        .toPromise();
      if (mine !== generation.current) return;
      setFetching(false);
      setError(res.error ?? null);
      const page = res.data?.decisionRecords;
      if (!page) return;
      setLoaded((prev) => ({
        rows: after === null ? page.nodes : [...prev.rows, ...page.nodes],
        endCursor: page.pageInfo.endCursor ?? null,
        hasNextPage: page.pageInfo.hasNextPage,
      }));
    },
    [client, filter],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  return { ...loaded, fetching, error, reload: () => load(null), loadMore: () => load(loaded.endCursor) };
}

function QueryAudit() {
  const [filter, setFilter] = useState<DecisionRecordsFilter>({});
  const records = useDecisionRecords(filter);
  const filtered = Object.values(filter).some((v) => v !== null && v !== undefined);

  return (
    <>
      <PageHeader
        title="Query audit"
        subtitle="Every decision Steward made for a query-time platform (e.g. Trino), newest first — with the reason a denied query was refused."
      />
      {records.error && <QueryError error={records.error} onRetry={records.reload} />}
      <Card>
        <QueryAuditFilters onChange={setFilter} />
        <Table<DecisionRow>
          rowKey="id"
          aria-label="Decisions"
          loading={records.fetching && records.rows.length === 0}
          pagination={false}
          dataSource={records.rows}
          locale={{ emptyText: <Empty description={filtered ? "No decisions match these filters." : "No decisions recorded yet."} /> }}
          columns={[
            {
              title: "Time",
              dataIndex: "at",
              width: 180,
              render: (v: string) => <Tooltip title={formatRelative(v)}>{formatDateTime(v)}</Tooltip>,
            },
            {
              title: "User",
              key: "user",
              render: (_, r) =>
                r.stewardUser && r.stewardUser.displayName !== r.user ? (
                  <Tooltip title={`Steward user: ${r.stewardUser.displayName}`}>{r.user}</Tooltip>
                ) : (
                  r.user
                ),
            },
            { title: "Operation", dataIndex: "operation", render: (o: string) => <Typography.Text code>{o}</Typography.Text> },
            {
              title: "Resource",
              key: "resource",
              render: (_, r) => (
                <>
                  <Typography.Text style={{ wordBreak: "break-all" }}>{r.resource}</Typography.Text>
                  <br />
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {r.connection.name}
                  </Typography.Text>
                </>
              ),
            },
            {
              title: "Result",
              dataIndex: "allowed",
              width: 100,
              render: (allowed: boolean) => (allowed ? <Tag color="green">Allowed</Tag> : <Tag color="red">Denied</Tag>),
            },
            {
              title: "Reason",
              key: "reason",
              // The full text: for a denial it is the only place that says why (the platform says "Access Denied").
              render: (_, r) =>
                r.allowed ? (
                  <Typography.Text>{r.reason}</Typography.Text>
                ) : (
                  <Typography.Text type="danger" strong data-denial-reason>
                    {r.reason}
                  </Typography.Text>
                ),
            },
            { title: "Snapshot", dataIndex: "snapshotVersion", width: 100, render: (v: number) => `v${v}` },
          ]}
        />
        <Flex justify="space-between" align="center" style={{ marginTop: 16 }}>
          <Typography.Text type="secondary">
            {records.rows.length} decision{records.rows.length === 1 ? "" : "s"} shown
          </Typography.Text>
          <Button
            disabled={!records.hasNextPage || records.fetching}
            loading={records.fetching && records.rows.length > 0}
            onClick={records.loadMore}
          >
            Load more
          </Button>
        </Flex>
      </Card>
    </>
  );
}
