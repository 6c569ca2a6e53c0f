"use client";

import { Button, Form, Input, Segmented, Select, Space } from "antd";
import { useQuery } from "urql";
import { usePlatformKinds } from "@/features/connections/platform-kinds";
import type { DecisionRecordsFilter } from "@/gql/graphql";
import { QueryAuditConnectionsQuery } from "./operations";

type Result = "ALL" | "ALLOWED" | "DENIED";
type Values = { connectionId?: string; user?: string; result?: Result; operation?: string; text?: string };

/** Operations Trino's access control asks about most; any other name can be typed. */
const COMMON_OPERATIONS = [
  "ExecuteQuery",
  "SelectFromColumns",
  "FilterTables",
  "FilterColumns",
  "ShowTables",
  "InsertIntoTable",
  "DeleteFromTable",
  "CreateTable",
  "DropTable",
];

export function toDecisionFilter(values: Values): DecisionRecordsFilter {
  return {
    connectionId: values.connectionId || null,
    // The platform user is matched exactly, as the platform sent it: no trimming inside.
    user: values.user?.trim() || null,
    allowed: values.result === "ALLOWED" ? true : values.result === "DENIED" ? false : null,
    operation: values.operation?.trim() || null,
    text: values.text?.trim() || null,
  };
}

export function QueryAuditFilters({ onChange }: { onChange: (filter: DecisionRecordsFilter) => void }) {
  const [form] = Form.useForm<Values>();
  const platforms = usePlatformKinds();
  const [{ data }] = useQuery({ query: QueryAuditConnectionsQuery });
  const connections = (data?.connections ?? []).filter((c) => platforms.info(c.kind)?.capabilities.decisions);

  return (
    <Form
      form={form}
      layout="inline"
      initialValues={{ result: "ALL" }}
      onFinish={(v) => onChange(toDecisionFilter(v))}
      style={{ rowGap: 12, marginBottom: 16 }}
    >
      <Form.Item label="Connection" name="connectionId">
        <Select
          allowClear
          placeholder="Any"
          aria-label="Connection"
          options={connections.map((c) => ({ value: c.id, label: c.name }))}
          style={{ width: 200 }}
        />
      </Form.Item>
      <Form.Item label="User" name="user" tooltip="The platform user exactly as the platform named it.">
        <Input placeholder="e.g. alice" allowClear style={{ width: 160 }} />
      </Form.Item>
      <Form.Item label="Result" name="result">
        <Segmented<Result>
          options={[
            { value: "ALL", label: "All" },
            { value: "ALLOWED", label: "Allowed" },
            { value: "DENIED", label: "Denied" },
          ]}
        />
      </Form.Item>
      <Form.Item label="Operation" name="operation">
        <Select
          allowClear
          showSearch
          placeholder="Any"
          aria-label="Operation"
          options={COMMON_OPERATIONS.map((o) => ({ value: o, label: o }))}
          style={{ width: 190 }}
        />
      </Form.Item>
      <Form.Item label="Search" name="text" tooltip="Words in the resource or the reason (case-insensitive).">
        <Input placeholder="table, policy, group…" allowClear style={{ width: 200 }} />
      </Form.Item>
      <Form.Item>
        <Space>
          <Button type="primary" htmlType="submit">
            Apply filters
          </Button>
          <Button
            onClick={() => {
              form.resetFields();
              onChange({});
            }}
          >
            Reset
          </Button>
        </Space>
      </Form.Item>
    </Form>
  );
}
