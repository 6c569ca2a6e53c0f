"use client";

import { ReloadOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Collapse, Empty, Flex, Spin, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { useQuery } from "urql";
import { QueryError } from "@/components/query-error";
import { SourceSelect, UserSelect } from "@/features/policies/pickers";
import { useDebounced } from "@/features/policies/policy-preview";
import type { AccessDecision, DataPolicyDefinitionInput } from "@/gql/graphql";
import { DataAccessExplanation } from "./data-access-explanation";
import { MaskTag } from "./data-policy-preview";
import { PreviewAsQuery } from "./operations";

const sqlStyle = {
  margin: 0,
  padding: 12,
  background: "#fafafa",
  border: "1px solid #f0f0f0",
  borderRadius: 6,
  fontSize: 12,
  maxHeight: 240,
  overflow: "auto",
  whiteSpace: "pre-wrap",
} as const;

const ACCESS_COLORS: Record<AccessDecision, string> = { NONE: "red", READ: "green", WRITE: "blue" };

/** The unsaved definition the builder previews; null while the form is incomplete (then the saved state shows). */
export type PreviewDraft = { definition: DataPolicyDefinitionInput | null; policyId?: string };

function PreviewRows({ userId, dataSourceId, draft }: { userId: string; dataSourceId: string; draft?: PreviewDraft }) {
  const definition = useDebounced(draft?.definition ?? null, 500);
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: PreviewAsQuery,
    variables: { userId, dataSourceId, limit: 10, definition, policyId: definition ? (draft?.policyId ?? null) : null },
    requestPolicy: "network-only",
  });
  const reload = (
    <Button size="small" icon={<ReloadOutlined />} aria-label="Reload rows" onClick={() => reexecute({ requestPolicy: "network-only" })} />
  );
  if (error && !fetching)
    return (
      <Flex vertical gap={8}>
        <QueryError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />
        {/* A draft the API refuses (e.g. a half-typed regex) is fixed in the form; the panel stays usable. */}
        {definition && <Typography.Text type="secondary">The draft cannot be previewed until it is valid.</Typography.Text>}
      </Flex>
    );
  if (!data) return <Spin aria-label="Loading rows" />;
  const p = data.previewAs;
  const access = (
    <Tag color={ACCESS_COLORS[p.access]} aria-label={`Access ${p.access}`}>
      Access: {p.access}
    </Tag>
  );
  return (
    <Flex vertical gap={8} style={{ opacity: fetching ? 0.6 : 1 }}>
      <Flex justify="space-between" align="center" gap={8}>
        <Flex wrap gap={4} align="center">
          {access}
          {definition && <Tag color="gold">Unsaved draft applied</Tag>}
          {p.accountName ? (
            <Typography.Text type="secondary">
              as <Typography.Text code>{p.accountName}</Typography.Text>
            </Typography.Text>
          ) : null}
        </Flex>
        {reload}
      </Flex>
      {p.unavailable ? (
        <Alert
          type={p.access === "NONE" ? "warning" : "error"}
          showIcon
          title="No rows to show"
          description={`Because ${p.unavailable}.`}
        />
      ) : (
        <>
          <Table
            aria-label="Rows as seen by the user"
            size="small"
            scroll={{ x: true }}
            rowKey={(_, i) => String(i)}
            pagination={false}
            dataSource={p.rows.map((r) => ({ cells: r }))}
            locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="No rows visible to this user" /> }}
            columns={p.columns.map((c, i) => ({
              key: c.name,
              title: (
                <Flex vertical gap={2}>
                  <span>{c.name}</span>
                  <MaskTag column={c} />
                </Flex>
              ),
              render: (_: unknown, row: { cells: (string | null)[] }) => {
                const v = row.cells[i];
                return v === null || v === undefined ? <Typography.Text type="secondary">NULL</Typography.Text> : v;
              },
            }))}
          />
          {p.userSql && (
            <section aria-label="The user's own query">
              <Typography.Text type="secondary">The same rows, read by the user with their own login:</Typography.Text>
              <pre style={sqlStyle}>{p.userSql}</pre>
            </section>
          )}
          <Collapse
            size="small"
            items={[
              {
                key: "sql",
                label: "Statement Steward ran for this preview",
                children: (
                  <section aria-label="Preview SQL">
                    <pre style={sqlStyle}>{p.sql}</pre>
                  </section>
                ),
              },
            ]}
          />
        </>
      )}
    </Flex>
  );
}

/**
 * "See as user U": the first rows of a source as that user reads them on the platform. With a
 * `draft` (the builder), the unsaved definition is applied in place of the stored one; otherwise what
 * is in force now, with the explanation of each mask and row rule for that user.
 */
export function SeeAsUser({ note, draft }: { note?: string; draft?: PreviewDraft }) {
  const [userId, setUserId] = useState<string>();
  const [dataSourceId, setDataSourceId] = useState<string>();
  return (
    <Card title="See as user" role="region" aria-label="See as user">
      {note && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
          {note}
        </Typography.Paragraph>
      )}
      <Flex wrap gap={8} style={{ marginBottom: 12 }}>
        <UserSelect aria-label="See as user" value={userId} onChange={setUserId} />
        <SourceSelect aria-label="Preview source" value={dataSourceId} onChange={setDataSourceId} />
      </Flex>
      {userId && dataSourceId ? (
        <Flex vertical gap={12}>
          <PreviewRows key={`${userId}-${dataSourceId}`} userId={userId} dataSourceId={dataSourceId} draft={draft} />
          {!draft && (
            <Collapse
              size="small"
              items={[
                {
                  key: "why",
                  label: "Why these values",
                  children: (
                    <section aria-label="Why these values">
                      <DataAccessExplanation userId={userId} dataSourceId={dataSourceId} />
                    </section>
                  ),
                },
              ]}
            />
          )}
        </Flex>
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="Pick a user and a data source to see its first rows as they do." />
      )}
    </Card>
  );
}
