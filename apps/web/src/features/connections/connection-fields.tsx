"use client";

import { Col, Form, type FormRule, Input, InputNumber, Row, Select, Switch } from "antd";
import { useMemo, useState } from "react";
import { useQuery } from "urql";
import { DataOwnerOptionsQuery } from "./operations";
import type { ConnectionFieldInfo } from "./platform-kinds";

export type OwnerOption = { id: string; username: string; displayName: string };

function DataOwnersSelect({
  initialOwners,
  ...props
}: {
  initialOwners: readonly OwnerOption[];
  value?: string[];
  onChange?: (v: string[]) => void;
  id?: string;
}) {
  const [search, setSearch] = useState("");
  const [{ data, fetching, error }] = useQuery({ query: DataOwnerOptionsQuery, variables: { search: search || null } });
  const options = useMemo(() => {
    const byId = new Map<string, OwnerOption & { hint?: string }>(initialOwners.map((o) => [o.id, o]));
    for (const u of data?.users.nodes ?? [])
      byId.set(u.id, { ...u, hint: u.roles.includes("DATA_OWNER") ? undefined : "no Data owner role" });
    return [...byId.values()].map((u) => ({ value: u.id, label: `${u.displayName} (${u.username})${u.hint ? ` · ${u.hint}` : ""}` }));
  }, [data, initialOwners]);
  return (
    <Select
      {...props}
      mode="multiple"
      placeholder={error ? "Could not load users" : "Search users"}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      loading={fetching}
      options={options}
      notFoundContent={fetching ? "Searching…" : "No matching users"}
    />
  );
}

function rulesOf(f: ConnectionFieldInfo): FormRule[] {
  if (!f.required || f.type === "SECRET" || f.type === "BOOLEAN") return [];
  if (f.type === "STRING_LIST") return [{ required: true, type: "array", min: 1, message: `${f.label}: enter at least one value` }];
  const message = `Enter the ${f.label.toLowerCase()}`;
  // Only strings get `whitespace`: its mere presence makes the validator type-check the value as a string.
  return [f.type === "STRING" ? { required: true, whitespace: true, message } : { required: true, message }];
}

/**
 * One field's input. Form.Item injects `id`, `value` and `onChange` into its direct child, so they are
 * passed through to the antd input (the label's `for` and the form binding depend on them).
 */
function FieldInput({ field: f, editing, ...bound }: { field: ConnectionFieldInfo; editing: boolean; [prop: string]: unknown }) {
  switch (f.type) {
    case "STRING":
      return <Input {...bound} placeholder={f.placeholder ?? undefined} autoComplete="off" />;
    case "INT":
      return <InputNumber {...bound} min={f.min ?? undefined} max={f.max ?? undefined} style={{ width: "100%" }} />;
    case "SECRET":
      return <Input.Password {...bound} autoComplete="new-password" placeholder={editing ? "Unchanged" : (f.placeholder ?? "")} />;
    case "ENUM":
      return <Select {...bound} options={(f.options ?? []).map((o) => ({ value: o, label: o }))} />;
    case "STRING_LIST":
      return <Select {...bound} mode="tags" placeholder={f.placeholder ?? undefined} open={false} tokenSeparators={[",", " "]} />;
    case "BOOLEAN":
      return <Switch {...bound} />;
  }
}

/**
 * The form of a connection: generic details (name, schedule, owners…) around the fields of its
 * platform kind, rendered from the kind's field descriptors — no form code per platform.
 */
export function ConnectionFields({
  fields,
  editing = false,
  initialOwners = [],
}: {
  fields: readonly ConnectionFieldInfo[];
  editing?: boolean;
  initialOwners?: readonly OwnerOption[];
}) {
  return (
    <Row gutter={16}>
      <Col xs={24} md={12}>
        <Form.Item label="Name" name="name" rules={[{ required: true, whitespace: true, message: "Name the connection" }]}>
          <Input placeholder="e.g. Analytics warehouse" maxLength={120} />
        </Form.Item>
      </Col>
      <Col xs={24} md={12}>
        <Form.Item label="Description" name="description">
          <Input placeholder="What this platform holds" />
        </Form.Item>
      </Col>
      {fields.map((f) => (
        <Col key={f.name} xs={24} md={12}>
          <Form.Item
            label={f.label}
            name={f.name}
            rules={rulesOf(f)}
            valuePropName={f.type === "BOOLEAN" ? "checked" : undefined}
            extra={f.type === "SECRET" && editing ? "Leave empty to keep the stored value." : (f.help ?? undefined)}
          >
            <FieldInput field={f} editing={editing} />
          </Form.Item>
        </Col>
      ))}
      <Col xs={24} md={8}>
        <Form.Item label="Sync every (minutes)" name="syncIntervalMinutes" extra="Empty: only on demand or by webhook.">
          <InputNumber min={5} max={10080} style={{ width: "100%" }} placeholder="on demand" />
        </Form.Item>
      </Col>
      <Col xs={24} md={16}>
        <Form.Item label="Data owners" name="dataOwnerIds" extra="They may register, tag and manage data sources on this connection.">
          <DataOwnersSelect initialOwners={initialOwners} />
        </Form.Item>
      </Col>
      <Col xs={24} md={8}>
        <Form.Item
          label="Auto-register everything"
          name="autoRegister"
          valuePropName="checked"
          extra="Register every object the sync finds."
        >
          <Switch />
        </Form.Item>
      </Col>
    </Row>
  );
}
