"use client";

import { useMemo } from "react";
import { useQuery } from "urql";
import { PolicyRefsQuery } from "./operations";
import type { Names } from "./policy-model";

/** Group, connection and purpose names for rendering definitions; ids stay visible when a name is unknown. */
export function useNames(): Names {
  const [{ data }] = useQuery({ query: PolicyRefsQuery });
  return useMemo(() => {
    const groups = new Map((data?.groups.nodes ?? []).map((g) => [g.id, g.name]));
    const connections = new Map((data?.connections ?? []).map((c) => [c.id, c.name]));
    const purposes = new Map((data?.purposes ?? []).map((p) => [p.id, p.name]));
    return {
      group: (id) => groups.get(id) ?? id,
      connection: (id) => connections.get(id) ?? id,
      purpose: (id) => purposes.get(id) ?? id,
    };
  }, [data]);
}
