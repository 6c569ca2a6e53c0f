"use client";

import { Select } from "antd";
import { useState } from "react";
import { useQuery } from "urql";
import { RequestableDataSourcesQuery } from "./operations";

/** Any active data source by name: open to every signed-in user (the catalog pages are for owners). */
export function RequestableSourceSelect({
  value,
  onChange,
  id,
  "aria-label": label,
  style,
}: {
  value?: string;
  onChange?: (id: string, name: string) => void;
  id?: string;
  "aria-label": string;
  style?: React.CSSProperties;
}) {
  const [search, setSearch] = useState("");
  const [{ data, fetching }] = useQuery({ query: RequestableDataSourcesQuery, variables: { search: search || null } });
  return (
    <Select
      id={id}
      aria-label={label}
      value={value}
      style={style}
      onChange={(v: string, option) => onChange?.(v, Array.isArray(option) ? "" : String(option?.title ?? ""))}
      placeholder="Search data sources by name"
      loading={fetching}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      options={(data?.requestableDataSources ?? []).map((s) => ({
        value: s.id,
        title: s.name,
        label: s.name,
        connection: s.connectionName,
      }))}
      optionRender={(o) => (
        <span>
          {o.data.label} <span style={{ color: "#8c8c8c" }}>· {o.data.connection}</span>
        </span>
      )}
      notFoundContent={fetching ? "Searching…" : "No matching data source"}
    />
  );
}
