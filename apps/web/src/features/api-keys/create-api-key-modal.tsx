"use client";

import { DatePicker, Form, Input, Modal, Select } from "antd";
import type { Dayjs } from "dayjs";
import dayjs from "dayjs";
import { useMutation } from "urql";
import { ROLE_LABELS } from "@/features/auth/access";
import { useViewer } from "@/features/auth/viewer-context";
import type { Role } from "@/gql/graphql";
import { applyFieldErrors } from "@/lib/form-errors";
import { useApiAction } from "@/lib/use-api-action";
import { CreateApiKeyMutation } from "./operations";

type Values = { name: string; roles?: Role[]; expiresAt?: Dayjs | null };

export function CreateApiKeyModal({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (secret: string) => void;
}) {
  const viewer = useViewer();
  const [form] = Form.useForm<Values>();
  const [{ fetching }, create] = useMutation(CreateApiKeyMutation);
  const run = useApiAction();

  async function onFinish(values: Values) {
    const data = await run(
      () =>
        create({
          input: {
            name: values.name.trim(),
            roles: values.roles ?? [],
            expiresAt: values.expiresAt ? values.expiresAt.endOf("day").toISOString() : null,
          },
        }),
      {
        success: "API key created",
        onError: (e) => applyFieldErrors(form, e, ["name", "roles", "expiresAt"]).length === 0 && e.fields.length > 0,
      },
    );
    if (data) {
      form.resetFields();
      onCreated(data.createApiKey.secret);
    }
  }

  return (
    <Modal
      title="Create API key"
      open={open}
      onCancel={onClose}
      okText="Create key"
      confirmLoading={fetching}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={onFinish}>
        <Form.Item label="Name" name="name" rules={[{ required: true, whitespace: true, message: "Name the key after where it is used" }]}>
          <Input placeholder="e.g. dbt nightly sync" />
        </Form.Item>
        <Form.Item
          label="Roles"
          name="roles"
          extra={
            viewer.roles.length === 0
              ? "You have no administrative roles, so the key acts as you with none either."
              : "A subset of your roles. Leave empty for a key without administrative roles."
          }
        >
          <Select
            mode="multiple"
            allowClear
            disabled={viewer.roles.length === 0}
            placeholder="No administrative roles"
            options={viewer.roles.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
          />
        </Form.Item>
        <Form.Item label="Expires" name="expiresAt" extra="Optional. The key stops working at the end of that day.">
          <DatePicker disabledDate={(d) => d.isBefore(dayjs(), "day")} style={{ width: "100%" }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
