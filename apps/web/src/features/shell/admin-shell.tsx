"use client";

import { LogoutOutlined, SafetyCertificateOutlined, UserOutlined } from "@ant-design/icons";
import { Alert, App, Avatar, Button, Layout, Menu, Result, Space, Spin, Tag } from "antd";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { type ReactNode, useEffect } from "react";
import { useMutation, useQuery } from "urql";
import { ROLE_COLORS, ROLE_LABELS } from "@/features/auth/access";
import { LogoutMutation, MeQuery } from "@/features/auth/operations";
import { ViewerProvider } from "@/features/auth/viewer-context";
import { ProjectSwitcher } from "@/features/projects/project-switcher";
import { toApiError } from "@/lib/api-error";
import { activeNavHref, visibleNavItems } from "./nav";

const { Sider, Header, Content } = Layout;

export function AdminShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const router = useRouter();
  const { message } = App.useApp();
  const [{ data, fetching, error }, refetchMe] = useQuery({ query: MeQuery, requestPolicy: "network-only" });
  const [, logout] = useMutation(LogoutMutation);
  const viewer = data?.me ?? null;
  const apiError = toApiError(error);
  const signedOut = !fetching && !error && data !== undefined && viewer === null;

  useEffect(() => {
    if (signedOut || apiError?.code === "UNAUTHENTICATED") {
      router.replace(`/login?next=${encodeURIComponent(pathname)}`);
    }
  }, [signedOut, apiError?.code, pathname, router]);

  if (apiError && apiError.code !== "UNAUTHENTICATED") {
    return (
      <Result
        status="error"
        title="Steward is unavailable"
        subTitle={apiError.message}
        extra={<Button onClick={() => refetchMe({ requestPolicy: "network-only" })}>Try again</Button>}
      />
    );
  }
  if (!viewer) {
    return (
      <div style={{ display: "grid", placeItems: "center", minHeight: "100vh" }}>
        <Spin size="large" description="Checking your session…" />
      </div>
    );
  }

  async function onLogout() {
    const result = await logout({});
    if (result.error) {
      message.error(toApiError(result.error)?.message ?? "Could not sign out");
      return;
    }
    window.location.assign("/login");
  }

  const items = visibleNavItems(viewer.roles).map((item) => ({
    key: item.href,
    icon: item.icon,
    label: <Link href={item.href}>{item.label}</Link>,
  }));

  return (
    <ViewerProvider value={viewer}>
      <Layout style={{ minHeight: "100vh" }}>
        <Sider breakpoint="lg" collapsedWidth={0} width={232} theme="dark">
          <div style={{ padding: "18px 24px", color: "#fff", fontWeight: 600, fontSize: 18 }}>
            <SafetyCertificateOutlined style={{ marginRight: 8 }} />
            Steward
          </div>
          <nav aria-label="Main">
            <Menu theme="dark" mode="inline" selectedKeys={[activeNavHref(pathname)]} items={items} />
          </nav>
        </Sider>
        <Layout>
          <Header style={{ background: "#fff", display: "flex", justifyContent: "flex-end", alignItems: "center", paddingInline: 24 }}>
            <Space size="middle">
              {viewer.authMethod === "API_KEY" && <Alert type="info" title="Signed in with an API key" showIcon banner />}
              <ProjectSwitcher />
              {viewer.roles.map((r) => (
                <Tag key={r} color={ROLE_COLORS[r]}>
                  {ROLE_LABELS[r]}
                </Tag>
              ))}
              <Space size={6}>
                <Avatar size="small" icon={<UserOutlined />} />
                <Link href="/settings" aria-label={`Signed in as ${viewer.user.displayName} (${viewer.user.username})`}>
                  {viewer.user.displayName}
                </Link>
              </Space>
              <Button icon={<LogoutOutlined />} onClick={onLogout}>
                Sign out
              </Button>
            </Space>
          </Header>
          <Content style={{ padding: 24 }}>{children}</Content>
        </Layout>
      </Layout>
    </ViewerProvider>
  );
}
