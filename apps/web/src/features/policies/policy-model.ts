/**
 * The builder's form shape and the mapping between it and the API's typed policy definition (the
 * generated `RestrictionInput`/`ScopeInput` for writing, the `RestrictionFields`/`ScopeFields`
 * fragments for reading). The builder edits a two-level tree (a group of rows, rows may be one nested
 * group of leaves); the engine accepts deeper trees, which the builder then shows read-only.
 */
import type {
  AccessLevel,
  AttributeMatch,
  ConditionInput,
  ConditionLeafFieldsFragment,
  ConditionLevel2FieldsFragment,
  ConditionLevel3FieldsFragment,
  ConditionTreeFieldsFragment,
  RestrictionFieldsFragment,
  RestrictionInput,
  ScopeFieldsFragment,
  ScopeInput,
} from "@/gql/graphql";

/** A condition as read through the fragments, at any of the depths they reach. */
export type ReadCondition =
  | ConditionTreeFieldsFragment
  | ConditionLevel2FieldsFragment
  | ConditionLevel3FieldsFragment
  | ConditionLeafFieldsFragment;

/** An AND/OR's children, or null at the depth where the fragments stop reading them. */
export function childrenOf(c: ReadCondition): readonly ReadCondition[] | null {
  return "conditions" in c ? c.conditions : null;
}

/** How deep the fragments read (see operations.ts). */
export const READ_DEPTH = 4;

export type RestrictionKind = keyof RestrictionInput;
export type ScopeKind = keyof ScopeInput;

const RESTRICTION_KIND_OF: Record<RestrictionFieldsFragment["__typename"], RestrictionKind> = {
  AnyoneRestriction: "anyone",
  AnyoneWhoAsksRestriction: "anyoneWhoAsks",
  ConditionsRestriction: "conditions",
  UsersRestriction: "users",
};

export const restrictionKindOf = (r: RestrictionFieldsFragment): RestrictionKind => RESTRICTION_KIND_OF[r.__typename];

const SCOPE_KIND_OF: Record<ScopeFieldsFragment["__typename"], ScopeKind> = {
  SourcesScope: "sources",
  TagScope: "tag",
  ConnectionScope: "connection",
  SchemaScope: "schema",
};

export type Op = "and" | "or";
export type LeafRow =
  | { type: "group"; group?: string }
  | { type: "purpose"; purpose?: string }
  | { type: "attribute"; key?: string; match?: AttributeMatch; values?: string[] };
export type Row = LeafRow | { type: "nested"; op: Op; items: LeafRow[] };
export type ConditionForm = { op: Op; items: Row[] };

export type PolicyFormValues = {
  name: string;
  description?: string;
  accessType: AccessLevel;
  restrictionKind: RestrictionKind;
  condition?: ConditionForm;
  userIds?: string[];
  scopeKind: ScopeKind;
  sourceIds?: string[];
  tag?: string;
  connectionId?: string;
  database?: string;
  schema?: string;
};

export const RESTRICTION_LABELS: Record<RestrictionKind, string> = {
  anyone: "Anyone",
  anyoneWhoAsks: "Anyone who asks (approved request)",
  conditions: "Users with groups, attributes or purposes",
  users: "Selected users",
};

export const SCOPE_LABELS: Record<ScopeKind, string> = {
  sources: "Data sources",
  tag: "Tag",
  connection: "Connection",
  schema: "Schema",
};

export const EMPTY_CONDITION: ConditionForm = { op: "and", items: [{ type: "attribute", match: "anyOf", values: [] }] };

function leafToCondition(row: LeafRow): ConditionInput | null {
  if (row.type === "group") return row.group ? { group: row.group } : null;
  if (row.type === "purpose") return row.purpose ? { purpose: row.purpose } : null;
  if (!row.key || !row.values?.length) return null;
  return { attribute: { key: row.key, match: row.match ?? "anyOf", values: row.values } };
}

function combine(op: Op, parts: ConditionInput[]): ConditionInput | null {
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0] ?? null;
  return op === "and" ? { and: parts } : { or: parts };
}

/** Null while a row is incomplete: the preview waits and saving reports it. */
export function formToCondition(form: ConditionForm | undefined): ConditionInput | null {
  if (!form?.items?.length) return null;
  const parts: ConditionInput[] = [];
  for (const row of form.items) {
    if (!row) return null;
    if (row.type === "nested") {
      const leaves = (row.items ?? []).map(leafToCondition);
      if (leaves.length === 0 || leaves.some((l) => l === null)) return null;
      const nested = combine(row.op, leaves as ConditionInput[]);
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

function conditionToLeaf(c: ReadCondition): LeafRow | null {
  if (c.__typename === "GroupCondition") return { type: "group", group: c.group };
  if (c.__typename === "PurposeCondition") return { type: "purpose", purpose: c.purpose };
  if (c.__typename === "AttributeCondition") return { type: "attribute", key: c.key, match: c.match, values: [...c.values] };
  return null;
}

const opOf = (c: ReadCondition): Op | null => (c.__typename === "AndCondition" ? "and" : c.__typename === "OrCondition" ? "or" : null);

/** The builder's shape, or null when the tree is deeper than the builder edits. */
export function conditionToForm(c: ReadCondition): ConditionForm | null {
  const leaf = conditionToLeaf(c);
  if (leaf) return { op: "and", items: [leaf] };
  const op = opOf(c);
  const children = childrenOf(c);
  if (!op || !children) return null;
  const items: Row[] = [];
  for (const child of children) {
    const childLeaf = conditionToLeaf(child);
    if (childLeaf) {
      items.push(childLeaf);
      continue;
    }
    const childOp = opOf(child);
    const grandchildren = childrenOf(child);
    if (!childOp || !grandchildren) return null;
    const leaves = grandchildren.map(conditionToLeaf);
    if (leaves.some((l) => l === null)) return null;
    items.push({ type: "nested", op: childOp, items: leaves as LeafRow[] });
  }
  return { op, items };
}

export function formToRestriction(v: Partial<PolicyFormValues>): RestrictionInput | null {
  switch (v.restrictionKind) {
    case "anyone":
      return { anyone: true };
    case "anyoneWhoAsks":
      return { anyoneWhoAsks: true };
    case "users":
      return v.userIds?.length ? { users: v.userIds } : null;
    case "conditions": {
      const condition = formToCondition(v.condition);
      return condition ? { conditions: condition } : null;
    }
    default:
      return null;
  }
}

export function formToScope(v: Partial<PolicyFormValues>): ScopeInput | null {
  switch (v.scopeKind) {
    case "sources":
      return v.sourceIds?.length ? { sources: v.sourceIds } : null;
    case "tag":
      return v.tag?.trim() ? { tag: v.tag.trim() } : null;
    case "connection":
      return v.connectionId ? { connection: v.connectionId } : null;
    case "schema":
      if (!v.connectionId || !v.schema?.trim()) return null;
      return { schema: { connectionId: v.connectionId, schema: v.schema.trim(), database: v.database?.trim() || null } };
    default:
      return null;
  }
}

/** Typed error paths (`input.definition.scope.sources[0]`) → the builder's field names, where it has one. */
const FORM_FIELD_OF_PATH: Record<string, string> = {
  "definition.restriction.users": "userIds",
  "definition.scope.sources": "sourceIds",
  "definition.scope.tag": "tag",
  "definition.scope.connection": "connectionId",
  "definition.scope.schema.connectionId": "connectionId",
  "definition.scope.schema.database": "database",
  "definition.scope.schema.schema": "schema",
};

export function formFieldOfPath(path: string): string {
  const bare = path.replace(/^input\./, "").replace(/\[\d+\]/g, "");
  return FORM_FIELD_OF_PATH[bare] ?? path;
}

export type ReadDefinition = {
  name: string;
  description: string;
  accessType: AccessLevel;
  restriction: RestrictionFieldsFragment;
  scope: ScopeFieldsFragment;
};

/** True when a stored condition tree is deeper than the fragments read it. */
export function truncatedCondition(r: RestrictionFieldsFragment): boolean {
  return r.__typename === "ConditionsRestriction" && r.depth > READ_DEPTH;
}

export function definitionToForm(p: ReadDefinition): { values: PolicyFormValues; editableCondition: boolean } {
  const r = p.restriction;
  const s = p.scope;
  const condition = r.__typename === "ConditionsRestriction" && !truncatedCondition(r) ? conditionToForm(r.condition) : null;
  return {
    editableCondition: r.__typename !== "ConditionsRestriction" || condition !== null,
    values: {
      name: p.name,
      description: p.description,
      accessType: p.accessType,
      restrictionKind: RESTRICTION_KIND_OF[r.__typename],
      condition: condition ?? EMPTY_CONDITION,
      userIds: r.__typename === "UsersRestriction" ? [...r.userIds] : [],
      scopeKind: SCOPE_KIND_OF[s.__typename],
      sourceIds: s.__typename === "SourcesScope" ? [...s.sourceIds] : [],
      tag: s.__typename === "TagScope" ? s.tag : undefined,
      connectionId: s.__typename === "ConnectionScope" || s.__typename === "SchemaScope" ? s.connectionId : undefined,
      database: s.__typename === "SchemaScope" ? (s.database ?? undefined) : undefined,
      schema: s.__typename === "SchemaScope" ? s.schema : undefined,
    },
  };
}

/** Resolves ids to names where known; unknown ids are shown as they are. */
export type Names = { group: (id: string) => string; connection: (id: string) => string; purpose: (id: string) => string };

export const RAW_NAMES: Names = { group: (id) => id, connection: (id) => id, purpose: (id) => id };

export function describeCondition(c: ReadCondition, names: Names, nested = false): string {
  switch (c.__typename) {
    case "GroupCondition":
      return `member of ${names.group(c.group)}`;
    case "PurposeCondition":
      return `acting under purpose ${names.purpose(c.purpose)}`;
    case "AttributeCondition":
      return `${c.key} has ${c.match === "allOf" ? "all of" : "any of"} [${c.values.join(", ")}]`;
    case "AndCondition":
    case "OrCondition": {
      const children = childrenOf(c);
      if (!children) return "(…)";
      const text = children.map((x) => describeCondition(x, names, true)).join(c.__typename === "AndCondition" ? " AND " : " OR ");
      return nested ? `(${text})` : text;
    }
  }
}

export function describeRestriction(r: RestrictionFieldsFragment, names: Names = RAW_NAMES): string {
  switch (r.__typename) {
    case "AnyoneRestriction":
      return "Anyone";
    case "AnyoneWhoAsksRestriction":
      return "Anyone who asks and is approved";
    case "UsersRestriction":
      return `${r.userIds.length} selected user${r.userIds.length === 1 ? "" : "s"}`;
    case "ConditionsRestriction":
      return describeCondition(r.condition, names);
  }
}

export function describeScope(s: ScopeFieldsFragment, names: Names = RAW_NAMES): string {
  switch (s.__typename) {
    case "SourcesScope":
      return `${s.sourceIds.length} data source${s.sourceIds.length === 1 ? "" : "s"}`;
    case "TagScope":
      return `Tagged ${s.tag}`;
    case "ConnectionScope":
      return `All of ${names.connection(s.connectionId)}`;
    case "SchemaScope":
      return `Schema ${s.database ? `${s.database}.` : ""}${s.schema} in ${names.connection(s.connectionId)}`;
  }
}
