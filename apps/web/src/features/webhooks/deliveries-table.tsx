"use client";

import { Button, Col, Empty, Row, Table, Tag, Tooltip, Typography } from "antd";
import { JsonBlock } from "@/components/json-block";
import type { DeliveryStatus, WebhookEndpointDetailQuery } from "@/gql/graphql";
import { formatDateTime, formatRelative } from "@/lib/format";

export type Delivery = NonNullable<WebhookEndpointDetailQuery["webhookEndpoint"]>["deliveries"]["nodes"][number];
type Attempt = Delivery["attemptLog"][number];

const STATUS_COLORS: Record<DeliveryStatus, string> = { PENDING: "processing", SUCCEEDED: "success", FAILED: "error" };
const STATUS_LABELS: Record<DeliveryStatus, string> = { PENDING: "Pending", SUCCEEDED: "Succeeded", FAILED: "Failed" };

export function DeliveryStatusTag({ status }: { status: DeliveryStatus }) {
  return <Tag color={STATUS_COLORS[status]}>{STATUS_LABELS[status]}</Tag>;
}

function AttemptLog({ delivery }: { delivery: Delivery }) {
  return (
    <Row gutter={16}>
      <Col xs={24} lg={12} role="region" aria-label={`Attempt log for delivery ${delivery.id}`}>
        <Typography.Text strong>Attempt log</Typography.Text>
        <Table<Attempt>
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={delivery.attemptLog}
          locale={{ emptyText: "Not attempted yet." }}
          columns={[
            { title: "Time", dataIndex: "createdAt", render: formatDateTime },
            { title: "HTTP status", dataIndex: "statusCode", render: (c: number | null) => c ?? "—" },
            { title: "Duration", dataIndex: "durationMs", render: (ms: number) => `${ms} ms` },
            { title: "Error", dataIndex: "error", render: (e: string | null) => e ?? "—" },
          ]}
        />
      </Col>
      <Col xs={24} lg={12}>
        <Typography.Text strong>Payload</Typography.Text>
        <JsonBlock value={delivery.payload} label="Payload" />
        <Typography.Text type="secondary">
          Event ID <Typography.Text code>{delivery.eventId}</Typography.Text>
        </Typography.Text>
      </Col>
    </Row>
  );
}

export function DeliveriesTable({
  deliveries,
  loading,
  onRedeliver,
  redelivering,
}: {
  deliveries: Delivery[];
  loading: boolean;
  onRedeliver: (d: Delivery) => void;
  redelivering: string | null;
}) {
  return (
    <Table<Delivery>
      rowKey="id"
      loading={loading}
      pagination={false}
      dataSource={deliveries}
      expandable={{ expandedRowRender: (d) => <AttemptLog delivery={d} /> }}
      locale={{ emptyText: <Empty description="No deliveries yet. Send a ping, or change a user or group this endpoint subscribes to." /> }}
      columns={[
        { title: "Event", dataIndex: "eventType", render: (t: string) => <Typography.Text code>{t}</Typography.Text> },
        { title: "Status", dataIndex: "status", render: (s: DeliveryStatus) => <DeliveryStatusTag status={s} /> },
        { title: "Attempts", dataIndex: "attempts", width: 100 },
        { title: "Response", dataIndex: "lastStatusCode", width: 110, render: (c: number | null) => c ?? "—" },
        {
          title: "Error",
          dataIndex: "lastError",
          ellipsis: true,
          render: (e: string | null) => (e ? <Tooltip title={e}>{e}</Tooltip> : "—"),
        },
        {
          title: "Time",
          key: "time",
          render: (_, d) => (
            <Tooltip title={formatRelative(d.lastAttemptAt ?? d.createdAt)}>{formatDateTime(d.lastAttemptAt ?? d.createdAt)}</Tooltip>
          ),
        },
        {
          title: <span className="sr-only">Actions</span>,
          key: "actions",
          render: (_, d) => (
            <Button
              size="small"
              loading={redelivering === d.id}
              aria-label={`Redeliver ${d.eventType} delivery`}
              onClick={() => onRedeliver(d)}
            >
              Redeliver
            </Button>
          ),
        },
      ]}
    />
  );
}
