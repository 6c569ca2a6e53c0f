"use client";

import { LockOutlined, LoginOutlined, UserOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Divider, Form, Input, Skeleton, Typography } from "antd";
import { useSearchParams } from "next/navigation";
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { toApiError } from "@/lib/api-error";
import { applyFieldErrors } from "@/lib/form-errors";
import { AuthOptionsQuery, LoginMutation } from "./operations";

type LoginValues = { username: string; password: string };

/** Only same-site paths: never bounce to another origin after login. */
export function safeNextPath(raw: string | null): string {
  if (!raw?.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\") || raw.startsWith("/login")) return "/";
  return raw;
}

export function LoginForm() {
  const [form] = Form.useForm<LoginValues>();
  const params = useSearchParams();
  const ssoError = params.get("sso_error");
  const [options] = useQuery({ query: AuthOptionsQuery, variables: { ssoError: ssoError ?? "", failed: Boolean(ssoError) } });
  const [{ fetching }, login] = useMutation(LoginMutation);
  const [error, setError] = useState<string | null>(null);
  const next = safeNextPath(params.get("next"));
  const auth = options.data?.authOptions;
  const sso = auth?.singleSignOn;
  // Without an answer (the API unreachable) the form still shows, so its error can say so.
  const showPasswordForm = auth ? auth.localPasswords : !options.fetching;
  const ssoFallback = "Single sign-on failed. Try again.";
  // The reason's own text once the API has answered (the generic one if it cannot).
  const ssoMessage = !ssoError ? null : auth ? (auth.singleSignOnFailure ?? ssoFallback) : options.fetching ? null : ssoFallback;

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
    window.location.assign(next);
  }

  return (
    <Card style={{ width: 380 }}>
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        Sign in to Steward
      </Typography.Title>
      <Typography.Paragraph type="secondary">Data-access governance control plane</Typography.Paragraph>
      {ssoMessage && <Alert type="error" title={ssoMessage} showIcon style={{ marginBottom: 16 }} role="alert" />}
      {error && <Alert type="error" title={error} showIcon style={{ marginBottom: 16 }} role="alert" />}
      {!auth && options.fetching && <Skeleton active paragraph={{ rows: 3 }} />}
      {sso && (
        <Button
          type={auth?.localPasswords ? "default" : "primary"}
          block
          icon={<LoginOutlined />}
          href={`${sso.loginPath}?next=${encodeURIComponent(next)}`}
        >
          Sign in with {sso.providerName}
        </Button>
      )}
      {sso && auth?.localPasswords && <Divider plain>or</Divider>}
      {showPasswordForm && (
        <Form form={form} layout="vertical" onFinish={onFinish} requiredMark={false} disabled={fetching}>
          <Form.Item label="Username" name="username" rules={[{ required: true, message: "Enter your username" }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus={!sso} />
          </Form.Item>
          <Form.Item label="Password" name="password" rules={[{ required: true, message: "Enter your password" }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={fetching}>
            Sign in
          </Button>
        </Form>
      )}
    </Card>
  );
}
