"use client";

import { PlusOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { RequireCapability } from "@/features/auth/require-capability";
import type { PurposeFieldsFragment } from "@/gql/graphql";
import type { ApiError } from "@/lib/api-error";
import { applyFieldErrors } from "@/lib/form-errors";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useApiAction } from "@/lib/use-api-action";
import { CreatePurposeMutation, DeletePurposeMutation, PurposesQuery, UpdatePurposeMutation } from "./operations";

export function PurposesPage() {
  return (
    <RequireCapability capability="purposes.write">
      <Purposes />
    </RequireCapability>
  );
}

type PurposeForm = { name: string; description?: string; acknowledgement: string; parentId?: string | null };

/** Creates a purpose, or edits one (`purpose`). Changing the statement asks every member to acknowledge it again. */
function PurposeModal({
  purpose,
  purposes,
  open,
  onClose,
}: {
  purpose: PurposeFieldsFragment | null;
  purposes: readonly PurposeFieldsFragment[];
  open: boolean;
  onClose: () => void;
}) {
  const [form] = Form.useForm<PurposeForm>();
  const run = useApiAction();
  const [{ fetching: creating }, create] = useMutation(CreatePurposeMutation);
  const [{ fetching: updating }, update] = useMutation(UpdatePurposeMutation);
  const [unmatched, setUnmatched] = useState<ApiError["fields"]>([]);

  async function save(v: PurposeForm) {
    setUnmatched([]);
    const onError = (error: ApiError) => {
      if (error.code !== "BAD_USER_INPUT" || error.fields.length === 0) return false;
      setUnmatched(applyFieldErrors(form, error, ["name", "description", "acknowledgement", "parentId"]));
      return true;
    };
    const input = { name: v.name, description: v.description ?? "", acknowledgement: v.acknowledgement, parentId: v.parentId ?? null };
    const ok = purpose
      ? await run(() => update({ input: { id: purpose.id, ...input } }), { success: "Purpose saved", onError })
      : await run(() => create({ input }), { success: "Purpose created", onError });
    if (ok) onClose();
  }

  // A purpose cannot sit under itself or one of its descendants.
  const parents = purposes.filter((p) => !p.deleted && (!purpose || !p.path.slice(0, -1).includes(purpose.name)) && p.id !== purpose?.id);
  return (
    <Modal
      open={open}
      title={purpose ? `Edit ${purpose.name}` : "New purpose"}
      okText={purpose ? "Save purpose" : "Create purpose"}
      onOk={() => form.submit()}
      okButtonProps={{ loading: creating || updating }}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        aria-label="Purpose"
        preserve={false}
        onFinish={save}
        initialValues={
          purpose
            ? {
                name: purpose.name,
                description: purpose.description,
                acknowledgement: purpose.acknowledgement,
                parentId: purpose.parent?.id ?? null,
              }
            : {}
        }
      >
        <Form.Item name="name" label="Name" rules={[{ required: true, message: "Name the purpose" }]}>
          <Input placeholder="Research" />
        </Form.Item>
        <Form.Item name="description" label="Description">
          <Input.TextArea rows={2} placeholder="What data used for this purpose may serve" />
        </Form.Item>
        <Form.Item
          name="acknowledgement"
          label="Acknowledgement statement"
          extra={
            purpose
              ? "Changing it asks every member of a project under this purpose to acknowledge it again."
              : "Project members accept this before they can act under the purpose."
          }
          rules={[{ required: true, message: "Write the statement members acknowledge" }]}
        >
          <Input.TextArea rows={3} placeholder="I will use this data only for approved research." />
        </Form.Item>
        <Form.Item name="parentId" label="Parent purpose" extra="Acting under a sub-purpose also counts as acting under its parent.">
          <Select
            aria-label="Parent purpose"
            allowClear
            placeholder="None (top level)"
            options={parents.map((p) => ({ value: p.id, label: p.path.join(" › ") }))}
          />
        </Form.Item>
        {unmatched.length > 0 && <Alert type="error" showIcon title={unmatched.map((f) => `${f.path}: ${f.message}`).join("; ")} />}
      </Form>
    </Modal>
  );
}

function Purposes() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: PurposesQuery });
  const [editing, setEditing] = useState<PurposeFieldsFragment | null | "new">(null);
  const run = useApiAction();
  const [, remove] = useMutation(DeletePurposeMutation);
  const purposes = [...(data?.purposes ?? [])].sort((a, b) => a.path.join("\u0000").localeCompare(b.path.join("\u0000")));
  return (
    <>
      <PageHeader
        title="Purposes"
        subtitle="What data is used for. Projects are bound to purposes; data policies and subscription policies can exempt or admit users acting under one."
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing("new")}>
            New purpose
          </Button>
        }
      />
      {error && <QueryError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />}
      <Card>
        <Table
          aria-label="Purposes"
          rowKey="id"
          loading={fetching && !data}
          dataSource={purposes}
          pagination={false}
          locale={{ emptyText: "No purposes yet" }}
          columns={[
            {
              title: "Name",
              key: "name",
              render: (_, p) => (
                <span style={{ paddingLeft: (p.path.length - 1) * 20 }}>
                  <Typography.Text strong>{p.name}</Typography.Text>
                  {p.parent && <Typography.Text type="secondary"> under {p.parent.name}</Typography.Text>}
                </span>
              ),
            },
            { title: "Description", dataIndex: "description" },
            {
              title: "Acknowledgement",
              key: "ack",
              render: (_, p) => (
                <>
                  <Typography.Paragraph ellipsis={{ rows: 2, tooltip: p.acknowledgement }} style={{ margin: 0 }}>
                    {p.acknowledgement}
                  </Typography.Paragraph>
                  <Tag>statement v{p.acknowledgementVersion}</Tag>
                </>
              ),
            },
            {
              title: "Updated",
              key: "updated",
              width: 130,
              render: (_, p) => <span title={formatDateTime(p.updatedAt)}>{formatRelative(p.updatedAt)}</span>,
            },
            {
              title: "Actions",
              key: "actions",
              width: 170,
              render: (_, p) => (
                <Space>
                  <Button size="small" aria-label={`Edit ${p.name}`} onClick={() => setEditing(p)}>
                    Edit
                  </Button>
                  <Popconfirm
                    title={`Delete ${p.name}?`}
                    description="Refused while a sub-purpose or an active project uses it."
                    okText="Delete"
                    okButtonProps={{ danger: true }}
                    onConfirm={() => run(() => remove({ id: p.id }), { success: "Purpose deleted" })}
                  >
                    <Button size="small" danger aria-label={`Delete ${p.name}`}>
                      Delete
                    </Button>
                  </Popconfirm>
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <PurposeModal
        key={editing === "new" ? "new" : (editing?.id ?? "closed")}
        open={editing !== null}
        purpose={editing === "new" ? null : editing}
        purposes={purposes}
        onClose={() => {
          setEditing(null);
          reexecute({ requestPolicy: "network-only" });
        }}
      />
    </>
  );
}
