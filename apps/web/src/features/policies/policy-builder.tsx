"use client";

import { ArrowLeftOutlined } from "@ant-design/icons";
import { Alert, App, Button, Card, Col, Form, Input, Radio, Result, Row, Skeleton, Space } from "antd";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { RequireCapability } from "@/features/auth/require-capability";
import type { PlanPolicyChangeInput } from "@/gql/graphql";
import type { ApiError } from "@/lib/api-error";
import { applyFieldErrors } from "@/lib/form-errors";
import { useApiAction } from "@/lib/use-api-action";
import { ConditionBuilder } from "./condition-builder";
import { CreatePolicyMutation, PolicyDetailQuery, UpdatePolicyMutation } from "./operations";
import { ConnectionSelect, SourcesSelect, TagSelect, UsersSelect } from "./pickers";
import {
  definitionToForm,
  EMPTY_CONDITION,
  formFieldOfPath,
  formToRestriction,
  formToScope,
  type PolicyFormValues,
  RESTRICTION_LABELS,
  SCOPE_LABELS,
} from "./policy-model";
import { PolicyPreview } from "./policy-preview";

const NEW_POLICY: PolicyFormValues = {
  name: "",
  description: "",
  accessType: "READ",
  restrictionKind: "conditions",
  condition: EMPTY_CONDITION,
  userIds: [],
  scopeKind: "sources",
  sourceIds: [],
};

export function PolicyBuilderPage({ id }: { id?: string }) {
  return (
    <RequireCapability capability="policies.write">
      {id ? <EditPolicy id={id} /> : <PolicyBuilder initial={NEW_POLICY} />}
    </RequireCapability>
  );
}

function EditPolicy({ id }: { id: string }) {
  const [{ data, error }, reexecute] = useQuery({ query: PolicyDetailQuery, variables: { id } });
  if (error && !data) return <QueryError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  if (!data) return <Skeleton active paragraph={{ rows: 12 }} />;
  const policy = data.policy;
  if (!policy || policy.deleted)
    return (
      <Result
        status="404"
        title="Policy not found"
        subTitle="It does not exist or was deleted."
        extra={<Link href="/policies">Back to policies</Link>}
      />
    );
  const { values, editableCondition } = definitionToForm(policy);
  return <PolicyBuilder id={id} version={policy.version} initial={values} deepCondition={!editableCondition} />;
}

function PolicyBuilder({
  id,
  version,
  initial,
  deepCondition,
}: {
  id?: string;
  version?: number;
  initial: PolicyFormValues;
  deepCondition?: boolean;
}) {
  const [form] = Form.useForm<PolicyFormValues>();
  const router = useRouter();
  const { message } = App.useApp();
  const run = useApiAction();
  const [{ fetching: creating }, create] = useMutation(CreatePolicyMutation);
  const [{ fetching: updating }, update] = useMutation(UpdatePolicyMutation);
  const [unmatched, setUnmatched] = useState<ApiError["fields"]>([]);
  // `preserve`: a nested row has no field for its own `type`, and only registered fields are watched otherwise.
  const values = (Form.useWatch([], { form, preserve: true }) ?? initial) as PolicyFormValues;
  const restriction = formToRestriction(values);
  const scope = formToScope(values);
  const planInput: PlanPolicyChangeInput | null =
    restriction && scope
      ? { policyId: id ?? null, name: values.name || "Untitled policy", accessType: values.accessType, definition: { restriction, scope } }
      : null;

  async function save() {
    // All values, not just registered fields (see `preserve` above).
    const v = form.getFieldsValue(true) as PolicyFormValues;
    const r = formToRestriction(v);
    const s = formToScope(v);
    if (!r || !s) {
      message.error(!r ? "Complete the restriction before saving" : "Choose what the policy covers before saving");
      return;
    }
    setUnmatched([]);
    const onError = (error: ApiError) => {
      if (error.code !== "BAD_USER_INPUT" || error.fields.length === 0) return false;
      const onForm = { ...error, fields: error.fields.map((f) => ({ ...f, path: formFieldOfPath(f.path) })) };
      setUnmatched(
        applyFieldErrors(form, onForm, [
          "name",
          "description",
          "accessType",
          "userIds",
          "tag",
          "schema",
          "database",
          "connectionId",
          "sourceIds",
        ]),
      );
      return true;
    };
    const input = { name: v.name, description: v.description ?? "", accessType: v.accessType, definition: { restriction: r, scope: s } };
    const saved = id
      ? (await run(() => update({ input: { id, ...input } }), { success: "Policy saved", onError }))?.updatePolicy
      : (await run(() => create({ input }), { success: "Policy created", onError }))?.createPolicy;
    if (!saved) return;
    for (const w of saved.warnings) message.warning(w.message);
    router.push(`/policies/${saved.policy.id}`);
  }

  return (
    <>
      <PageHeader
        back={
          <Link href={id ? `/policies/${id}` : "/policies"}>
            <Space size={4} style={{ marginBottom: 8 }}>
              <ArrowLeftOutlined /> {id ? "Policy" : "Policies"}
            </Space>
          </Link>
        }
        title={id ? `Edit ${initial.name}` : "New policy"}
        subtitle={
          id
            ? `Saving creates version ${(version ?? 0) + 1}; the change reaches every platform within seconds.`
            : "Who may read or write which data. The preview shows the effect before you save."
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={13}>
          <Form form={form} layout="vertical" initialValues={initial} onFinish={save} aria-label="Policy" requiredMark="optional">
            <Card title="Definition" style={{ marginBottom: 16 }}>
              <Form.Item name="name" label="Name" rules={[{ required: true, message: "Give the policy a name" }, { max: 100 }]}>
                <Input placeholder="Engineering reads sales data" />
              </Form.Item>
              <Form.Item name="description" label="Description">
                <Input.TextArea rows={2} placeholder="Why this access exists" />
              </Form.Item>
              <Form.Item name="accessType" label="Access type" extra="WRITE includes READ.">
                <Radio.Group
                  optionType="button"
                  options={[
                    { value: "READ", label: "Read" },
                    { value: "WRITE", label: "Write" },
                  ]}
                />
              </Form.Item>
            </Card>
            <Card title="Who" style={{ marginBottom: 16 }}>
              <Form.Item name="restrictionKind" label="Restriction level">
                <Radio.Group
                  options={Object.entries(RESTRICTION_LABELS).map(([value, label]) => ({ value, label }))}
                  style={{ display: "flex", flexDirection: "column", gap: 6 }}
                />
              </Form.Item>
              {values.restrictionKind === "conditions" &&
                (deepCondition ? (
                  <Alert
                    type="info"
                    showIcon
                    title="This condition is nested deeper than the builder edits"
                    description="Change it over the API, or replace it by choosing a restriction level again."
                  />
                ) : (
                  <ConditionBuilder />
                ))}
              {values.restrictionKind === "users" && (
                <Form.Item name="userIds" label="Users" rules={[{ required: true, message: "Pick at least one user" }]}>
                  <UsersSelect aria-label="Users" />
                </Form.Item>
              )}
              {values.restrictionKind === "anyoneWhoAsks" && (
                <Alert
                  type="info"
                  showIcon
                  title="Users request access on the Requests page; owners of the data source or governors approve, optionally until a date."
                />
              )}
            </Card>
            <Card title="What" style={{ marginBottom: 16 }}>
              <Form.Item name="scopeKind" label="Scope">
                <Radio.Group optionType="button" options={Object.entries(SCOPE_LABELS).map(([value, label]) => ({ value, label }))} />
              </Form.Item>
              {values.scopeKind === "sources" && (
                <Form.Item name="sourceIds" label="Data sources" rules={[{ required: true, message: "Pick at least one data source" }]}>
                  <SourcesSelect aria-label="Data sources" />
                </Form.Item>
              )}
              {values.scopeKind === "tag" && (
                <Form.Item
                  name="tag"
                  label="Tag"
                  extra="Covers the tag and its descendants (PII covers PII.Email), including sources tagged later."
                  rules={[{ required: true }]}
                >
                  <TagSelect aria-label="Tag" />
                </Form.Item>
              )}
              {(values.scopeKind === "connection" || values.scopeKind === "schema") && (
                <Form.Item name="connectionId" label="Connection" rules={[{ required: true, message: "Pick a connection" }]}>
                  <ConnectionSelect aria-label="Connection" />
                </Form.Item>
              )}
              {values.scopeKind === "schema" && (
                <Space wrap>
                  <Form.Item name="database" label="Database" extra="Empty: this schema in every database.">
                    <Input placeholder="warehouse" />
                  </Form.Item>
                  <Form.Item name="schema" label="Schema" rules={[{ required: true, message: "Name the schema" }]}>
                    <Input placeholder="sales" />
                  </Form.Item>
                </Space>
              )}
            </Card>
            {unmatched.length > 0 && (
              <Alert
                type="error"
                showIcon
                style={{ marginBottom: 16 }}
                title="The policy was not saved"
                description={
                  <ul style={{ margin: 0, paddingLeft: 16 }}>
                    {unmatched.map((f) => (
                      <li key={`${f.path}-${f.message}`}>
                        {f.path}: {f.message}
                      </li>
                    ))}
                  </ul>
                }
              />
            )}
            <Space>
              <Button type="primary" htmlType="submit" loading={creating || updating}>
                {id ? "Save new version" : "Create policy"}
              </Button>
              <Link href={id ? `/policies/${id}` : "/policies"}>
                <Button>Cancel</Button>
              </Link>
            </Space>
          </Form>
        </Col>
        <Col xs={24} xl={11}>
          <div style={{ position: "sticky", top: 16 }}>
            <PolicyPreview input={planInput} incompleteHint="Complete who and what to see who gains or loses access." />
          </div>
        </Col>
      </Row>
    </>
  );
}
