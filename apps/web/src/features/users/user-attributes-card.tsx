"use client";

import { App, AutoComplete, Button, Card, Form, Select, Space, Table, Tag, Typography } from "antd";
import { useMutation } from "urql";
import { applyFieldErrors } from "@/lib/form-errors";
import { useApiAction } from "@/lib/use-api-action";
import { RemoveUserAttributeMutation, SetUserAttributeMutation } from "./operations";
import type { UserDetail } from "./user-detail";

type Values = { key: string; values: string[] };

/** Attributes drive attribute-based policies: one key, many values (e.g. region = eu, us). */
export function UserAttributesCard({
  user,
  knownKeys,
  canManage,
  onChanged,
}: {
  user: UserDetail;
  knownKeys: readonly string[];
  canManage: boolean;
  onChanged: () => void;
}) {
  const { modal } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [{ fetching }, setAttribute] = useMutation(SetUserAttributeMutation);
  const [, removeAttribute] = useMutation(RemoveUserAttributeMutation);
  const run = useApiAction();
  const existing = new Set(user.attributes.map((a) => a.key));

  async function onFinish(values: Values) {
    const key = values.key.trim();
    const data = await run(() => setAttribute({ input: { userId: user.id, key, values: values.values } }), {
      success: `Attribute ${key} ${existing.has(key) ? "updated" : "added"}`,
      onError: (e) => applyFieldErrors(form, e, ["key", "values"]).length === 0 && e.fields.length > 0,
    });
    if (data) {
      form.resetFields();
      onChanged();
    }
  }

  function confirmRemove(key: string) {
    modal.confirm({
      title: `Remove attribute ${key}?`,
      content: "Policies that match on this attribute will no longer apply to this user.",
      okText: "Remove",
      okButtonProps: { danger: true },
      onOk: () => run(() => removeAttribute({ userId: user.id, key }), { success: `Attribute ${key} removed` }).then(onChanged),
    });
  }

  return (
    <Card title="Attributes">
      <Table
        size="small"
        rowKey="key"
        pagination={false}
        dataSource={user.attributes}
        locale={{ emptyText: "No attributes. Attributes such as department or region let policies target people by who they are." }}
        columns={[
          { title: "Key", dataIndex: "key", render: (k: string) => <Typography.Text code>{k}</Typography.Text> },
          {
            title: "Values",
            dataIndex: "values",
            render: (values: string[]) => (
              <Space size={[4, 4]} wrap>
                {values.map((v) => (
                  <Tag key={v}>{v}</Tag>
                ))}
              </Space>
            ),
          },
          ...(canManage
            ? [
                {
                  title: <span className="sr-only">Actions</span>,
                  key: "actions",
                  width: 150,
                  render: (_: unknown, a: UserDetail["attributes"][number]) => (
                    <Space size={0}>
                      <Button
                        type="link"
                        size="small"
                        aria-label={`Edit attribute ${a.key}`}
                        onClick={() => form.setFieldsValue({ key: a.key, values: a.values })}
                      >
                        Edit
                      </Button>
                      <Button type="link" size="small" danger aria-label={`Remove attribute ${a.key}`} onClick={() => confirmRemove(a.key)}>
                        Remove
                      </Button>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      {canManage && (
        <Form form={form} layout="vertical" onFinish={onFinish} style={{ marginTop: 16 }}>
          <Space align="start" wrap style={{ width: "100%" }}>
            <Form.Item
              label="Attribute key"
              name="key"
              rules={[{ required: true, whitespace: true, message: "Enter a key" }]}
              style={{ minWidth: 180 }}
            >
              <AutoComplete
                placeholder="e.g. department"
                options={knownKeys.map((k) => ({ value: k }))}
                showSearch={{
                  filterOption: (input, option) => (option?.value ?? "").toString().toLowerCase().includes(input.toLowerCase()),
                }}
              />
            </Form.Item>
            <Form.Item
              label="Values"
              name="values"
              rules={[{ required: true, type: "array", min: 1, message: "Add at least one value" }]}
              extra="Type a value and press Enter; setting a key replaces its values."
              style={{ minWidth: 260 }}
            >
              <Select mode="tags" placeholder="e.g. finance" tokenSeparators={[","]} />
            </Form.Item>
            <Form.Item label=" ">
              <Button type="primary" htmlType="submit" loading={fetching}>
                Set attribute
              </Button>
            </Form.Item>
          </Space>
        </Form>
      )}
    </Card>
  );
}
