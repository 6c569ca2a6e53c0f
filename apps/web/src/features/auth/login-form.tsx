"use client";

import { LockOutlined, UserOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Form, Input, Typography } from "antd";
import { useSearchParams } from "next/navigation";
import { useState } from "react";
import { useMutation } from "urql";
import { toApiError } from "@/lib/api-error";
import { applyFieldErrors } from "@/lib/form-errors";
import { LoginMutation } from "./operations";

type LoginValues = { username: string; password: string };

/** Only same-site paths: never bounce to another origin after login. */
export function safeNextPath(raw: string | null): string {
  if (!raw?.startsWith("/") || raw.startsWith("//") || raw.startsWith("/login")) return "/";
  return raw;
}

export function LoginForm() {
  const [form] = Form.useForm<LoginValues>();
  const params = useSearchParams();
  const [{ fetching }, login] = useMutation(LoginMutation);
  const [error, setError] = useState<string | null>(null);

  async function onFinish(values: LoginValues) {
    setError(null);
    const result = await login({ input: values });
    const apiError = toApiError(result.error);
    if (apiError) {
      const unmatched = applyFieldErrors(form, apiError, ["username", "password"]);
      setError(apiError.fields.length > 0 && unmatched.length === 0 ? null : apiError.message);
      return;
    }
    // A full navigation drops any cached anonymous state.
    window.location.assign(safeNextPath(params.get("next")));
  }

  return (
    <Card style={{ width: 380 }}>
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        Sign in to Steward
      </Typography.Title>
      <Typography.Paragraph type="secondary">Data-access governance control plane</Typography.Paragraph>
      {error && <Alert type="error" title={error} showIcon style={{ marginBottom: 16 }} role="alert" />}
      <Form form={form} layout="vertical" onFinish={onFinish} requiredMark={false} disabled={fetching}>
        <Form.Item label="Username" name="username" rules={[{ required: true, message: "Enter your username" }]}>
          <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
        </Form.Item>
        <Form.Item label="Password" name="password" rules={[{ required: true, message: "Enter your password" }]}>
          <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={fetching}>
          Sign in
        </Button>
      </Form>
    </Card>
  );
}
