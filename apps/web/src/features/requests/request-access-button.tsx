"use client";

import { KeyOutlined } from "@ant-design/icons";
import { Button, Form, Input, Modal, Radio, Tooltip } from "antd";
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { applyFieldErrors } from "@/lib/form-errors";
import { useApiAction } from "@/lib/use-api-action";
import { MyAccessRequestsQuery, MySubscriptionsQuery, RequestAccessMutation } from "./operations";
import { RequestableSourceSelect } from "./requestable-source-select";

type Values = { dataSourceId: string; accessType: "READ" | "WRITE"; reason: string };

/**
 * Asks for access with a reason. With `dataSource` it is for that source (data source page header) and
 * hides itself when the viewer already has write access; without it, the viewer picks the source.
 */
export function RequestAccessButton({ dataSource, onRequested }: { dataSource?: { id: string; name: string }; onRequested?: () => void }) {
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<Values>();
  const run = useApiAction();
  const [{ fetching }, request] = useMutation(RequestAccessMutation);
  const [{ data: subs }] = useQuery({ query: MySubscriptionsQuery, pause: !dataSource });
  const [{ data: mine }] = useQuery({ query: MyAccessRequestsQuery, pause: !dataSource });
  const level = subs?.mySubscriptions.find((s) => s.dataSource.id === dataSource?.id)?.level ?? "NONE";
  const pending = mine?.myAccessRequests.some((r) => r.dataSource.id === dataSource?.id && r.status === "PENDING");
  if (dataSource && level === "WRITE") return null;
  if (dataSource && pending)
    return (
      <Tooltip title="An owner or a governor will decide; follow it on the Requests page.">
        <Button disabled icon={<KeyOutlined />}>
          Access requested
        </Button>
      </Tooltip>
    );

  async function submit(v: Values) {
    const done = await run(
      () => request({ input: { dataSourceId: dataSource?.id ?? v.dataSourceId, accessType: v.accessType, reason: v.reason } }),
      {
        success: "Request sent: the source's owners and governors have been asked",
        onError: (e) => {
          if (!e.fields.length) return false;
          applyFieldErrors(form, e, ["reason", "accessType", "dataSourceId"]);
          return true;
        },
      },
    );
    if (!done) return;
    setOpen(false);
    form.resetFields();
    onRequested?.();
  }

  return (
    <>
      <Button icon={<KeyOutlined />} type={dataSource ? "default" : "primary"} onClick={() => setOpen(true)}>
        Request access
      </Button>
      <Modal
        open={open}
        title={dataSource ? `Request access to ${dataSource.name}` : "Request access"}
        okText="Send request"
        onOk={() => form.submit()}
        confirmLoading={fetching}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          onFinish={submit}
          initialValues={{ accessType: level === "READ" ? "WRITE" : "READ" }}
          aria-label="Request access"
        >
          {!dataSource && (
            <Form.Item name="dataSourceId" label="Data source" rules={[{ required: true, message: "Pick the data source you need" }]}>
              <RequestableSourceSelect aria-label="Data source" />
            </Form.Item>
          )}
          <Form.Item name="accessType" label="Access type">
            <Radio.Group
              optionType="button"
              options={[
                { value: "READ", label: "Read", disabled: level === "READ" },
                { value: "WRITE", label: "Write" },
              ]}
            />
          </Form.Item>
          <Form.Item
            name="reason"
            label="Reason"
            rules={[{ required: true, min: 3, message: "Say why you need access (at least 3 characters)" }]}
          >
            <Input.TextArea rows={3} maxLength={2000} showCount placeholder="Quarterly revenue report for finance" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
