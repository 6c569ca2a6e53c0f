"use client";

import { DeleteOutlined, IdcardOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Card, Empty, Flex, Form, Input, Space, Typography } from "antd";
import { useEffect } from "react";
import { useMutation, useQuery } from "urql";
import { QueryError } from "@/components/query-error";
import { useApiAction } from "@/lib/use-api-action";
import { ScimAttributeMappingsQuery, SetScimAttributeMappingsMutation } from "./operations";

type Row = { scimPath: string; attributeKey: string };
type Values = { mappings: Row[] };

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/**
 * SCIM provisioning for admins: where identity providers connect, and which SCIM attributes become
 * Steward user attributes (policies read them like any other). The mapping is saved as a whole.
 */
export function ScimMappingCard() {
  const [form] = Form.useForm<Values>();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ScimAttributeMappingsQuery });
  const [{ fetching: saving }, save] = useMutation(SetScimAttributeMappingsMutation);
  const run = useApiAction();
  const refresh = () => reexecute({ requestPolicy: "network-only" });

  useEffect(() => {
    if (data)
      form.setFieldsValue({ mappings: data.scimAttributeMappings.map(({ scimPath, attributeKey }) => ({ scimPath, attributeKey })) });
  }, [data, form]);

  async function onFinish(values: Values) {
    const mappings = (values.mappings ?? []).map((m) => ({ scimPath: m.scimPath.trim(), attributeKey: m.attributeKey.trim() }));
    const saved = await run(() => save({ mappings }), {
      success: "SCIM attribute mapping saved",
      onError: (e) => {
        // Issues name their row: "mappings.2.attributeKey".
        const fields = e.fields.flatMap((f) => {
          const m = /^mappings\.(\d+)\.(scimPath|attributeKey)$/.exec(f.path);
          return m ? [{ name: ["mappings", Number(m[1]), m[2] as keyof Row] as ["mappings", number, keyof Row], errors: [f.message] }] : [];
        });
        form.setFields(fields);
        return false;
      },
    });
    if (saved)
      form.setFieldsValue({ mappings: saved.setScimAttributeMappings.map(({ scimPath, attributeKey }) => ({ scimPath, attributeKey })) });
  }

  return (
    <Card
      title={
        <span>
          <IdcardOutlined /> SCIM provisioning
        </span>
      }
    >
      <Typography.Paragraph type="secondary">
        Identity providers (Okta, Microsoft Entra ID) create, group and deactivate users at the API's{" "}
        <Typography.Text code>/scim/v2</Typography.Text> with a SCIM key: create one under Settings → My API keys, “Used for: SCIM
        provisioning”. Below, map SCIM attributes to Steward user attributes; a mapping change applies to SCIM writes from then on.
      </Typography.Paragraph>
      {error && <QueryError error={error} onRetry={refresh} />}
      <Form form={form} onFinish={onFinish} disabled={fetching} aria-label="SCIM attribute mapping">
        <Form.List name="mappings">
          {(rows, { add, remove }) => (
            <Space orientation="vertical" style={{ width: "100%" }}>
              {rows.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="No SCIM attributes are mapped." />}
              {rows.map((row, i) => (
                <Flex key={row.key} gap={8} align="start">
                  <Form.Item
                    name={[row.name, "scimPath"]}
                    style={{ flex: 2, marginBottom: 0 }}
                    rules={[{ required: true, whitespace: true, message: "Enter a SCIM attribute path" }]}
                  >
                    <Input aria-label={`SCIM attribute ${i + 1}`} placeholder={`e.g. ${ENTERPRISE}:department`} />
                  </Form.Item>
                  <Typography.Text style={{ lineHeight: "32px" }}>→</Typography.Text>
                  <Form.Item
                    name={[row.name, "attributeKey"]}
                    style={{ flex: 1, marginBottom: 0 }}
                    rules={[{ required: true, whitespace: true, message: "Enter a Steward attribute key" }]}
                  >
                    <Input aria-label={`Steward attribute ${i + 1}`} placeholder="e.g. department" />
                  </Form.Item>
                  <Button
                    type="text"
                    danger
                    icon={<DeleteOutlined />}
                    aria-label={`Remove mapping ${i + 1}`}
                    onClick={() => remove(row.name)}
                  />
                </Flex>
              ))}
              <Flex gap={8}>
                <Button icon={<PlusOutlined />} onClick={() => add({ scimPath: "", attributeKey: "" })}>
                  Add mapping
                </Button>
                <Button type="primary" htmlType="submit" loading={saving}>
                  Save mapping
                </Button>
              </Flex>
            </Space>
          )}
        </Form.List>
      </Form>
    </Card>
  );
}
