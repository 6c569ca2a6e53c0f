"use client";

import { DatePicker, Form, Input, Modal, Radio, Select } from "antd";
import type { Dayjs } from "dayjs";
import dayjs from "dayjs";
import { useMutation } from "urql";
import { can, ROLE_LABELS } from "@/features/auth/access";
import { useViewer } from "@/features/auth/viewer-context";
import type { ApiKeyScope, Role } from "@/gql/graphql";
import { applyFieldErrors } from "@/lib/form-errors";
import { useApiAction } from "@/lib/use-api-action";
import { CreateApiKeyMutation } from "./operations";

type Values = { name: string; scope?: ApiKeyScope; roles?: Role[]; expiresAt?: Dayjs | null };

export function CreateApiKeyModal({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (secret: string, scope: ApiKeyScope) => void;
}) {
  const viewer = useViewer();
  const [form] = Form.useForm<Values>();
  const [{ fetching }, create] = useMutation(CreateApiKeyMutation);
  const run = useApiAction();
  // SCIM keys are for an identity provider's provisioning: only admins make them, and they act with ADMIN.
  const mayScim = can(viewer.roles, "scim.manage");
  const scope = Form.useWatch("scope", form) ?? "GRAPHQL";

  async function onFinish(values: Values) {
    const data = await run(
      () =>
        create({
          input: {
            name: values.name.trim(),
            scope: values.scope ?? "GRAPHQL",
            // A SCIM key's roles are fixed by the API (ADMIN within the owner's roles).
            roles: values.scope === "SCIM" ? null : (values.roles ?? []),
            expiresAt: values.expiresAt ? values.expiresAt.endOf("day").toISOString() : null,
          },
        }),
      {
        success: "API key created",
        onError: (e) => applyFieldErrors(form, e, ["name", "scope", "roles", "expiresAt"]).length === 0 && e.fields.length > 0,
      },
    );
    if (data) {
      form.resetFields();
      onCreated(data.createApiKey.secret, data.createApiKey.apiKey.scope);
    }
  }

  return (
    <Modal
      title="Create API key"
      open={open}
      onCancel={onClose}
      okText="Create key"
      confirmLoading={fetching}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={onFinish} initialValues={{ scope: "GRAPHQL" }}>
        <Form.Item label="Name" name="name" rules={[{ required: true, whitespace: true, message: "Name the key after where it is used" }]}>
          <Input placeholder="e.g. dbt nightly sync" />
        </Form.Item>
        {mayScim && (
          <Form.Item
            label="Used for"
            name="scope"
            extra={
              scope === "SCIM"
                ? "For your identity provider (Okta, Entra ID): it may call only the SCIM endpoints at /scim/v2 and acts as an administrator."
                : "Scripts and pipelines calling the Steward API."
            }
          >
            <Radio.Group
              optionType="button"
              options={[
                { value: "GRAPHQL", label: "Steward API" },
                { value: "SCIM", label: "SCIM provisioning" },
              ]}
            />
          </Form.Item>
        )}
        <Form.Item
          hidden={scope === "SCIM"}
          label="Roles"
          name="roles"
          extra={
            viewer.roles.length === 0
              ? "You have no administrative roles, so the key acts as you with none either."
              : "A subset of your roles. Leave empty for a key without administrative roles."
          }
        >
          <Select
            mode="multiple"
            allowClear
            disabled={viewer.roles.length === 0}
            placeholder="No administrative roles"
            options={viewer.roles.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
          />
        </Form.Item>
        <Form.Item label="Expires" name="expiresAt" extra="Optional. The key stops working at the end of that day.">
          <DatePicker disabledDate={(d) => d.isBefore(dayjs(), "day")} style={{ width: "100%" }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
