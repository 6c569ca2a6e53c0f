"use client";

import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Card, Flex, Form, Radio, Select, Space, Typography } from "antd";
import type { NamePath } from "antd/es/form/interface";
import { AttributeKeySelect, GroupSelect, PurposeSelect } from "./pickers";

const ROW_TYPES = [
  { value: "attribute", label: "Attribute" },
  { value: "group", label: "Member of group" },
  { value: "purpose", label: "Acting under purpose" },
];

function OpSwitch({ name, label }: { name: NamePath; label: string }) {
  return (
    <Form.Item name={name} noStyle>
      <Radio.Group
        aria-label={label}
        size="small"
        optionType="button"
        options={[
          { value: "and", label: "All (AND)" },
          { value: "or", label: "Any (OR)" },
        ]}
      />
    </Form.Item>
  );
}

/** One "member of group X" or "attribute K has any/all of [values]" row. `path` is where it sits in the form. */
function LeafRowFields({ rowName, path, label }: { rowName: number; path: NamePath; label: string }) {
  const form = Form.useFormInstance();
  const full = [...(Array.isArray(path) ? path : [path]), rowName];
  return (
    <Flex wrap gap={8} align="start" style={{ flex: 1, minWidth: 0 }}>
      <Form.Item name={[rowName, "type"]} noStyle>
        <Select
          aria-label={`Condition type ${label}`}
          style={{ width: 190 }}
          options={ROW_TYPES}
          showSearch={{ optionFilterProp: "label" }}
          onChange={(type: string) => form.setFieldValue(full, type === "attribute" ? { type, match: "anyOf", values: [] } : { type })}
        />
      </Form.Item>
      <Form.Item noStyle shouldUpdate>
        {() =>
          form.getFieldValue([...full, "type"]) === "group" ? (
            <Form.Item name={[rowName, "group"]} rules={[{ required: true, message: "Pick a group" }]} style={{ margin: 0 }}>
              <GroupSelect aria-label={`Group ${label}`} />
            </Form.Item>
          ) : form.getFieldValue([...full, "type"]) === "purpose" ? (
            <Form.Item name={[rowName, "purpose"]} rules={[{ required: true, message: "Pick a purpose" }]} style={{ margin: 0 }}>
              <PurposeSelect aria-label={`Purpose ${label}`} />
            </Form.Item>
          ) : (
            <>
              <Form.Item name={[rowName, "key"]} rules={[{ required: true, message: "Pick a key" }]} style={{ margin: 0 }}>
                <AttributeKeySelect aria-label={`Attribute key ${label}`} />
              </Form.Item>
              <Form.Item name={[rowName, "match"]} style={{ margin: 0 }}>
                <Select
                  aria-label={`Match ${label}`}
                  style={{ width: 120 }}
                  options={[
                    { value: "anyOf", label: "has any of" },
                    { value: "allOf", label: "has all of" },
                  ]}
                />
              </Form.Item>
              <Form.Item
                name={[rowName, "values"]}
                rules={[{ required: true, message: "Add at least one value" }]}
                style={{ margin: 0, flex: 1, minWidth: 200 }}
              >
                <Select
                  aria-label={`Values ${label}`}
                  mode="tags"
                  placeholder="Type a value, press Enter"
                  open={false}
                  tokenSeparators={[","]}
                />
              </Form.Item>
            </>
          )
        }
      </Form.Item>
    </Flex>
  );
}

/** Edits the form's `condition` field; `lead` introduces it ("Users must match", "Except users matching"). */
export function ConditionBuilder({ lead = "Users must match" }: { lead?: string }) {
  return (
    <Card size="small" role="group" aria-label="Conditions">
      <Flex align="center" gap={8} style={{ marginBottom: 12 }}>
        <Typography.Text>{lead}</Typography.Text>
        <OpSwitch name={["condition", "op"]} label="Combine conditions" />
      </Flex>
      <Form.List name={["condition", "items"]}>
        {(rows, { add, remove }) => (
          <Space orientation="vertical" style={{ width: "100%" }}>
            {rows.map((row, i) => (
              <Flex key={row.key} gap={8} align="start" justify="space-between" style={{ borderLeft: "3px solid #f0f0f0", paddingLeft: 8 }}>
                <Form.Item noStyle shouldUpdate>
                  {(form) =>
                    form.getFieldValue(["condition", "items", row.name, "type"]) === "nested" ? (
                      <Card size="small" style={{ flex: 1 }} role="group" aria-label={`Condition group ${i + 1}`}>
                        <Flex align="center" gap={8} style={{ marginBottom: 8 }}>
                          <Typography.Text type="secondary">Group {i + 1}: match</Typography.Text>
                          <OpSwitch name={[row.name, "op"]} label={`Combine group ${i + 1}`} />
                        </Flex>
                        <Form.List name={[row.name, "items"]}>
                          {(leaves, nested) => (
                            <Space orientation="vertical" style={{ width: "100%" }}>
                              {leaves.map((leaf, j) => (
                                <Flex key={leaf.key} gap={8} align="start">
                                  <LeafRowFields
                                    rowName={leaf.name}
                                    path={["condition", "items", row.name, "items"]}
                                    label={`${i + 1}.${j + 1}`}
                                  />
                                  <Button
                                    aria-label={`Remove condition ${i + 1}.${j + 1}`}
                                    icon={<DeleteOutlined />}
                                    type="text"
                                    disabled={leaves.length === 1}
                                    onClick={() => nested.remove(leaf.name)}
                                  />
                                </Flex>
                              ))}
                              <Button
                                size="small"
                                icon={<PlusOutlined />}
                                onClick={() => nested.add({ type: "attribute", match: "anyOf", values: [] })}
                              >
                                Add to group {i + 1}
                              </Button>
                            </Space>
                          )}
                        </Form.List>
                      </Card>
                    ) : (
                      <LeafRowFields rowName={row.name} path={["condition", "items"]} label={`${i + 1}`} />
                    )
                  }
                </Form.Item>
                <Button
                  aria-label={`Remove condition ${i + 1}`}
                  icon={<DeleteOutlined />}
                  type="text"
                  disabled={rows.length === 1}
                  onClick={() => remove(row.name)}
                />
              </Flex>
            ))}
            <Space>
              <Button icon={<PlusOutlined />} onClick={() => add({ type: "attribute", match: "anyOf", values: [] })}>
                Add condition
              </Button>
              <Button
                icon={<PlusOutlined />}
                onClick={() =>
                  add({ type: "nested", op: "or", items: [{ type: "group" }, { type: "attribute", match: "anyOf", values: [] }] })
                }
              >
                Add nested group
              </Button>
            </Space>
          </Space>
        )}
      </Form.List>
    </Card>
  );
}
