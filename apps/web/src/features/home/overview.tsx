"use client";

import { Card, Col, Descriptions, Row, Space, Tag, Typography } from "antd";
import Link from "next/link";
import { PageHeader } from "@/components/page-header";
import { ROLE_COLORS, ROLE_LABELS } from "@/features/auth/access";
import { useViewer } from "@/features/auth/viewer-context";
import { visibleNavItems } from "@/features/shell/nav";

export function Overview() {
  const viewer = useViewer();
  const shortcuts = visibleNavItems(viewer.roles).filter((i) => i.href !== "/");
  return (
    <>
      <PageHeader
        title={`Welcome, ${viewer.user.displayName}`}
        subtitle="Steward governs who can access which data, across your data platforms."
      />
      <Card title="Your account" style={{ marginBottom: 24 }}>
        <Descriptions
          column={{ xs: 1, md: 2 }}
          items={[
            { key: "username", label: "Username", children: viewer.user.username },
            { key: "email", label: "Email", children: viewer.user.email },
            {
              key: "roles",
              label: "Roles",
              children:
                viewer.roles.length > 0 ? (
                  <Space size={4} wrap>
                    {viewer.roles.map((r) => (
                      <Tag key={r} color={ROLE_COLORS[r]}>
                        {ROLE_LABELS[r]}
                      </Tag>
                    ))}
                  </Space>
                ) : (
                  <Typography.Text type="secondary">No administrative roles</Typography.Text>
                ),
            },
            { key: "auth", label: "Signed in with", children: viewer.authMethod === "SESSION" ? "Password session" : "API key" },
          ]}
        />
      </Card>
      <Row gutter={[16, 16]}>
        {shortcuts.map((item) => (
          <Col key={item.href} xs={24} sm={12} lg={8}>
            <Link href={item.href}>
              <Card hoverable>
                <Space>
                  {item.icon}
                  <Typography.Text strong>{item.label}</Typography.Text>
                </Space>
              </Card>
            </Link>
          </Col>
        ))}
      </Row>
    </>
  );
}
