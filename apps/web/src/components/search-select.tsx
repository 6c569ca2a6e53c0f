"use client";

import { Select } from "antd";
import { type CSSProperties, useEffect, useState } from "react";

export type SelectOption = { value: string; label: string };

/** A remote search for the current text. It is a hook: pass the same function on every render. */
export type UseOptionSearch = (search: string) => { options: SelectOption[]; fetching: boolean };

type Common = {
  useSearch: UseOptionSearch;
  id?: string;
  "aria-label"?: string;
  placeholder?: string;
  /** Shown when the search finds nothing. */
  noMatch: string;
  style?: CSSProperties;
  allowClear?: boolean;
  /** Labels for selected ids the current search does not return (e.g. a saved form's values). */
  knownLabels?: Readonly<Record<string, string>>;
  /** Ids never offered, e.g. a group's current members. */
  exclude?: ReadonlySet<string>;
};
type SingleProps = Common & {
  mode?: undefined;
  value?: string;
  /** `label` is the chosen option's name, for messages such as "Added to …". */
  onChange?: (value: string | undefined, label?: string) => void;
};
type MultipleProps = Common & { mode: "multiple"; value?: string[]; onChange?: (value: string[]) => void };

/**
 * The one picker over a server-side search (users, groups, sources, tags…): the server filters, the
 * typed text is cleared once a choice is made, and ids chosen earlier keep their names after the
 * search has moved on.
 */
export function SearchSelect(props: SingleProps | MultipleProps) {
  const { useSearch, knownLabels, exclude, noMatch, ...rest } = props;
  const [search, setSearch] = useState("");
  const { options, fetching } = useSearch(search);
  const [seen, setSeen] = useState<Record<string, string>>({});
  useEffect(() => {
    if (options.some((o) => seen[o.value] !== o.label))
      setSeen((c) => ({ ...c, ...Object.fromEntries(options.map((o) => [o.value, o.label])) }));
  }, [options, seen]);

  const selected = props.value === undefined ? [] : Array.isArray(props.value) ? props.value : [props.value];
  const offered = exclude ? options.filter((o) => !exclude.has(o.value)) : options;
  const offeredIds = new Set(offered.map((o) => o.value));
  const shown = [
    ...offered,
    ...selected.filter((id) => !offeredIds.has(id)).map((id) => ({ value: id, label: knownLabels?.[id] ?? seen[id] ?? id })),
  ];

  return (
    <Select
      {...rest}
      mode={props.mode}
      value={props.value as never}
      onChange={(v: never) => {
        const label = typeof v === "string" ? shown.find((o) => o.value === v)?.label : undefined;
        (props.onChange as ((value: unknown, label?: string) => void) | undefined)?.(v, label);
        setSearch("");
      }}
      loading={fetching}
      showSearch={{ filterOption: false, onSearch: setSearch, searchValue: search }}
      options={shown}
      notFoundContent={fetching ? "Searching…" : noMatch}
    />
  );
}
