"use client";

import { Form, Input, Modal, Select } from "antd";
import { useMutation } from "urql";
import { ALL_ROLES, ROLE_LABELS } from "@/features/auth/access";
import type { Role } from "@/gql/graphql";
import { applyFieldErrors } from "@/lib/form-errors";
import { useApiAction } from "@/lib/use-api-action";
import { CreateUserMutation } from "./operations";

type Values = { username: string; displayName: string; email: string; password?: string; roles?: Role[] };
const FIELDS = ["username", "displayName", "email", "password", "roles"] as const;

export function CreateUserModal({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (id: string) => void }) {
  const [form] = Form.useForm<Values>();
  const [{ fetching }, createUser] = useMutation(CreateUserMutation);
  const run = useApiAction();

  async function onFinish(values: Values) {
    const data = await run(() => createUser({ input: { ...values, password: values.password || null, roles: values.roles ?? [] } }), {
      success: `User ${values.username} created`,
      onError: (e) => applyFieldErrors(form, e, FIELDS).length === 0 && e.fields.length > 0,
    });
    if (data) {
      form.resetFields();
      onCreated(data.createUser.id);
    }
  }

  return (
    <Modal
      title="Create user"
      open={open}
      onCancel={onClose}
      okText="Create user"
      confirmLoading={fetching}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={onFinish} preserve={false}>
        <Form.Item
          label="Username"
          name="username"
          rules={[{ required: true, message: "A username is required" }]}
          extra="Used to sign in: starts with a letter; a–z, 0–9, dots, dashes and underscores."
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item label="Display name" name="displayName" rules={[{ required: true, message: "A display name is required" }]}>
          <Input />
        </Form.Item>
        <Form.Item
          label="Email"
          name="email"
          rules={[
            { required: true, message: "An email is required" },
            { type: "email", message: "Enter a valid email" },
          ]}
        >
          <Input type="email" />
        </Form.Item>
        <Form.Item
          label="Password"
          name="password"
          extra="Optional. Without a password the user cannot sign in to this console (API keys only)."
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item label="Roles" name="roles">
          <Select
            mode="multiple"
            allowClear
            placeholder="No administrative roles"
            options={ALL_ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
