"use client";

import { Select } from "antd";
import { useEffect, useMemo, useState } from "react";
import { useClient, useQuery } from "urql";
import { SearchSelect } from "@/components/search-select";
import { TagsQuery } from "@/features/tags/operations";
import { useGroupSearch, useUserSearch } from "@/features/users/option-searches";
import { AttributeKeysQuery, PolicyRefsQuery, SourceNameQuery, SourceNamesQuery, UserNameQuery } from "./operations";

type SelectProps<V> = { value?: V; onChange?: (value: V) => void; id?: string; "aria-label": string };

/**
 * Names for ids a saved policy already holds (editing), fetched one by one, once each; ids picked
 * in this session are named by the picker itself.
 */
function useResolvedNames(ids: readonly string[] | undefined, kind: "source" | "user") {
  const client = useClient();
  const [names, setNames] = useState<Record<string, string>>({});
  const [asked] = useState(() => new Set<string>());
  const missing = (ids ?? []).filter((id) => !asked.has(id)).join(",");
  useEffect(() => {
    if (!missing) return;
    for (const id of missing.split(",")) {
      asked.add(id);
      const named = (name: string) => setNames((n) => ({ ...n, [id]: name }));
      if (kind === "source") {
        void client
          .query(SourceNameQuery, { id })
          .toPromise()
          .then((r) => named(r.data?.dataSource?.name ?? id));
      } else {
        void client
          .query(UserNameQuery, { id })
          .toPromise()
          .then((r) => named(r.data?.user ? `${r.data.user.displayName} (${r.data.user.username})` : id));
      }
    }
  }, [missing, client, kind, asked]);
  return names;
}

function useSourceSearch(search: string) {
  const [{ data, fetching }] = useQuery({ query: SourceNamesQuery, variables: { search: search || null } });
  const options = useMemo(() => (data?.dataSources.nodes ?? []).map((s) => ({ value: s.id, label: s.name })), [data]);
  return { options, fetching };
}

function useTagSearch(search: string) {
  const [{ data, fetching }] = useQuery({ query: TagsQuery, variables: { search: search || null } });
  const options = useMemo(() => (data?.tags ?? []).map((t) => ({ value: t.name, label: t.name })), [data]);
  return { options, fetching };
}

export function SourcesSelect({ value, onChange, id, "aria-label": label }: SelectProps<string[]>) {
  const names = useResolvedNames(value, "source");
  return (
    <SearchSelect
      id={id}
      aria-label={label}
      mode="multiple"
      value={value}
      onChange={(v) => onChange?.(v)}
      placeholder="Search data sources by name"
      useSearch={useSourceSearch}
      knownLabels={names}
      noMatch="No matching data source"
    />
  );
}

export function UsersSelect({ value, onChange, id, "aria-label": label }: SelectProps<string[]>) {
  const names = useResolvedNames(value, "user");
  return (
    <SearchSelect
      id={id}
      aria-label={label}
      mode="multiple"
      value={value}
      onChange={(v) => onChange?.(v)}
      placeholder="Search users"
      useSearch={useUserSearch}
      knownLabels={names}
      noMatch="No matching user"
    />
  );
}

export function GroupSelect({ value, onChange, id, "aria-label": label }: SelectProps<string>) {
  const [{ data: refs }] = useQuery({ query: PolicyRefsQuery });
  const known = useMemo(() => Object.fromEntries((refs?.groups.nodes ?? []).map((g) => [g.id, g.name])), [refs]);
  return (
    <SearchSelect
      id={id}
      aria-label={label}
      value={value}
      onChange={(v) => v !== undefined && onChange?.(v)}
      placeholder="Pick a group"
      style={{ minWidth: 220 }}
      useSearch={useGroupSearch}
      knownLabels={known}
      noMatch="No matching group"
    />
  );
}

export function AttributeKeySelect({ value, onChange, id, "aria-label": label }: SelectProps<string>) {
  const [{ data, fetching }] = useQuery({ query: AttributeKeysQuery });
  const options = (data?.attributeKeys ?? []).map((k) => ({ value: k, label: k }));
  return (
    <Select
      id={id}
      aria-label={label}
      value={value}
      onChange={onChange}
      placeholder="Attribute key"
      loading={fetching}
      style={{ minWidth: 180 }}
      showSearch
      options={value && !options.some((o) => o.value === value) ? [...options, { value, label: value }] : options}
      notFoundContent={fetching ? "Loading keys…" : "No attribute keys in use yet"}
    />
  );
}

export function TagSelect({ value, onChange, id, "aria-label": label }: SelectProps<string>) {
  return (
    <SearchSelect
      id={id}
      aria-label={label}
      value={value}
      onChange={(v) => v !== undefined && onChange?.(v)}
      placeholder="PII"
      useSearch={useTagSearch}
      noMatch="No matching tag"
    />
  );
}

export function PurposeSelect({ value, onChange, id, "aria-label": label }: SelectProps<string>) {
  const [{ data, fetching }] = useQuery({ query: PolicyRefsQuery });
  return (
    <Select
      id={id}
      aria-label={label}
      value={value}
      onChange={onChange}
      placeholder="Pick a purpose"
      loading={fetching}
      style={{ minWidth: 220 }}
      showSearch={{ optionFilterProp: "label" }}
      options={(data?.purposes ?? []).map((p) => ({ value: p.id, label: p.name }))}
      notFoundContent={fetching ? "Loading purposes…" : "No purposes defined yet"}
    />
  );
}

/** One data source (the multiple picker's search, single choice). */
export function SourceSelect({ value, onChange, id, "aria-label": label }: SelectProps<string>) {
  const names = useResolvedNames(value ? [value] : [], "source");
  return (
    <SearchSelect
      id={id}
      aria-label={label}
      value={value}
      onChange={(v) => v !== undefined && onChange?.(v)}
      placeholder="Search data sources by name"
      style={{ minWidth: 260 }}
      useSearch={useSourceSearch}
      knownLabels={names}
      noMatch="No matching data source"
    />
  );
}

/** One user (single choice), e.g. "see as user". */
export function UserSelect({ value, onChange, id, "aria-label": label }: SelectProps<string>) {
  const names = useResolvedNames(value ? [value] : [], "user");
  return (
    <SearchSelect
      id={id}
      aria-label={label}
      value={value}
      onChange={(v) => v !== undefined && onChange?.(v)}
      placeholder="Search users"
      style={{ minWidth: 220 }}
      useSearch={useUserSearch}
      knownLabels={names}
      noMatch="No matching user"
    />
  );
}

export function ConnectionSelect({ value, onChange, id, "aria-label": label }: SelectProps<string>) {
  const [{ data, fetching }] = useQuery({ query: PolicyRefsQuery });
  return (
    <Select
      id={id}
      aria-label={label}
      value={value}
      onChange={onChange}
      placeholder="Pick a connection"
      loading={fetching}
      showSearch={{ optionFilterProp: "label" }}
      options={(data?.connections ?? []).map((c) => ({ value: c.id, label: c.name }))}
    />
  );
}
