"use client";

import { ArrowLeftOutlined, EditOutlined } from "@ant-design/icons";
import { Button, Card, Col, Descriptions, Popconfirm, Result, Row, Skeleton, Space } from "antd";
import Link from "next/link";
import { useCallback, useState } from "react";
import { useMutation, useQuery } from "urql";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { RequireCapability } from "@/features/auth/require-capability";
import { useCan, useViewer } from "@/features/auth/viewer-context";
import type { UserDetailQuery as UserDetailQueryType } from "@/gql/graphql";
import { formatDateTime } from "@/lib/format";
import { useApiAction } from "@/lib/use-api-action";
import { EditUserDrawer } from "./edit-user-drawer";
import { DeactivateUserMutation, ReactivateUserMutation, UserDetailQuery } from "./operations";
import { UserAttributesCard } from "./user-attributes-card";
import { UserGroupsCard } from "./user-groups-card";
import { UserPlatformAccountsCard } from "./user-platform-accounts-card";
import { UserRolesCard } from "./user-roles-card";
import { StatusTag } from "./user-tags";

export type UserDetail = NonNullable<UserDetailQueryType["user"]>;

export function UserDetailPage({ id }: { id: string }) {
  return (
    <RequireCapability capability="users.read">
      <UserDetailView id={id} />
    </RequireCapability>
  );
}

const backLink = (
  <Link href="/users">
    <Space size={4} style={{ marginBottom: 8 }}>
      <ArrowLeftOutlined /> Users
    </Space>
  </Link>
);

function UserDetailView({ id }: { id: string }) {
  const canManage = useCan("users.manage");
  const viewer = useViewer();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: UserDetailQuery, variables: { id } });
  const refresh = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]);
  const [editing, setEditing] = useState(false);
  const [, deactivate] = useMutation(DeactivateUserMutation);
  const [, reactivate] = useMutation(ReactivateUserMutation);
  const run = useApiAction();

  if (error) return <QueryError error={error} onRetry={refresh} />;
  if (!data && fetching) return <Skeleton active paragraph={{ rows: 8 }} />;
  const user = data?.user;
  if (!user) {
    return (
      <Result
        status="404"
        title="User not found"
        subTitle="It may have been removed, or the link is wrong."
        extra={<Link href="/users">Back to users</Link>}
      />
    );
  }
  const isSelf = user.id === viewer.user.id;

  return (
    <>
      <PageHeader
        back={backLink}
        title={
          <Space>
            {user.displayName}
            <StatusTag status={user.status} />
          </Space>
        }
        subtitle={`@${user.username}`}
        extra={
          canManage && (
            <Space>
              <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
                Edit
              </Button>
              {user.status === "ACTIVE" ? (
                <Popconfirm
                  title="Deactivate this user?"
                  description="They can no longer sign in or use API keys, and platforms will revoke their access."
                  okText="Deactivate"
                  okButtonProps={{ danger: true }}
                  onConfirm={() => run(() => deactivate({ id: user.id }), { success: "User deactivated" }).then(refresh)}
                  disabled={isSelf}
                >
                  <Button danger disabled={isSelf} title={isSelf ? "You cannot deactivate yourself" : undefined}>
                    Deactivate
                  </Button>
                </Popconfirm>
              ) : (
                <Button onClick={() => run(() => reactivate({ id: user.id }), { success: "User reactivated" }).then(refresh)}>
                  Reactivate
                </Button>
              )}
            </Space>
          )
        }
      />
      <Card style={{ marginBottom: 16 }}>
        <Descriptions
          column={{ xs: 1, md: 2, xl: 3 }}
          items={[
            { key: "username", label: "Username", children: user.username },
            { key: "displayName", label: "Display name", children: user.displayName },
            { key: "email", label: "Email", children: user.email },
            { key: "status", label: "Status", children: <StatusTag status={user.status} /> },
            { key: "created", label: "Created", children: formatDateTime(user.createdAt) },
            { key: "updated", label: "Updated", children: formatDateTime(user.updatedAt) },
          ]}
        />
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <UserRolesCard user={user} canManage={canManage} onChanged={refresh} />
        </Col>
        <Col xs={24} xl={12}>
          <UserGroupsCard user={user} canManage={canManage} onChanged={refresh} />
        </Col>
        <Col xs={24} xl={12}>
          <UserAttributesCard user={user} knownKeys={data.attributeKeys} canManage={canManage} onChanged={refresh} />
        </Col>
        <Col xs={24} xl={12}>
          <UserPlatformAccountsCard user={user} canManage={canManage} onChanged={refresh} />
        </Col>
      </Row>
      {canManage && <EditUserDrawer user={user} open={editing} onClose={() => setEditing(false)} onSaved={refresh} />}
    </>
  );
}
