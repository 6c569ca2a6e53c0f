"use client";

import { Button, DatePicker, Form, Input, Modal, Space, Table, Tag, Typography } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useState } from "react";
import { useMutation } from "urql";
import type { AccessRequestFieldsFragment } from "@/gql/graphql";
import { applyFieldErrors } from "@/lib/form-errors";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useApiAction } from "@/lib/use-api-action";
import { ApproveAccessRequestMutation, DenyAccessRequestMutation } from "./operations";

type Decision = { request: AccessRequestFieldsFragment; approve: boolean };

function DecideModal({ decision, onClose, onDone }: { decision: Decision | null; onClose: () => void; onDone: () => void }) {
  const [form] = Form.useForm<{ expiresAt?: Dayjs | null; reason?: string }>();
  const run = useApiAction();
  const [{ fetching: approving }, approve] = useMutation(ApproveAccessRequestMutation);
  const [{ fetching: denying }, deny] = useMutation(DenyAccessRequestMutation);
  const r = decision?.request;

  async function submit(v: { expiresAt?: Dayjs | null; reason?: string }) {
    if (!decision || !r) return;
    const onError = (e: Parameters<typeof applyFieldErrors>[1]) => {
      if (!e.fields.length) return false;
      applyFieldErrors(form, e, ["expiresAt", "reason"]);
      return true;
    };
    const input = { requestId: r.id, reason: v.reason?.trim() || null, expiresAt: v.expiresAt ? v.expiresAt.toISOString() : null };
    const ok = decision.approve
      ? await run(() => approve({ input }), { success: `Approved: ${r.user.displayName} gets access within seconds`, onError })
      : await run(() => deny({ input }), { success: "Request denied", onError });
    if (ok) onDone();
  }

  return (
    <Modal
      open={decision !== null}
      title={r ? `${decision?.approve ? "Approve" : "Deny"} ${r.user.displayName}'s request for ${r.dataSource.name}` : ""}
      okText={decision?.approve ? "Approve" : "Deny"}
      okButtonProps={{ danger: !decision?.approve }}
      confirmLoading={approving || denying}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={submit} aria-label={decision?.approve ? "Approve request" : "Deny request"}>
        {r && (
          <Typography.Paragraph type="secondary">
            “{r.reason}” — asked {formatRelative(r.createdAt)} for {r.accessType}
          </Typography.Paragraph>
        )}
        {decision?.approve && (
          <Form.Item name="expiresAt" label="Access ends" extra="Leave empty for access without an end date.">
            <DatePicker
              showTime={{ format: "HH:mm:ss" }}
              format="YYYY-MM-DD HH:mm:ss"
              aria-label="Access ends"
              disabledDate={(d) => d.isBefore(dayjs().startOf("day"))}
              style={{ width: 240 }}
            />
          </Form.Item>
        )}
        <Form.Item name="reason" label="Reason" rules={decision?.approve ? [] : [{ required: true, message: "Tell the requester why" }]}>
          <Input.TextArea
            rows={2}
            maxLength={2000}
            placeholder={decision?.approve ? "Optional note for the requester" : "Why the request is denied"}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function Inbox({
  requests,
  loading,
  onChanged,
}: {
  requests: readonly AccessRequestFieldsFragment[];
  loading: boolean;
  onChanged: () => void;
}) {
  const [decision, setDecision] = useState<Decision | null>(null);
  return (
    <>
      <Table
        aria-label="Pending approvals"
        rowKey="id"
        loading={loading}
        dataSource={[...requests]}
        locale={{ emptyText: "Nothing waiting for your decision" }}
        columns={[
          { title: "Requester", key: "user", render: (_, r) => `${r.user.displayName} (${r.user.username})` },
          { title: "Data source", key: "source", render: (_, r) => <span style={{ wordBreak: "break-all" }}>{r.dataSource.name}</span> },
          {
            title: "Access",
            key: "type",
            width: 90,
            render: (_, r) => <Tag color={r.accessType === "WRITE" ? "purple" : "blue"}>{r.accessType}</Tag>,
          },
          { title: "Reason", dataIndex: "reason", ellipsis: true },
          {
            title: "Asked",
            key: "asked",
            width: 140,
            render: (_, r) => <span title={formatDateTime(r.createdAt)}>{formatRelative(r.createdAt)}</span>,
          },
          {
            title: "Decision",
            key: "actions",
            width: 190,
            render: (_, r) => (
              <Space>
                <Button
                  type="primary"
                  size="small"
                  aria-label={`Approve request from ${r.user.username} for ${r.dataSource.name}`}
                  onClick={() => setDecision({ request: r, approve: true })}
                >
                  Approve
                </Button>
                <Button
                  danger
                  size="small"
                  aria-label={`Deny request from ${r.user.username} for ${r.dataSource.name}`}
                  onClick={() => setDecision({ request: r, approve: false })}
                >
                  Deny
                </Button>
              </Space>
            ),
          },
        ]}
      />
      <DecideModal
        decision={decision}
        onClose={() => setDecision(null)}
        onDone={() => {
          setDecision(null);
          onChanged();
        }}
      />
    </>
  );
}
