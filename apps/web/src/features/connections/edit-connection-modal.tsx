"use client";

import { Form, Modal } from "antd";
import { useEffect, useState } from "react";
import { useMutation } from "urql";
import type { ConnectionDetailQuery, PlatformKind } from "@/gql/graphql";
import { applyFieldErrors } from "@/lib/form-errors";
import { useApiAction } from "@/lib/use-api-action";
import { ConnectionFields } from "./connection-fields";
import { TestConnectionMutation, UpdateConnectionMutation } from "./operations";
import {
  type ConnectionFormValues,
  formFieldNames,
  fromConfig,
  toConfig,
  toCredentials,
  usePlatformKinds,
  withoutConfigPrefix,
} from "./platform-kinds";
import { type TestResult, TestResultView } from "./test-result";

type Connection = NonNullable<ConnectionDetailQuery["connection"]>;

/** Edits a connection; the new details are tested (with the stored password unless a new one is typed) before they are saved. */
export function EditConnectionModal({
  connection,
  open,
  onClose,
  onSaved,
}: {
  connection: Connection;
  open: boolean;
  onClose: () => void;
  onSaved: () => void;
}) {
  const [form] = Form.useForm<ConnectionFormValues>();
  const fields = usePlatformKinds().info(connection.kind)?.connectionFields ?? [];
  const [test, setTest] = useState<TestResult | null>(null);
  const [{ fetching: testing }, runTest] = useMutation(TestConnectionMutation);
  const [{ fetching: saving }, update] = useMutation(UpdateConnectionMutation);
  const run = useApiAction();

  useEffect(() => {
    if (!open || !fields.length) return;
    setTest(null);
    form.setFieldsValue({
      name: connection.name,
      description: connection.description,
      ...fromConfig(fields, connection.config),
      syncIntervalMinutes: connection.syncIntervalMinutes ?? null,
      autoRegister: connection.autoRegister,
      dataOwnerIds: connection.dataOwners.map((o) => o.id),
    });
  }, [open, connection, form, fields]);

  const onError = (e: Parameters<typeof applyFieldErrors>[1]) => {
    const unmatched = applyFieldErrors(form, { ...e, fields: withoutConfigPrefix(e.fields) }, formFieldNames(fields));
    return e.fields.length > 0 && unmatched.length === 0;
  };

  async function onFinish(v: ConnectionFormValues) {
    const credentials = toCredentials(fields, v, true);
    const kind: PlatformKind = connection.kind;
    const tested = await run(() => runTest({ input: { kind, config: toConfig(fields, v), credentials, connectionId: connection.id } }), {
      onError,
    });
    if (!tested) return;
    setTest(tested.testConnection);
    if (!tested.testConnection.ok) return;
    const saved = await run(
      () =>
        update({
          input: {
            id: connection.id,
            name: v.name.trim(),
            description: v.description?.trim() ?? "",
            config: toConfig(fields, v),
            credentials,
            syncIntervalMinutes: v.syncIntervalMinutes ?? null,
            autoRegister: v.autoRegister,
            dataOwnerIds: v.dataOwnerIds ?? [],
          },
        }),
      { success: "Connection saved", onError },
    );
    if (saved) onSaved();
  }

  return (
    <Modal
      title="Edit connection"
      open={open}
      onCancel={onClose}
      okText={testing ? "Testing…" : "Test and save"}
      confirmLoading={testing || saving}
      onOk={() => form.submit()}
      destroyOnHidden
      width={760}
    >
      <Form form={form} layout="vertical" onFinish={onFinish} requiredMark="optional">
        <ConnectionFields fields={fields} editing initialOwners={connection.dataOwners} />
      </Form>
      {test && !test.ok && <TestResultView result={test} />}
    </Modal>
  );
}
