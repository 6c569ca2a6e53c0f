"use client";

import { Form, Input, Modal, Select } from "antd";
import { useEffect } from "react";
import { useMutation } from "urql";
import { applyFieldErrors } from "@/lib/form-errors";
import { useApiAction } from "@/lib/use-api-action";
import { CreateWebhookEndpointMutation, UpdateWebhookEndpointMutation } from "./operations";

type Values = { url: string; description?: string; eventTypes: string[] };
export type EditableEndpoint = { id: string; url: string; description: string; eventTypes: string[] };
const FIELDS = ["url", "description", "eventTypes"] as const;

export const ALL_EVENTS = "*";

/** Create (no `endpoint`; reports the one-time secret) or edit an endpoint. */
export function EndpointFormModal({
  open,
  endpoint,
  eventTypes,
  onClose,
  onCreated,
  onSaved,
}: {
  open: boolean;
  endpoint?: EditableEndpoint | null;
  eventTypes: readonly string[];
  onClose: () => void;
  onCreated?: (secret: string, id: string) => void;
  onSaved?: () => void;
}) {
  const [form] = Form.useForm<Values>();
  const [{ fetching: creating }, create] = useMutation(CreateWebhookEndpointMutation);
  const [{ fetching: updating }, update] = useMutation(UpdateWebhookEndpointMutation);
  const run = useApiAction();

  useEffect(() => {
    if (open)
      form.setFieldsValue(
        endpoint
          ? { url: endpoint.url, description: endpoint.description, eventTypes: endpoint.eventTypes }
          : { url: "", description: "", eventTypes: [] },
      );
  }, [open, endpoint, form]);

  async function onFinish(values: Values) {
    const onError = (e: Parameters<typeof applyFieldErrors>[1]) => applyFieldErrors(form, e, FIELDS).length === 0 && e.fields.length > 0;
    const input = { url: values.url.trim(), description: values.description?.trim() ?? "", eventTypes: values.eventTypes };
    if (endpoint) {
      if (await run(() => update({ input: { id: endpoint.id, ...input } }), { success: "Endpoint saved", onError })) onSaved?.();
      return;
    }
    const data = await run(() => create({ input }), { success: "Endpoint created", onError });
    if (data) onCreated?.(data.createWebhookEndpoint.secret, data.createWebhookEndpoint.endpoint.id);
  }

  return (
    <Modal
      title={endpoint ? "Edit webhook endpoint" : "Add webhook endpoint"}
      open={open}
      onCancel={onClose}
      okText={endpoint ? "Save" : "Add endpoint"}
      confirmLoading={creating || updating}
      onOk={() => form.submit()}
      destroyOnHidden
      width={560}
    >
      <Form form={form} layout="vertical" onFinish={onFinish}>
        <Form.Item
          label="Endpoint URL"
          name="url"
          rules={[
            { required: true, message: "Enter the URL Steward should POST events to" },
            { type: "url", message: "Enter an absolute http(s) URL" },
          ]}
        >
          <Input placeholder="https://example.com/hooks/steward" />
        </Form.Item>
        <Form.Item label="Description" name="description">
          <Input placeholder="What receives these events" />
        </Form.Item>
        <Form.Item
          label="Event types"
          name="eventTypes"
          rules={[{ required: true, type: "array", min: 1, message: "Subscribe to at least one event type" }]}
          extra="Choose “All events” to also receive event types added in later releases."
        >
          <Select
            mode="multiple"
            placeholder="Choose event types"
            options={[
              { value: ALL_EVENTS, label: "All events (*)" },
              ...eventTypes.filter((t) => t !== ALL_EVENTS).map((t) => ({ value: t, label: t })),
            ]}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
