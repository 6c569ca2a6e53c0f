"use client";

import { ReloadOutlined } from "@ant-design/icons";
import { Button, Card, Empty, Flex, Spin, Table, Typography } from "antd";
import { useState } from "react";
import { useQuery } from "urql";
import { QueryError } from "@/components/query-error";
import { SourceSelect, UserSelect } from "@/features/policies/pickers";
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

function PreviewRows({ userId, dataSourceId }: { userId: string; dataSourceId: string }) {
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: PreviewAsQuery,
    variables: { userId, dataSourceId, limit: 10 },
    requestPolicy: "network-only",
  });
  if (error && !fetching) return <QueryError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  if (!data) return <Spin aria-label="Loading rows" />;
  const p = data.previewAs;
  return (
    <Flex vertical gap={8} style={{ opacity: fetching ? 0.6 : 1 }}>
      <Flex justify="space-between" align="center">
        <Typography.Text type="secondary">
          Read on the platform as <Typography.Text code>{p.accountName}</Typography.Text>
        </Typography.Text>
        <Button
          size="small"
          icon={<ReloadOutlined />}
          aria-label="Reload rows"
          onClick={() => reexecute({ requestPolicy: "network-only" })}
        />
      </Flex>
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
      <section aria-label="Preview SQL">
        <pre style={sqlStyle}>{p.sql}</pre>
      </section>
    </Flex>
  );
}

/**
 * "See as user U": the first rows of a source exactly as that user reads them on the platform now
 * (saved policies, the user's current project): what they get from the same query on the platform.
 */
export function SeeAsUser({ note }: { note?: string }) {
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
        <PreviewRows key={`${userId}-${dataSourceId}`} userId={userId} dataSourceId={dataSourceId} />
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="Pick a user and a data source to see its first rows as they do." />
      )}
    </Card>
  );
}
