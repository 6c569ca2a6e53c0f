"use client";

import { Alert, Checkbox, Form, Input, InputNumber, Radio, Select, Space, Typography } from "antd";
import { AttributeKeySelect, TagSelect } from "@/features/policies/pickers";
import { type DataPolicyFormValues, MASK_LABELS, ROW_LABELS, WHERE_MACROS } from "./data-policy-model";

const labelled = (labels: Record<string, string>) => Object.entries(labels).map(([value, label]) => ({ value, label }));

function MacroHelp() {
  return (
    <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: 0 }}>
      SQL over the source's columns, parsed and validated (never pasted into the view). Macros:
      <ul style={{ margin: "4px 0 0", paddingLeft: 18 }}>
        {WHERE_MACROS.map((m) => (
          <li key={m.macro}>
            <Typography.Text code>{m.macro}</Typography.Text> {m.meaning}
          </li>
        ))}
      </ul>
    </Typography.Paragraph>
  );
}

/** Kind-specific fields of a mask: which columns, which mask, optionally only in some rows. */
export function MaskFields({ values }: { values: DataPolicyFormValues }) {
  return (
    <>
      <Form.Item name="columnsKind" label="Columns">
        <Radio.Group
          optionType="button"
          options={[
            { value: "tagged", label: "Tagged" },
            { value: "names", label: "By name" },
          ]}
        />
      </Form.Item>
      {values.columnsKind === "tagged" ? (
        <Form.Item
          name="columnTag"
          label="Column tag"
          extra="Covers the tag and its descendants (PII covers PII.Email), including columns tagged later."
          rules={[{ required: true, message: "Pick a column tag" }]}
        >
          <TagSelect aria-label="Column tag" />
        </Form.Item>
      ) : (
        <Form.Item
          name="columnNames"
          label="Column names"
          extra="A local mask: beats any tag-based mask on the same column."
          rules={[{ required: true, message: "Name at least one column" }]}
        >
          <Select aria-label="Column names" mode="tags" open={false} tokenSeparators={[","]} placeholder="email, phone" />
        </Form.Item>
      )}
      <Form.Item name="maskKind" label="Mask">
        <Select aria-label="Mask" options={labelled(MASK_LABELS)} style={{ maxWidth: 320 }} showSearch={{ optionFilterProp: "label" }} />
      </Form.Item>
      {values.maskKind === "constant" && (
        <Form.Item name="constant" label="Constant" rules={[{ required: true, message: "Give the constant (it may be empty)" }]}>
          <Input placeholder="REDACTED" />
        </Form.Item>
      )}
      {values.maskKind === "regexReplace" && (
        <Space wrap align="start">
          <Form.Item name="pattern" label="Pattern" rules={[{ required: true, message: "Give a regular expression" }]}>
            <Input placeholder="^[^@]+" style={{ width: 240 }} />
          </Form.Item>
          <Form.Item name="replacement" label="Replacement">
            <Input placeholder="***" style={{ width: 200 }} />
          </Form.Item>
        </Space>
      )}
      {values.maskKind === "roundNumber" && (
        <Form.Item name="bucket" label="Bucket size" extra="Numbers round down to a multiple of it." rules={[{ required: true }]}>
          <InputNumber aria-label="Bucket size" placeholder="1000" />
        </Form.Item>
      )}
      {values.maskKind === "roundDate" && (
        <Form.Item name="dateUnit" label="Truncate to" rules={[{ required: true, message: "Pick month or year" }]}>
          <Radio.Group
            optionType="button"
            options={[
              { value: "month", label: "Month" },
              { value: "year", label: "Year" },
            ]}
          />
        </Form.Item>
      )}
      {values.maskKind === "showLast" && (
        <Form.Item name="showLast" label="Characters shown" extra="The others become *." rules={[{ required: true }]}>
          <InputNumber aria-label="Characters shown" min={0} placeholder="4" />
        </Form.Item>
      )}
      {(values.maskKind === "hash" || values.maskKind === "regexReplace" || values.maskKind === "showLast") && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          title="Columns whose type does not fit the mask get an explicit fallback (e.g. NULL for a hash on a number); the preview names it."
        />
      )}
      <Form.Item name="conditional" valuePropName="checked">
        <Checkbox>Mask only in rows matching a condition</Checkbox>
      </Form.Item>
      {values.conditional && (
        <Form.Item
          name="when"
          label="Where (row condition)"
          extra={<MacroHelp />}
          rules={[{ required: true, message: "Write the row condition" }]}
        >
          <Input.TextArea rows={2} placeholder="region = 'EU'" style={{ fontFamily: "monospace" }} />
        </Form.Item>
      )}
    </>
  );
}

/** Kind-specific fields of a row rule. */
export function RowFields({ values }: { values: DataPolicyFormValues }) {
  const needsColumn = values.rowKind !== "where";
  return (
    <>
      <Form.Item name="rowKind" label="Rows shown">
        <Select aria-label="Row rule" options={labelled(ROW_LABELS)} style={{ maxWidth: 320 }} showSearch={{ optionFilterProp: "label" }} />
      </Form.Item>
      {needsColumn && (
        <Form.Item
          name="rowColumn"
          label={values.rowKind === "timeWindow" ? "Event-time column" : values.rowKind === "minimize" ? "Key column" : "Column"}
          rules={[{ required: true, message: "Name the column" }]}
        >
          <Input placeholder={values.rowKind === "timeWindow" ? "occurred_at" : "region"} style={{ maxWidth: 320 }} />
        </Form.Item>
      )}
      {values.rowKind === "matchAttribute" && (
        <Form.Item
          name="rowAttribute"
          label="User attribute"
          extra="Rows whose column equals one of the user's values of this attribute."
          rules={[{ required: true, message: "Pick an attribute" }]}
        >
          <AttributeKeySelect aria-label="User attribute" />
        </Form.Item>
      )}
      {values.rowKind === "matchGroups" && (
        <Typography.Paragraph type="secondary">Rows whose column equals the name of one of the user's groups.</Typography.Paragraph>
      )}
      {values.rowKind === "where" && (
        <Form.Item name="whereSql" label="WHERE" extra={<MacroHelp />} rules={[{ required: true, message: "Write the condition" }]}>
          <Input.TextArea
            rows={3}
            placeholder="region = 'EU' OR @groupsContains('finance')"
            style={{ fontFamily: "monospace" }}
            aria-label="WHERE"
          />
        </Form.Item>
      )}
      {values.rowKind === "timeWindow" && (
        <Form.Item name="days" label="Last N days" rules={[{ required: true, message: "Give the number of days" }]}>
          <InputNumber aria-label="Last N days" min={1} placeholder="90" />
        </Form.Item>
      )}
      {values.rowKind === "minimize" && (
        <Form.Item
          name="percent"
          label="Sample (%)"
          extra="Deterministic: the same rows every time, chosen by hashing the key column."
          rules={[{ required: true, message: "Give the percentage" }]}
        >
          <InputNumber aria-label="Sample (%)" min={0} max={100} placeholder="10" />
        </Form.Item>
      )}
    </>
  );
}
