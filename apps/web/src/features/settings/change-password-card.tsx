"use client";

import { LockOutlined } from "@ant-design/icons";
import { Button, Card, Form, Input } from "antd";
import { useMutation } from "urql";
import { applyFieldErrors } from "@/lib/form-errors";
import { useApiAction } from "@/lib/use-api-action";
import { ChangePasswordMutation } from "./operations";

type Values = { currentPassword: string; newPassword: string; confirmPassword: string };

export function ChangePasswordCard() {
  const [form] = Form.useForm<Values>();
  const [{ fetching }, changePassword] = useMutation(ChangePasswordMutation);
  const run = useApiAction();

  async function onFinish({ currentPassword, newPassword }: Values) {
    const data = await run(() => changePassword({ currentPassword, newPassword }), {
      success: "Password changed. Your other sessions were signed out.",
      onError: (e) => applyFieldErrors(form, e, ["currentPassword", "newPassword"]).length === 0 && e.fields.length > 0,
    });
    if (data) form.resetFields();
  }

  return (
    <Card
      title={
        <span>
          <LockOutlined /> Change password
        </span>
      }
    >
      <Form form={form} layout="vertical" onFinish={onFinish} style={{ maxWidth: 420 }}>
        <Form.Item label="Current password" name="currentPassword" rules={[{ required: true, message: "Enter your current password" }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item
          label="New password"
          name="newPassword"
          rules={[
            { required: true, message: "Enter a new password" },
            { min: 8, message: "Use at least 8 characters" },
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          label="Confirm new password"
          name="confirmPassword"
          dependencies={["newPassword"]}
          rules={[
            { required: true, message: "Repeat the new password" },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                !value || value === getFieldValue("newPassword")
                  ? Promise.resolve()
                  : Promise.reject(new Error("The passwords do not match")),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={fetching}>
          Change password
        </Button>
      </Form>
    </Card>
  );
}
