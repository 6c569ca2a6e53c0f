/**
 * The policy engine's restriction/scope JSON (docs/policy-engine.md) and the builder's form shape.
 * The builder edits a two-level tree (a group of rows, rows may be one nested group of leaves); the
 * engine accepts deeper trees, which the builder then shows read-only.
 */
import type { AccessLevel } from "@/gql/graphql";

export type Condition =
  | { kind: "group"; group: string }
  | { kind: "attribute"; key: string; match: "anyOf" | "allOf"; values: string[] }
  | { kind: "and" | "or"; conditions: Condition[] };

export type Restriction =
  | { kind: "anyone" }
  | { kind: "anyoneWhoAsks" }
  | { kind: "users"; userIds: string[] }
  | { kind: "conditions"; condition: Condition };

export type Scope =
  | { kind: "sources"; sourceIds: string[] }
  | { kind: "tag"; tag: string }
  | { kind: "connection"; connectionId: string }
  | { kind: "schema"; connectionId: string; database?: string; schema: string };

export type Op = "and" | "or";
export type LeafRow = { type: "group"; group?: string } | { type: "attribute"; key?: string; match?: "anyOf" | "allOf"; values?: string[] };
export type Row = LeafRow | { type: "nested"; op: Op; items: LeafRow[] };
export type ConditionForm = { op: Op; items: Row[] };

export type PolicyFormValues = {
  name: string;
  description?: string;
  accessType: AccessLevel;
  restrictionKind: Restriction["kind"];
  condition?: ConditionForm;
  userIds?: string[];
  scopeKind: Scope["kind"];
  sourceIds?: string[];
  tag?: string;
  connectionId?: string;
  database?: string;
  schema?: string;
};

export const RESTRICTION_LABELS: Record<Restriction["kind"], string> = {
  anyone: "Anyone",
  anyoneWhoAsks: "Anyone who asks (approved request)",
  conditions: "Users with groups or attributes",
  users: "Selected users",
};

export const SCOPE_LABELS: Record<Scope["kind"], string> = {
  sources: "Data sources",
  tag: "Tag",
  connection: "Connection",
  schema: "Schema",
};

export const EMPTY_CONDITION: ConditionForm = { op: "and", items: [{ type: "attribute", match: "anyOf", values: [] }] };

function leafToCondition(row: LeafRow): Condition | null {
  if (row.type === "group") return row.group ? { kind: "group", group: row.group } : null;
  if (!row.key || !row.values?.length) return null;
  return { kind: "attribute", key: row.key, match: row.match ?? "anyOf", values: row.values };
}

function combine(op: Op, parts: Condition[]): Condition | null {
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0] ?? null;
  return { kind: op, conditions: parts };
}

/** Null while a row is incomplete: the preview waits and saving reports it. */
export function formToCondition(form: ConditionForm | undefined): Condition | null {
  if (!form?.items?.length) return null;
  const parts: Condition[] = [];
  for (const row of form.items) {
    if (!row) return null;
    if (row.type === "nested") {
      const leaves = (row.items ?? []).map(leafToCondition);
      if (leaves.length === 0 || leaves.some((l) => l === null)) return null;
      const nested = combine(row.op, leaves as Condition[]);
      if (!nested) return null;
      parts.push(nested);
    } else {
      const leaf = leafToCondition(row);
      if (!leaf) return null;
      parts.push(leaf);
    }
  }
  return combine(form.op, parts);
}

function conditionToLeaf(c: Condition): LeafRow | null {
  if (c.kind === "group") return { type: "group", group: c.group };
  if (c.kind === "attribute") return { type: "attribute", key: c.key, match: c.match, values: c.values };
  return null;
}

/** The builder's shape, or null when the tree is deeper than the builder edits. */
export function conditionToForm(c: Condition): ConditionForm | null {
  const leaf = conditionToLeaf(c);
  if (leaf) return { op: "and", items: [leaf] };
  if (c.kind !== "and" && c.kind !== "or") return null;
  const items: Row[] = [];
  for (const child of c.conditions) {
    const childLeaf = conditionToLeaf(child);
    if (childLeaf) {
      items.push(childLeaf);
      continue;
    }
    if (child.kind !== "and" && child.kind !== "or") return null;
    const leaves = child.conditions.map(conditionToLeaf);
    if (leaves.some((l) => l === null)) return null;
    items.push({ type: "nested", op: child.kind, items: leaves as LeafRow[] });
  }
  return { op: c.kind, items };
}

export function formToRestriction(v: Partial<PolicyFormValues>): Restriction | null {
  switch (v.restrictionKind) {
    case "anyone":
    case "anyoneWhoAsks":
      return { kind: v.restrictionKind };
    case "users":
      return v.userIds?.length ? { kind: "users", userIds: v.userIds } : null;
    case "conditions": {
      const condition = formToCondition(v.condition);
      return condition ? { kind: "conditions", condition } : null;
    }
    default:
      return null;
  }
}

export function formToScope(v: Partial<PolicyFormValues>): Scope | null {
  switch (v.scopeKind) {
    case "sources":
      return v.sourceIds?.length ? { kind: "sources", sourceIds: v.sourceIds } : null;
    case "tag":
      return v.tag?.trim() ? { kind: "tag", tag: v.tag.trim() } : null;
    case "connection":
      return v.connectionId ? { kind: "connection", connectionId: v.connectionId } : null;
    case "schema":
      if (!v.connectionId || !v.schema?.trim()) return null;
      return {
        kind: "schema",
        connectionId: v.connectionId,
        schema: v.schema.trim(),
        ...(v.database?.trim() ? { database: v.database.trim() } : {}),
      };
    default:
      return null;
  }
}

export function definitionToForm(p: { name: string; description: string; accessType: AccessLevel; restriction: unknown; scope: unknown }): {
  values: PolicyFormValues;
  editableCondition: boolean;
} {
  const r = p.restriction as Restriction;
  const s = p.scope as Scope;
  const condition = r.kind === "conditions" ? conditionToForm(r.condition) : null;
  return {
    editableCondition: r.kind !== "conditions" || condition !== null,
    values: {
      name: p.name,
      description: p.description,
      accessType: p.accessType,
      restrictionKind: r.kind,
      condition: condition ?? EMPTY_CONDITION,
      userIds: r.kind === "users" ? r.userIds : [],
      scopeKind: s.kind,
      sourceIds: s.kind === "sources" ? s.sourceIds : [],
      tag: s.kind === "tag" ? s.tag : undefined,
      connectionId: s.kind === "connection" || s.kind === "schema" ? s.connectionId : undefined,
      database: s.kind === "schema" ? s.database : undefined,
      schema: s.kind === "schema" ? s.schema : undefined,
    },
  };
}

/** Resolves ids to names where known; unknown ids are shown as they are. */
export type Names = { group: (id: string) => string; connection: (id: string) => string };

export const RAW_NAMES: Names = { group: (id) => id, connection: (id) => id };

export function describeCondition(c: Condition, names: Names, nested = false): string {
  switch (c.kind) {
    case "group":
      return `member of ${names.group(c.group)}`;
    case "attribute":
      return `${c.key} has ${c.match === "allOf" ? "all of" : "any of"} [${c.values.join(", ")}]`;
    case "and":
    case "or": {
      const text = c.conditions.map((x) => describeCondition(x, names, true)).join(c.kind === "and" ? " AND " : " OR ");
      return nested ? `(${text})` : text;
    }
  }
}

export function describeRestriction(restriction: unknown, names: Names = RAW_NAMES): string {
  const r = restriction as Restriction;
  switch (r.kind) {
    case "anyone":
      return "Anyone";
    case "anyoneWhoAsks":
      return "Anyone who asks and is approved";
    case "users":
      return `${r.userIds.length} selected user${r.userIds.length === 1 ? "" : "s"}`;
    case "conditions":
      return describeCondition(r.condition, names);
    default:
      return "Unknown restriction";
  }
}

export function describeScope(scope: unknown, names: Names = RAW_NAMES): string {
  const s = scope as Scope;
  switch (s.kind) {
    case "sources":
      return `${s.sourceIds.length} data source${s.sourceIds.length === 1 ? "" : "s"}`;
    case "tag":
      return `Tagged ${s.tag}`;
    case "connection":
      return `All of ${names.connection(s.connectionId)}`;
    case "schema":
      return `Schema ${s.database ? `${s.database}.` : ""}${s.schema} in ${names.connection(s.connectionId)}`;
    default:
      return "Unknown scope";
  }
}
