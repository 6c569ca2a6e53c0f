"use client";

import { ArrowLeftOutlined, CheckCircleOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Col, Descriptions, Flex, List, Popconfirm, Result, Row, Skeleton, Space, Table, Tag, Typography } from "antd";
import Link from "next/link";
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { useViewer } from "@/features/auth/viewer-context";
import { UserSelect } from "@/features/policies/pickers";
import type { ProjectDetailQuery as ProjectData } from "@/gql/graphql";
import { formatDateTime } from "@/lib/format";
import { useApiAction } from "@/lib/use-api-action";
import {
  AcknowledgeProjectPurposesMutation,
  AddProjectMemberMutation,
  ArchiveProjectMutation,
  ProjectDetailQuery,
  RemoveProjectMemberMutation,
  SwitchProjectMutation,
} from "./operations";
import { ProjectEditCard } from "./project-edit";

type Project = NonNullable<ProjectData["project"]>;

/** The purpose statements the caller accepts before acting under the project. */
function AcknowledgeCard({ project }: { project: Project }) {
  const run = useApiAction();
  const [{ fetching }, acknowledge] = useMutation(AcknowledgeProjectPurposesMutation);
  const [, switchProject] = useMutation(SwitchProjectMutation);
  const me = project.myMembership;
  if (!me) return null;
  const pending = new Set(me.pendingAcknowledgements.map((p) => p.id));
  return (
    <Card title="Purpose statements" role="region" aria-label="Purpose statements" style={{ marginBottom: 16 }}>
      {project.purposes.length === 0 ? (
        <Typography.Text type="secondary">This project has no purpose: nothing to acknowledge.</Typography.Text>
      ) : (
        <List
          dataSource={project.purposes}
          renderItem={(p) => (
            <List.Item
              extra={
                pending.has(p.id) ? (
                  <Tag color="orange">to acknowledge</Tag>
                ) : (
                  <Tag color="green" icon={<CheckCircleOutlined />}>
                    acknowledged
                  </Tag>
                )
              }
            >
              <List.Item.Meta
                title={`${p.path.join(" › ")} (statement v${p.acknowledgementVersion})`}
                description={<Typography.Paragraph style={{ margin: 0 }}>{p.acknowledgement}</Typography.Paragraph>}
              />
            </List.Item>
          )}
        />
      )}
      <Space style={{ marginTop: 12 }}>
        {!me.acknowledged && (
          <Button
            type="primary"
            loading={fetching}
            onClick={() => run(() => acknowledge({ projectId: project.id }), { success: "Acknowledged" })}
          >
            I acknowledge these statements
          </Button>
        )}
        <Button
          disabled={!me.acknowledged || project.status !== "ACTIVE"}
          onClick={() => run(() => switchProject({ projectId: project.id }), { success: `Now acting under ${project.name}` })}
        >
          Act under this project
        </Button>
      </Space>
    </Card>
  );
}

function MembersCard({ project, canManage }: { project: Project; canManage: boolean }) {
  const run = useApiAction();
  const [userId, setUserId] = useState<string>();
  const [{ fetching: adding }, add] = useMutation(AddProjectMemberMutation);
  const [, remove] = useMutation(RemoveProjectMemberMutation);
  return (
    <Card title={`Members (${project.members.length})`} role="region" aria-label="Members">
      {canManage && (
        <Flex gap={8} style={{ marginBottom: 12 }}>
          <UserSelect aria-label="Add member" value={userId} onChange={setUserId} />
          <Button
            disabled={!userId}
            loading={adding}
            onClick={async () => {
              if (!userId) return;
              if (await run(() => add({ projectId: project.id, userId }), { success: "Member added" })) setUserId(undefined);
            }}
          >
            Add member
          </Button>
        </Flex>
      )}
      <Table
        aria-label="Project members"
        size="small"
        rowKey={(m) => m.user.id}
        pagination={false}
        dataSource={project.members}
        columns={[
          { title: "User", key: "user", render: (_, m) => `${m.user.displayName} (${m.user.username})` },
          { title: "Role", key: "role", width: 100, render: (_, m) => <Tag>{m.role}</Tag> },
          {
            title: "Acknowledged",
            key: "ack",
            render: (_, m) =>
              m.acknowledged ? (
                <Tag color="green">{m.acknowledgedAt ? formatDateTime(m.acknowledgedAt) : "yes"}</Tag>
              ) : (
                <Tag color="orange">pending: {m.pendingAcknowledgements.map((p) => p.name).join(", ")}</Tag>
              ),
          },
          ...(canManage
            ? [
                {
                  title: "",
                  key: "remove",
                  width: 90,
                  render: (_: unknown, m: Project["members"][number]) =>
                    m.role === "OWNER" ? null : (
                      <Popconfirm
                        title={`Remove ${m.user.displayName}?`}
                        description="If they act under this project they fall back to no project."
                        onConfirm={() => run(() => remove({ projectId: project.id, userId: m.user.id }), { success: "Member removed" })}
                      >
                        <Button size="small" danger aria-label={`Remove ${m.user.username}`}>
                          Remove
                        </Button>
                      </Popconfirm>
                    ),
                },
              ]
            : []),
        ]}
      />
    </Card>
  );
}

export function ProjectDetailPage({ id }: { id: string }) {
  const viewer = useViewer();
  const run = useApiAction();
  const [, archive] = useMutation(ArchiveProjectMutation);
  const [{ data, error }, reexecute] = useQuery({ query: ProjectDetailQuery, variables: { id } });
  if (error && !data) return <QueryError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  if (!data) return <Skeleton active paragraph={{ rows: 10 }} />;
  const project = data.project;
  if (!project) return <Result status="404" title="Project not found" extra={<Link href="/projects">Back to projects</Link>} />;
  const canManage = project.myMembership?.role === "OWNER" || viewer.roles.includes("GOVERNOR");
  const active = project.status === "ACTIVE";
  return (
    <>
      <PageHeader
        back={
          <Link href="/projects">
            <Space size={4} style={{ marginBottom: 8 }}>
              <ArrowLeftOutlined /> Projects
            </Space>
          </Link>
        }
        title={project.name}
        subtitle={
          <Space>
            <Tag color={active ? "green" : "default"}>{project.status}</Tag>
            {project.purposes.map((p) => (
              <Tag key={p.id}>{p.name}</Tag>
            ))}
          </Space>
        }
        extra={
          canManage &&
          active && (
            <Popconfirm
              title="Archive this project?"
              description="Members acting under it fall back to no project."
              okText="Archive"
              onConfirm={() => run(() => archive({ id: project.id }), { success: "Project archived" })}
            >
              <Button danger>Archive</Button>
            </Popconfirm>
          )
        }
      />
      {!project.myMembership && <Alert type="info" showIcon style={{ marginBottom: 16 }} title="You are not a member of this project." />}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <AcknowledgeCard project={project} />
          <Card title="About" style={{ marginBottom: 16 }}>
            <Descriptions
              size="small"
              column={1}
              items={[
                { key: "description", label: "Description", children: project.description || "—" },
                { key: "owner", label: "Owner", children: project.owner?.displayName ?? "—" },
                { key: "created", label: "Created", children: formatDateTime(project.createdAt) },
                {
                  key: "sources",
                  label: "Data sources",
                  children: project.dataSources.length
                    ? project.dataSources.map((s) => (
                        <Link key={s.id} href={`/data-sources/${s.id}`} style={{ marginRight: 8 }}>
                          <Typography.Text code>{s.name}</Typography.Text>
                        </Link>
                      ))
                    : "—",
                },
              ]}
            />
          </Card>
          {canManage && active && <ProjectEditCard project={project} />}
        </Col>
        <Col xs={24} xl={12}>
          <MembersCard project={project} canManage={canManage && active} />
        </Col>
      </Row>
    </>
  );
}
