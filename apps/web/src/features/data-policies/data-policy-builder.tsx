"use client";

import { ArrowLeftOutlined } from "@ant-design/icons";
import { Alert, App, Button, Card, Col, Form, Input, Radio, Result, Row, Skeleton, Space, Switch } from "antd";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { RequireCapability } from "@/features/auth/require-capability";
import { ConditionBuilder } from "@/features/policies/condition-builder";
import { ConnectionSelect, SourcesSelect, TagSelect } from "@/features/policies/pickers";
import type { PlanDataPolicyChangeInput } from "@/gql/graphql";
import type { ApiError } from "@/lib/api-error";
import { applyFieldErrors } from "@/lib/form-errors";
import { useApiAction } from "@/lib/use-api-action";
import {
  DATA_POLICY_FORM_FIELDS,
  DATA_SCOPE_LABELS,
  type DataPolicyFormValues,
  dataFormFieldOfPath,
  dataPolicyToForm,
  formToDefinition,
  missingPart,
  NEW_DATA_POLICY,
} from "./data-policy-model";
import { DataPolicyImpact } from "./data-policy-preview";
import { CreateDataPolicyMutation, DataPolicyDetailQuery, UpdateDataPolicyMutation } from "./operations";
import { MaskFields, RowFields } from "./rule-fields";
import { SeeAsUser } from "./see-as-user";

export function DataPolicyBuilderPage({ id }: { id?: string }) {
  return (
    <RequireCapability capability="policies.write">
      {id ? <EditDataPolicy id={id} /> : <DataPolicyBuilder initial={NEW_DATA_POLICY} />}
    </RequireCapability>
  );
}

function EditDataPolicy({ id }: { id: string }) {
  const [{ data, error }, reexecute] = useQuery({ query: DataPolicyDetailQuery, variables: { id } });
  if (error && !data) return <QueryError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  if (!data) return <Skeleton active paragraph={{ rows: 12 }} />;
  const policy = data.dataPolicy;
  if (!policy || policy.deleted)
    return <Result status="404" title="Data policy not found" extra={<Link href="/data-policies">Back to data policies</Link>} />;
  const { values, editableExcept } = dataPolicyToForm(policy);
  return <DataPolicyBuilder id={id} version={policy.version} initial={values} deepExcept={!editableExcept} />;
}

function ScopeCard({ values }: { values: DataPolicyFormValues }) {
  return (
    <Card title="Where it applies" style={{ marginBottom: 16 }}>
      <Form.Item name="scopeKind" label="Scope">
        <Radio.Group optionType="button" options={Object.entries(DATA_SCOPE_LABELS).map(([value, label]) => ({ value, label }))} />
      </Form.Item>
      {values.scopeKind === "all" && (
        <Alert type="info" showIcon title="Every governed data source, including ones registered later." style={{ marginBottom: 16 }} />
      )}
      {values.scopeKind === "sources" && (
        <Form.Item name="sourceIds" label="Data sources" rules={[{ required: true, message: "Pick at least one data source" }]}>
          <SourcesSelect aria-label="Data sources" />
        </Form.Item>
      )}
      {values.scopeKind === "sourceTag" && (
        <Form.Item
          name="sourceTag"
          label="Source tag"
          extra="Sources carrying the tag or one below it (Finance covers Finance.Payroll), including ones tagged later."
          rules={[{ required: true, message: "Pick a tag" }]}
        >
          <TagSelect aria-label="Source tag" />
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
            <Input placeholder="crm" />
          </Form.Item>
        </Space>
      )}
    </Card>
  );
}

function DataPolicyBuilder({
  id,
  version,
  initial,
  deepExcept,
}: {
  id?: string;
  version?: number;
  initial: DataPolicyFormValues;
  deepExcept?: boolean;
}) {
  const [form] = Form.useForm<DataPolicyFormValues>();
  const router = useRouter();
  const { message } = App.useApp();
  const run = useApiAction();
  const [{ fetching: creating }, create] = useMutation(CreateDataPolicyMutation);
  const [{ fetching: updating }, update] = useMutation(UpdateDataPolicyMutation);
  const [unmatched, setUnmatched] = useState<ApiError["fields"]>([]);
  // `preserve`: the condition rows have no field for their own `type`; only registered fields are watched otherwise.
  const values = (Form.useWatch([], { form, preserve: true }) ?? initial) as DataPolicyFormValues;
  const definition = formToDefinition(values);
  const planInput: PlanDataPolicyChangeInput | null = definition
    ? { policyId: id ?? null, name: values.name || "Untitled data policy", definition }
    : null;

  async function save() {
    const v = form.getFieldsValue(true) as DataPolicyFormValues;
    const def = formToDefinition(v);
    if (!def) {
      message.error(missingPart(v) ?? "Complete the policy before saving");
      return;
    }
    setUnmatched([]);
    const onError = (error: ApiError) => {
      if (error.code !== "BAD_USER_INPUT" || error.fields.length === 0) return false;
      const onForm = { ...error, fields: error.fields.map((f) => ({ ...f, path: dataFormFieldOfPath(f.path) })) };
      setUnmatched(applyFieldErrors(form, onForm, DATA_POLICY_FORM_FIELDS));
      return true;
    };
    const input = { name: v.name, description: v.description ?? "", definition: def };
    const saved = id
      ? (await run(() => update({ input: { id, ...input } }), { success: "Data policy saved", onError }))?.updateDataPolicy
      : (await run(() => create({ input }), { success: "Data policy created", onError }))?.createDataPolicy;
    if (!saved) return;
    for (const w of saved.warnings) message.warning(w.message);
    router.push(`/data-policies/${saved.policy.id}`);
  }

  return (
    <>
      <PageHeader
        back={
          <Link href={id ? `/data-policies/${id}` : "/data-policies"}>
            <Space size={4} style={{ marginBottom: 8 }}>
              <ArrowLeftOutlined /> {id ? "Data policy" : "Data policies"}
            </Space>
          </Link>
        }
        title={id ? `Edit ${initial.name}` : "New data policy"}
        subtitle={
          id
            ? `Saving creates version ${(version ?? 0) + 1}; only the views it affects are rebuilt.`
            : "What users see inside the data: masked columns and hidden rows. The impact and SQL show before you save."
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={13}>
          <Form form={form} layout="vertical" initialValues={initial} onFinish={save} aria-label="Data policy" requiredMark="optional">
            <Card title="Definition" style={{ marginBottom: 16 }}>
              <Form.Item name="name" label="Name" rules={[{ required: true, message: "Give the policy a name" }, { max: 100 }]}>
                <Input placeholder="Hash e-mail addresses" />
              </Form.Item>
              <Form.Item name="description" label="Description">
                <Input.TextArea rows={2} placeholder="Why this protection exists" />
              </Form.Item>
            </Card>
            <ScopeCard values={values} />
            <Card title="What it does" style={{ marginBottom: 16 }}>
              <Form.Item name="ruleKind" label="Rule">
                <Radio.Group
                  optionType="button"
                  options={[
                    { value: "mask", label: "Mask columns" },
                    { value: "rows", label: "Filter rows" },
                  ]}
                />
              </Form.Item>
              {values.ruleKind === "rows" ? <RowFields values={values} /> : <MaskFields values={values} />}
            </Card>
            <Card title="For everyone except" style={{ marginBottom: 16 }}>
              <Form.Item name="hasExcept" valuePropName="checked" label="Exempt some users">
                <Switch aria-label="Exempt some users" />
              </Form.Item>
              {values.hasExcept &&
                (deepExcept ? (
                  <Alert
                    type="info"
                    showIcon
                    title="This condition is nested deeper than the builder edits"
                    description="Change it over the API, or switch the exemption off and on to start again."
                  />
                ) : (
                  <ConditionBuilder lead="Exempt users who match" />
                ))}
            </Card>
            {unmatched.length > 0 && (
              <Alert
                type="error"
                showIcon
                style={{ marginBottom: 16 }}
                title="The data policy was not saved"
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
                {id ? "Save new version" : "Create data policy"}
              </Button>
              <Link href={id ? `/data-policies/${id}` : "/data-policies"}>
                <Button>Cancel</Button>
              </Link>
            </Space>
          </Form>
        </Col>
        <Col xs={24} xl={11}>
          <Space orientation="vertical" size={16} style={{ width: "100%" }}>
            <DataPolicyImpact input={planInput} />
            <SeeAsUser
              note={
                definition
                  ? "Rows as the user would read them with this draft saved (nothing is written until you save)."
                  : "Rows as the user reads them now; complete the scope and the rule to see this draft applied."
              }
              draft={{ definition, ...(id ? { policyId: id } : {}) }}
            />
          </Space>
        </Col>
      </Row>
    </>
  );
}
