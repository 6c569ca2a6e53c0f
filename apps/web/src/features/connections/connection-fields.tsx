"use client";

import { Col, Form, Input, InputNumber, Row, Select, Switch } from "antd";
import { useMemo, useState } from "react";
import { useQuery } from "urql";
import { DataOwnerOptionsQuery } from "./operations";

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

/** Details of a PostgreSQL-compatible connection; used by the wizard and the edit dialog. */
export function ConnectionFields({ editing = false, initialOwners = [] }: { editing?: boolean; initialOwners?: readonly OwnerOption[] }) {
  return (
    <>
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
        <Col xs={24} md={16}>
          <Form.Item label="Host" name="host" rules={[{ required: true, whitespace: true, message: "Enter the host name or IP address" }]}>
            <Input placeholder="db.internal.example.com" autoComplete="off" />
          </Form.Item>
        </Col>
        <Col xs={24} md={8}>
          <Form.Item label="Port" name="port" rules={[{ required: true, message: "Enter the port" }]}>
            <InputNumber min={1} max={65535} style={{ width: "100%" }} />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item label="User" name="user" rules={[{ required: true, whitespace: true, message: "Enter the user Steward connects as" }]}>
            <Input autoComplete="off" />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item
            label="Password"
            name="password"
            extra={editing ? "Leave empty to keep the stored password." : "Stored encrypted; never shown again."}
          >
            <Input.Password autoComplete="new-password" placeholder={editing ? "Unchanged" : ""} />
          </Form.Item>
        </Col>
        <Col xs={24} md={16}>
          <Form.Item
            label="Databases"
            name="databases"
            rules={[{ required: true, type: "array", min: 1, message: "Name at least one database" }]}
            extra="Type a database name and press Enter."
          >
            <Select mode="tags" placeholder="analytics" open={false} tokenSeparators={[",", " "]} />
          </Form.Item>
        </Col>
        <Col xs={24} md={8}>
          <Form.Item label="SSL mode" name="sslMode">
            <Select
              options={[
                { value: "disable", label: "disable" },
                { value: "require", label: "require" },
                { value: "verify-full", label: "verify-full" },
              ]}
            />
          </Form.Item>
        </Col>
        <Col xs={24} md={16}>
          <Form.Item label="Excluded schemas" name="excludeSchemas" extra="System schemas are always skipped.">
            <Select mode="tags" placeholder="none" open={false} tokenSeparators={[",", " "]} />
          </Form.Item>
        </Col>
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
    </>
  );
}
