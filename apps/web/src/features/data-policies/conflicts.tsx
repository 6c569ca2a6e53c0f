"use client";

import { Alert, Table, Tag, Typography } from "antd";
import Link from "next/link";
import type { MaskConflictFieldsFragment } from "@/gql/graphql";
import { CONFLICT_RULE_LABELS } from "./describe";

/** Two or more masks on one column: the winner, the losers and the rule that decided (deeper tag, stricter mask, older policy). */
export function ConflictsList({
  conflicts,
  title = "Mask conflicts",
  hideSource,
}: {
  conflicts: readonly MaskConflictFieldsFragment[];
  title?: string;
  hideSource?: boolean;
}) {
  if (conflicts.length === 0) return null;
  return (
    <section aria-label={title}>
      <Alert
        type="warning"
        showIcon
        style={{ marginBottom: 8 }}
        title={`${title}: ${conflicts.length}`}
        description="One mask applies per column; the others on that column are ignored."
      />
      <Table
        aria-label={title}
        size="small"
        rowKey={(c) => `${c.dataSource.id}-${c.column}`}
        dataSource={[...conflicts]}
        pagination={false}
        columns={[
          ...(hideSource
            ? []
            : [
                {
                  title: "Data source",
                  key: "source",
                  render: (_: unknown, c: MaskConflictFieldsFragment) => (
                    <Link href={`/data-sources/${c.dataSource.id}`}>
                      <Typography.Text code>{c.dataSource.name}</Typography.Text>
                    </Link>
                  ),
                },
              ]),
          { title: "Column", dataIndex: "column" },
          {
            title: "Applies",
            key: "winner",
            render: (_, c) => (
              <Link href={`/data-policies/${c.winner.id}`}>
                <Tag color="green">{c.winner.name}</Tag>
              </Link>
            ),
          },
          {
            title: "Ignored",
            key: "losers",
            render: (_, c) =>
              c.losers.map((l) => (
                <Link key={l.id} href={`/data-policies/${l.id}`}>
                  <Tag>{l.name}</Tag>
                </Link>
              )),
          },
          { title: "Because", key: "rule", render: (_, c) => CONFLICT_RULE_LABELS[c.decidedBy] },
        ]}
      />
    </section>
  );
}
