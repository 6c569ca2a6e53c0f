"use client";

import { Button, Drawer, Form, Input, Space } from "antd";
import { useEffect } from "react";
import { useMutation } from "urql";
import { applyFieldErrors } from "@/lib/form-errors";
import { useApiAction } from "@/lib/use-api-action";
import { UpdateUserMutation } from "./operations";
import type { UserDetail } from "./user-detail";

type Values = { displayName: string; email: string };
const FIELDS = ["displayName", "email"] as const;

export function EditUserDrawer({
  user,
  open,
  onClose,
  onSaved,
}: {
  user: UserDetail;
  open: boolean;
  onClose: () => void;
  onSaved: () => void;
}) {
  const [form] = Form.useForm<Values>();
  const [{ fetching }, update] = useMutation(UpdateUserMutation);
  const run = useApiAction();

  useEffect(() => {
    if (open) form.setFieldsValue({ displayName: user.displayName, email: user.email });
  }, [open, user.displayName, user.email, form]);

  async function onFinish(values: Values) {
    const data = await run(() => update({ input: { id: user.id, ...values } }), {
      success: "User updated",
      onError: (e) => applyFieldErrors(form, e, FIELDS).length === 0 && e.fields.length > 0,
    });
    if (data) {
      onSaved();
      onClose();
    }
  }

  return (
    <Drawer
      title={`Edit ${user.username}`}
      open={open}
      onClose={onClose}
      size={440}
      extra={
        <Space>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="primary" loading={fetching} onClick={() => form.submit()}>
            Save
          </Button>
        </Space>
      }
    >
      <Form form={form} layout="vertical" onFinish={onFinish}>
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
      </Form>
    </Drawer>
  );
}
