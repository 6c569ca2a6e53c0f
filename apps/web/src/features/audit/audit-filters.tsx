"use client";

import { Button, DatePicker, Form, Input, Select, Space } from "antd";
import type { Dayjs } from "dayjs";
import { SearchSelect } from "@/components/search-select";
import { useDirectoryUserSearch } from "@/features/users/option-searches";
import type { AuditEventsFilter } from "@/gql/graphql";

type Values = {
  actorId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
};

const TARGET_TYPES = ["User", "Group", "ApiKey", "WebhookEndpoint", "WebhookDelivery"];

/** A trailing "." or "*" means "every action starting with": user.* → actionPrefix "user.". */
export function toAuditFilter(values: Values): AuditEventsFilter {
  const action = values.action?.trim() ?? "";
  const isPrefix = action.endsWith(".") || action.endsWith("*");
  const [from, to] = values.range ?? [null, null];
  return {
    actorId: values.actorId || null,
    action: action && !isPrefix ? action : null,
    actionPrefix: action && isPrefix ? action.replace(/\*$/, "") : null,
    targetType: values.targetType?.trim() || null,
    targetId: values.targetId?.trim() || null,
    from: from ? from.startOf("day").toISOString() : null,
    to: to ? to.endOf("day").toISOString() : null,
  };
}

export function AuditFilters({ onChange }: { onChange: (filter: AuditEventsFilter) => void }) {
  const [form] = Form.useForm<Values>();

  return (
    <Form form={form} layout="inline" onFinish={(v) => onChange(toAuditFilter(v))} style={{ rowGap: 12, marginBottom: 16 }}>
      <Form.Item label="Actor" name="actorId">
        <SearchSelect
          allowClear
          placeholder="Anyone"
          useSearch={useDirectoryUserSearch}
          noMatch="No matching user"
          style={{ width: 220 }}
        />
      </Form.Item>
      <Form.Item label="Action" name="action" tooltip="An exact action such as user.created, or a prefix ending in . or * such as group.">
        <Input placeholder="e.g. user.created or group." allowClear style={{ width: 210 }} />
      </Form.Item>
      <Form.Item label="Target type" name="targetType">
        <Select allowClear placeholder="Any" options={TARGET_TYPES.map((t) => ({ value: t, label: t }))} style={{ width: 170 }} />
      </Form.Item>
      <Form.Item label="Target ID" name="targetId">
        <Input placeholder="UUID" allowClear style={{ width: 200 }} />
      </Form.Item>
      <Form.Item label="Date range" name="range">
        <DatePicker.RangePicker allowEmpty={[true, true]} />
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
