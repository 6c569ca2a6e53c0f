"use client";

import { Select } from "antd";
import { useEffect, useMemo, useState } from "react";
import { useClient, useQuery } from "urql";
import { TagsQuery } from "@/features/tags/operations";
import { GroupOptionsQuery, UserOptionsQuery } from "@/features/users/operations";
import { AttributeKeysQuery, PolicyRefsQuery, SourceNameQuery, SourceNamesQuery, UserNameQuery } from "./operations";

type Option = { value: string; label: string };
type SelectProps<V> = { value?: V; onChange?: (value: V) => void; id?: string; "aria-label": string };

/** Remembers labels of options seen so far, so selected ids keep their names after the search moves on. */
function useLabelCache(options: Option[]) {
  const [cache, setCache] = useState<Record<string, string>>({});
  useEffect(() => {
    if (options.some((o) => cache[o.value] !== o.label))
      setCache((c) => ({ ...c, ...Object.fromEntries(options.map((o) => [o.value, o.label])) }));
  }, [options, cache]);
  return [cache, setCache] as const;
}

/** Names for ids a saved policy already holds (editing), fetched one by one. */
function useResolveIds(
  ids: readonly string[] | undefined,
  cache: Record<string, string>,
  add: (entries: Record<string, string>) => void,
  kind: "source" | "user",
) {
  const client = useClient();
  const missing = (ids ?? []).filter((id) => !(id in cache)).join(",");
  useEffect(() => {
    if (!missing) return;
    for (const id of missing.split(",")) {
      if (kind === "source") {
        void client
          .query(SourceNameQuery, { id })
          .toPromise()
          .then((r) => add({ [id]: r.data?.dataSource?.name ?? id }));
      } else {
        void client
          .query(UserNameQuery, { id })
          .toPromise()
          .then((r) => add({ [id]: r.data?.user ? `${r.data.user.displayName} (${r.data.user.username})` : id }));
      }
    }
  }, [missing, client, kind, add]);
}

function withSelected(options: Option[], selected: readonly string[] | undefined, cache: Record<string, string>): Option[] {
  const seen = new Set(options.map((o) => o.value));
  const extra = (selected ?? []).filter((id) => !seen.has(id)).map((id) => ({ value: id, label: cache[id] ?? id }));
  return [...options, ...extra];
}

export function SourcesSelect({ value, onChange, id, "aria-label": label }: SelectProps<string[]>) {
  const [search, setSearch] = useState("");
  const [{ data, fetching }] = useQuery({ query: SourceNamesQuery, variables: { search: search || null } });
  const options = useMemo(() => (data?.dataSources.nodes ?? []).map((s) => ({ value: s.id, label: s.name })), [data]);
  const [cache, setCache] = useLabelCache(options);
  const add = useMemo(() => (e: Record<string, string>) => setCache((c) => ({ ...c, ...e })), [setCache]);
  useResolveIds(value, cache, add, "source");
  return (
    <Select
      id={id}
      aria-label={label}
      mode="multiple"
      value={value}
      onChange={(v: string[]) => {
        onChange?.(v);
        setSearch("");
      }}
      placeholder="Search data sources by name"
      loading={fetching}
      showSearch={{ filterOption: false, onSearch: setSearch, searchValue: search }}
      options={withSelected(options, value, cache)}
      notFoundContent={fetching ? "Searching…" : "No matching data source"}
    />
  );
}

export function UsersSelect({ value, onChange, id, "aria-label": label }: SelectProps<string[]>) {
  const [search, setSearch] = useState("");
  const [{ data, fetching }] = useQuery({ query: UserOptionsQuery, variables: { search: search || null } });
  const options = useMemo(() => (data?.users.nodes ?? []).map((u) => ({ value: u.id, label: `${u.displayName} (${u.username})` })), [data]);
  const [cache, setCache] = useLabelCache(options);
  const add = useMemo(() => (e: Record<string, string>) => setCache((c) => ({ ...c, ...e })), [setCache]);
  useResolveIds(value, cache, add, "user");
  return (
    <Select
      id={id}
      aria-label={label}
      mode="multiple"
      value={value}
      onChange={(v: string[]) => {
        onChange?.(v);
        setSearch("");
      }}
      placeholder="Search users"
      loading={fetching}
      showSearch={{ filterOption: false, onSearch: setSearch, searchValue: search }}
      options={withSelected(options, value, cache)}
      notFoundContent={fetching ? "Searching…" : "No matching user"}
    />
  );
}

export function GroupSelect({ value, onChange, id, "aria-label": label }: SelectProps<string>) {
  const [search, setSearch] = useState("");
  const [{ data, fetching }] = useQuery({ query: GroupOptionsQuery, variables: { search: search || null } });
  const [{ data: refs }] = useQuery({ query: PolicyRefsQuery });
  const options = useMemo(() => (data?.groups.nodes ?? []).map((g) => ({ value: g.id, label: g.name })), [data]);
  const known = Object.fromEntries((refs?.groups.nodes ?? []).map((g) => [g.id, g.name]));
  return (
    <Select
      id={id}
      aria-label={label}
      value={value}
      onChange={onChange}
      placeholder="Pick a group"
      loading={fetching}
      style={{ minWidth: 220 }}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      options={withSelected(options, value ? [value] : [], known)}
      notFoundContent={fetching ? "Searching…" : "No matching group"}
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
      options={withSelected(options, value ? [value] : [], {})}
      notFoundContent={fetching ? "Loading keys…" : "No attribute keys in use yet"}
    />
  );
}

export function TagSelect({ value, onChange, id, "aria-label": label }: SelectProps<string>) {
  const [search, setSearch] = useState("");
  const [{ data, fetching }] = useQuery({ query: TagsQuery, variables: { search: search || null } });
  const options = (data?.tags ?? []).map((t) => ({ value: t.name, label: t.name }));
  return (
    <Select
      id={id}
      aria-label={label}
      value={value}
      onChange={onChange}
      placeholder="PII"
      loading={fetching}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      options={withSelected(options, value ? [value] : [], {})}
      notFoundContent={fetching ? "Searching…" : "No matching tag"}
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
