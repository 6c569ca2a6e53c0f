"use client";

import { Alert, Button, Card, Form, Input } from "antd";
import { useState } from "react";
import { useMutation } from "urql";
import { SourcesSelect } from "@/features/policies/pickers";
import type { ProjectDetailQuery as ProjectData } from "@/gql/graphql";
import type { ApiError } from "@/lib/api-error";
import { applyFieldErrors } from "@/lib/form-errors";
import { useApiAction } from "@/lib/use-api-action";
import { UpdateProjectMutation } from "./operations";
import { PurposesSelect } from "./projects-list";

type Project = NonNullable<ProjectData["project"]>;
type EditForm = { name: string; description?: string; purposeIds: string[]; dataSourceIds: string[] };

/** Owner or governor: rename, change purposes (members then acknowledge the new ones) and data sources. */
export function ProjectEditCard({ project }: { project: Project }) {
  const [form] = Form.useForm<EditForm>();
  const run = useApiAction();
  const [{ fetching }, update] = useMutation(UpdateProjectMutation);
  const [unmatched, setUnmatched] = useState<ApiError["fields"]>([]);
  async function save(v: EditForm) {
    setUnmatched([]);
    const onError = (error: ApiError) => {
      if (error.code !== "BAD_USER_INPUT" || error.fields.length === 0) return false;
      setUnmatched(applyFieldErrors(form, error, ["name", "description", "purposeIds", "dataSourceIds"]));
      return true;
    };
    await run(
      () =>
        update({
          input: {
            id: project.id,
            name: v.name,
            description: v.description ?? "",
            purposeIds: v.purposeIds,
            dataSourceIds: v.dataSourceIds,
          },
        }),
      { success: "Project saved", onError },
    );
  }
  return (
    <Card title="Edit project">
      <Form
        form={form}
        layout="vertical"
        aria-label="Edit project"
        onFinish={save}
        initialValues={{
          name: project.name,
          description: project.description,
          purposeIds: project.purposes.map((p) => p.id),
          dataSourceIds: project.dataSources.map((s) => s.id),
        }}
      >
        <Form.Item name="name" label="Name" rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="description" label="Description">
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item name="purposeIds" label="Purposes" extra="Adding a purpose asks every member to acknowledge its statement.">
          <PurposesSelect />
        </Form.Item>
        <Form.Item name="dataSourceIds" label="Data sources">
          <SourcesSelect aria-label="Project data sources" />
        </Form.Item>
        {unmatched.length > 0 && (
          <Alert type="error" showIcon style={{ marginBottom: 12 }} title={unmatched.map((f) => `${f.path}: ${f.message}`).join("; ")} />
        )}
        <Button type="primary" htmlType="submit" loading={fetching}>
          Save project
        </Button>
      </Form>
    </Card>
  );
}
