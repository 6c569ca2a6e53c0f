"use client";

import { ArrowLeftOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Form, Radio, Result, Space, Spin, Steps, Typography } from "antd";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { useMutation } from "urql";
import { PageHeader } from "@/components/page-header";
import { RequireCapability } from "@/features/auth/require-capability";
import type { CreateConnectionMutation, PlatformKind } from "@/gql/graphql";
import { applyFieldErrors } from "@/lib/form-errors";
import { useApiAction } from "@/lib/use-api-action";
import { ConnectionFields } from "./connection-fields";
import { InboundWebhookInfo, webhookUrl } from "./inbound-webhook";
import { CreateConnectionMutation as CreateMutation, SyncConnectionMutation, TestConnectionMutation } from "./operations";
import {
  type ConnectionFormValues,
  fieldDefaults,
  formFieldNames,
  toConfig,
  toCredentials,
  usePlatformKinds,
  withoutConfigPrefix,
} from "./platform-kinds";
import { RegisterPanel } from "./register-panel";
import { isActive, SyncProgress, useSyncRun } from "./sync-status";
import { type TestResult, TestResultView } from "./test-result";

type Created = CreateConnectionMutation["createConnection"];
const STEPS = ["Platform", "Details", "Test", "Create", "Choose objects", "Done"] as const;
const DEFAULTS: Partial<ConnectionFormValues> = { autoRegister: false, dataOwnerIds: [] };

export function ConnectionWizardPage({ apiOrigin }: { apiOrigin: string }) {
  return (
    <RequireCapability capability="connections.manage">
      <ConnectionWizard apiOrigin={apiOrigin} />
    </RequireCapability>
  );
}

function ConnectionWizard({ apiOrigin }: { apiOrigin: string }) {
  const router = useRouter();
  const [step, setStep] = useState(0);
  const platforms = usePlatformKinds();
  const [chosen, setKind] = useState<PlatformKind | null>(null);
  // Until someone picks, the first kind that can be created (the registry's order).
  const kind = chosen ?? platforms.kinds.find((k) => k.supported)?.kind ?? null;
  const fields = (kind && platforms.info(kind)?.connectionFields) || [];
  const [form] = Form.useForm<ConnectionFormValues>();
  const [values, setValues] = useState<ConnectionFormValues | null>(null);
  const [test, setTest] = useState<TestResult | null>(null);
  const [created, setCreated] = useState<Created | null>(null);
  const [syncRunId, setSyncRunId] = useState<string | null>(null);
  const [registered, setRegistered] = useState<number | null>(null);
  const [{ fetching: testing }, runTest] = useMutation(TestConnectionMutation);
  const [{ fetching: creating }, create] = useMutation(CreateMutation);
  const [{ fetching: syncing }, sync] = useMutation(SyncConnectionMutation);
  const run = useApiAction();
  const syncRun = useSyncRun(syncRunId, created?.firstSync);

  // A kind's own fields start at its defaults (when the kinds arrive, and when another kind is chosen).
  const fieldsKey = fields.map((f) => f.name).join();
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-run per kind and field set, not per render
  useEffect(() => {
    if (fields.length) form.setFieldsValue(fieldDefaults(fields));
  }, [kind, fieldsKey, form]);

  function fieldErrors(e: Parameters<typeof applyFieldErrors>[1]): boolean {
    const unmatched = applyFieldErrors(form, { ...e, fields: withoutConfigPrefix(e.fields) }, formFieldNames(fields));
    if (e.fields.length > unmatched.length) setStep(1);
    return e.fields.length > 0 && unmatched.length === 0;
  }

  async function testWith(v: ConnectionFormValues) {
    if (!kind) return;
    setTest(null);
    const data = await run(() => runTest({ input: { kind, config: toConfig(fields, v), credentials: toCredentials(fields, v) } }), {
      onError: fieldErrors,
    });
    if (data) setTest(data.testConnection);
  }

  async function toTest() {
    const v = await form.validateFields();
    setValues(v);
    setStep(2);
    await testWith(v);
  }

  async function createConnection() {
    if (!values || !kind) return;
    const input = {
      name: values.name.trim(),
      kind,
      description: values.description?.trim() ?? "",
      config: toConfig(fields, values),
      credentials: toCredentials(fields, values),
      syncIntervalMinutes: values.syncIntervalMinutes ?? null,
      autoRegister: values.autoRegister,
      dataOwnerIds: values.dataOwnerIds ?? [],
    };
    const data = await run(() => create({ input }), { success: "Connection created", onError: fieldErrors });
    if (!data) return;
    setCreated(data.createConnection);
    setSyncRunId(data.createConnection.firstSync.id);
    setStep(3);
  }

  async function syncAgain() {
    if (!created) return;
    const data = await run(() => sync({ id: created.connection.id }), { success: "Sync queued" });
    if (data) setSyncRunId(data.syncConnection.id);
  }

  const connectionId = created?.connection.id;
  return (
    <>
      <PageHeader
        back={
          <Link href="/connections">
            <Space size={4} style={{ marginBottom: 8 }}>
              <ArrowLeftOutlined /> Connections
            </Space>
          </Link>
        }
        title="New connection"
        subtitle="Connect a data platform, check that Steward can read its catalog, then choose what to govern."
      />
      <Card>
        <Steps current={step} items={STEPS.map((title) => ({ title }))} style={{ marginBottom: 24 }} size="small" />

        {step === 0 && (
          <Space orientation="vertical" size={16}>
            <Typography.Text id="kind-label" strong>
              Platform
            </Typography.Text>
            <Radio.Group aria-labelledby="kind-label" value={kind} onChange={(e) => setKind(e.target.value as PlatformKind)}>
              <Space orientation="vertical">
                {platforms.kinds.map((k) => (
                  <Radio key={k.kind} value={k.kind} disabled={!k.supported}>
                    {k.label}
                    {!k.supported && <Typography.Text type="secondary"> — coming soon</Typography.Text>}
                  </Radio>
                ))}
              </Space>
            </Radio.Group>
            {platforms.error && <Alert type="error" showIcon title="Could not load the platform list" />}
            <Button type="primary" disabled={!fields.length} onClick={() => setStep(1)}>
              Next: details
            </Button>
          </Space>
        )}

        <div hidden={step !== 1}>
          <Form form={form} layout="vertical" initialValues={DEFAULTS} onFinish={toTest} requiredMark="optional">
            <ConnectionFields fields={fields} />
            <Space>
              <Button onClick={() => setStep(0)}>Back</Button>
              <Button type="primary" htmlType="submit">
                Next: test connection
              </Button>
            </Space>
          </Form>
        </div>

        {step === 2 && (
          <Space orientation="vertical" size={16} style={{ width: "100%" }}>
            {testing && <Spin description="Testing the connection…" />}
            {test && <TestResultView result={test} />}
            <Space>
              <Button onClick={() => setStep(1)}>Back to details</Button>
              <Button onClick={() => values && testWith(values)} loading={testing}>
                Test again
              </Button>
              <Button type="primary" disabled={!test?.ok} loading={creating} onClick={createConnection}>
                Create connection
              </Button>
            </Space>
          </Space>
        )}

        {step === 3 && created && (
          <Space orientation="vertical" size={16} style={{ width: "100%" }}>
            <Alert
              type="success"
              showIcon
              title={`Connection “${created.connection.name}” created`}
              description="Steward started crawling its catalog."
            />
            {created.warnings.map((w) => (
              <Alert key={w} type="warning" showIcon title={w} />
            ))}
            <Typography.Title level={5} style={{ margin: 0 }}>
              Inbound webhook
            </Typography.Title>
            <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
              Call it when objects change on the platform (after a migration, say) to sync at once instead of waiting for the schedule.
            </Typography.Paragraph>
            <InboundWebhookInfo url={webhookUrl(apiOrigin, created.connection.inboundWebhookPath)} secret={created.inboundSecret} />
            <Button type="primary" onClick={() => setStep(4)}>
              I have stored the secret: choose objects
            </Button>
          </Space>
        )}

        {step === 4 && connectionId && (
          <Space orientation="vertical" size={16} style={{ width: "100%" }}>
            <section aria-label="First sync">
              <Typography.Text strong>First sync: </Typography.Text>
              {syncRun ? <SyncProgress run={syncRun} /> : <Spin size="small" />}
            </section>
            {syncRun?.status === "FAILED" && (
              <Button onClick={syncAgain} loading={syncing}>
                Sync again
              </Button>
            )}
            {syncRun && isActive(syncRun) && (
              <Typography.Text type="secondary">The catalog can be browsed once the first sync has finished.</Typography.Text>
            )}
            {syncRun?.status === "SUCCEEDED" && (
              <RegisterPanel
                connectionId={connectionId}
                onRegistered={(count) => {
                  setRegistered(count);
                  setStep(5);
                }}
              />
            )}
            <Button type="link" onClick={() => setStep(5)} style={{ paddingLeft: 0 }}>
              Skip: register objects later
            </Button>
          </Space>
        )}

        {step === 5 && connectionId && (
          <Result
            status="success"
            title="Connection ready"
            subTitle={
              registered === null
                ? "Nothing registered yet: use the catalog browser on the connection page."
                : `${registered} data source${registered === 1 ? "" : "s"} registered.`
            }
            extra={[
              <Button type="primary" key="open" onClick={() => router.push(`/connections/${connectionId}`)}>
                Open connection
              </Button>,
              <Button key="sources" onClick={() => router.push(`/data-sources?connectionId=${connectionId}`)}>
                View data sources
              </Button>,
            ]}
          />
        )}
      </Card>
    </>
  );
}
