"use client";

import { PlusOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Checkbox, Form, Input, Modal, Select, Table, Tag, Typography } from "antd";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { SourcesSelect } from "@/features/policies/pickers";
import type { ApiError } from "@/lib/api-error";
import { applyFieldErrors } from "@/lib/form-errors";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useApiAction } from "@/lib/use-api-action";
import { CreateProjectMutation, ProjectsQuery, PurposesQuery } from "./operations";

type ProjectForm = { name: string; description?: string; purposeIds?: string[]; dataSourceIds?: string[] };

/** Purposes as a pick list (full path, so sub-purposes read clearly). */
export function PurposesSelect({ value, onChange, id }: { value?: string[]; onChange?: (v: string[]) => void; id?: string }) {
  const [{ data, fetching }] = useQuery({ query: PurposesQuery });
  return (
    <Select
      id={id}
      aria-label="Purposes"
      mode="multiple"
      value={value}
      onChange={onChange}
      loading={fetching}
      placeholder="Pick the purposes the project works under"
      showSearch={{ optionFilterProp: "label" }}
      options={(data?.purposes ?? []).filter((p) => !p.deleted).map((p) => ({ value: p.id, label: p.path.join(" › ") }))}
      notFoundContent={fetching ? "Loading purposes…" : "No purposes defined yet (governors define them)"}
    />
  );
}

function NewProjectModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [form] = Form.useForm<ProjectForm>();
  const router = useRouter();
  const run = useApiAction();
  const [{ fetching }, create] = useMutation(CreateProjectMutation);
  const [unmatched, setUnmatched] = useState<ApiError["fields"]>([]);
  async function save(v: ProjectForm) {
    setUnmatched([]);
    const onError = (error: ApiError) => {
      if (error.code !== "BAD_USER_INPUT" || error.fields.length === 0) return false;
      setUnmatched(applyFieldErrors(form, error, ["name", "description", "purposeIds", "dataSourceIds"]));
      return true;
    };
    const input = { name: v.name, description: v.description ?? "", purposeIds: v.purposeIds ?? [], dataSourceIds: v.dataSourceIds ?? [] };
    const created = await run(() => create({ input }), { success: "Project created", onError });
    if (created) router.push(`/projects/${created.createProject.id}`);
  }
  return (
    <Modal
      open={open}
      title="New project"
      okText="Create project"
      onOk={() => form.submit()}
      okButtonProps={{ loading: fetching }}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" aria-label="Project" preserve={false} onFinish={save}>
        <Form.Item name="name" label="Name" rules={[{ required: true, message: "Name the project" }]}>
          <Input placeholder="Churn study 2026" />
        </Form.Item>
        <Form.Item name="description" label="Description">
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item name="purposeIds" label="Purposes" extra="Members acknowledge each purpose's statement before acting under the project.">
          <PurposesSelect />
        </Form.Item>
        <Form.Item name="dataSourceIds" label="Data sources">
          <SourcesSelect aria-label="Project data sources" />
        </Form.Item>
        {unmatched.length > 0 && <Alert type="error" showIcon title={unmatched.map((f) => `${f.path}: ${f.message}`).join("; ")} />}
      </Form>
    </Modal>
  );
}

export function ProjectsPage() {
  const [includeArchived, setIncludeArchived] = useState(false);
  const [creating, setCreating] = useState(false);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ProjectsQuery, variables: { includeArchived } });
  return (
    <>
      <PageHeader
        title="Projects"
        subtitle="Work on data under declared purposes. Switch your current project in the header: what you see on the platform follows within a second."
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            New project
          </Button>
        }
      />
      {error && <QueryError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />}
      <Card>
        <Checkbox checked={includeArchived} onChange={(e) => setIncludeArchived(e.target.checked)} style={{ marginBottom: 16 }}>
          Show archived projects
        </Checkbox>
        <Table
          aria-label="Projects"
          rowKey="id"
          loading={fetching && !data}
          dataSource={data?.projects ?? []}
          locale={{ emptyText: "No projects yet" }}
          columns={[
            { title: "Name", key: "name", render: (_, p) => <Link href={`/projects/${p.id}`}>{p.name}</Link> },
            {
              title: "Purposes",
              key: "purposes",
              render: (_, p) => (p.purposes.length ? p.purposes.map((x) => <Tag key={x.id}>{x.name}</Tag>) : "—"),
            },
            { title: "Owner", key: "owner", render: (_, p) => p.owner?.displayName ?? "—" },
            { title: "Members", key: "members", width: 100, render: (_, p) => p.members.length },
            { title: "Sources", key: "sources", width: 100, render: (_, p) => p.dataSources.length },
            {
              title: "You",
              key: "me",
              render: (_, p) =>
                !p.myMembership ? (
                  <Typography.Text type="secondary">not a member</Typography.Text>
                ) : (
                  <>
                    <Tag>{p.myMembership.role}</Tag>
                    {!p.myMembership.acknowledged && <Tag color="orange">to acknowledge</Tag>}
                  </>
                ),
            },
            {
              title: "Status",
              key: "status",
              width: 100,
              render: (_, p) => <Tag color={p.status === "ACTIVE" ? "green" : "default"}>{p.status}</Tag>,
            },
            {
              title: "Updated",
              key: "updated",
              width: 130,
              render: (_, p) => <span title={formatDateTime(p.updatedAt)}>{formatRelative(p.updatedAt)}</span>,
            },
          ]}
        />
      </Card>
      <NewProjectModal open={creating} onClose={() => setCreating(false)} />
    </>
  );
}
