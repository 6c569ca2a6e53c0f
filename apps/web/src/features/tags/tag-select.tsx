"use client";

import { PlusOutlined } from "@ant-design/icons";
import { Button, Select, Space, Tooltip } from "antd";
import { useMemo, useState } from "react";
import { useQuery } from "urql";
import { TagsQuery } from "./operations";
import { isValidTag, TAG_HINT } from "./tag-syntax";

/**
 * Adds a tag: pick an existing one or type a new name (tags are created by using them). The name is
 * checked against the tag syntax before it is sent.
 */
export function AddTag({ label, exclude, onAdd }: { label: string; exclude: readonly string[]; onAdd: (tag: string) => Promise<unknown> }) {
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState("");
  const [busy, setBusy] = useState(false);
  const [{ data, fetching }] = useQuery({ query: TagsQuery, variables: { search: search || null }, pause: !open });
  const typed = search.trim();
  const invalid = typed.length > 0 && !isValidTag(typed);
  const options = useMemo(() => {
    const existing = (data?.tags ?? []).map((t) => t.name).filter((n) => !exclude.includes(n));
    const extra =
      typed && !invalid && !existing.includes(typed) && !exclude.includes(typed) ? [{ value: typed, label: `Create “${typed}”` }] : [];
    return [...extra, ...existing.map((n) => ({ value: n, label: n }))];
  }, [data, exclude, typed, invalid]);

  async function add(tag: string) {
    if (!isValidTag(tag)) return;
    setBusy(true);
    await onAdd(tag.trim());
    setBusy(false);
    setSearch("");
    setOpen(false);
  }

  if (!open) {
    return (
      <Button size="small" type="dashed" icon={<PlusOutlined />} aria-label={label} onClick={() => setOpen(true)}>
        Tag
      </Button>
    );
  }
  return (
    <Space size={4}>
      <Tooltip title={invalid ? TAG_HINT : undefined} open={invalid}>
        <Select
          autoFocus
          defaultOpen
          aria-label={label}
          size="small"
          style={{ width: 220 }}
          status={invalid ? "error" : undefined}
          placeholder="PII.Email"
          loading={fetching || busy}
          disabled={busy}
          showSearch={{ filterOption: false, onSearch: setSearch, searchValue: search }}
          options={options}
          notFoundContent={invalid ? TAG_HINT : fetching ? "Loading tags…" : "Type a tag name"}
          onSelect={(v: string) => void add(v)}
          onInputKeyDown={(e) => {
            // Enter on free text with no option highlighted still adds it.
            if (e.key === "Enter" && typed && !invalid && options.length === 0) void add(typed);
          }}
          onBlur={() => !busy && setOpen(false)}
        />
      </Tooltip>
    </Space>
  );
}
