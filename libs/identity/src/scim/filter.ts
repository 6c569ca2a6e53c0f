import type { Prisma } from "@steward/db";
import { type Filter, parse } from "scim2-parse-filter";
import { invalidFilter } from "./errors";
import { GROUP_SCHEMA, type ResourceKind, USER_SCHEMA } from "./schemas";

/** Filters longer than this are refused before parsing (IdPs send one short comparison). */
export const MAX_FILTER_LENGTH = 1000;
const MAX_DEPTH = 10;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type StringField = { kind: "string"; caseExact: boolean; column: string };
type FieldSpec = StringField | { kind: "id" } | { kind: "active" } | { kind: "members" };

/** Which SCIM attribute paths a filter may name, per resource type, and the column each reads. */
const USER_FIELDS: Record<string, FieldSpec> = {
  id: { kind: "id" },
  username: { kind: "string", caseExact: false, column: "scimUserName" },
  externalid: { kind: "string", caseExact: true, column: "externalId" },
  displayname: { kind: "string", caseExact: false, column: "displayName" },
  emails: { kind: "string", caseExact: false, column: "email" },
  "emails.value": { kind: "string", caseExact: false, column: "email" },
  active: { kind: "active" },
};
const GROUP_FIELDS: Record<string, FieldSpec> = {
  id: { kind: "id" },
  displayname: { kind: "string", caseExact: false, column: "name" },
  externalid: { kind: "string", caseExact: true, column: "externalId" },
  members: { kind: "members" },
  "members.value": { kind: "members" },
};

export type FilterWhere<K extends ResourceKind> = K extends "User" ? Prisma.UserWhereInput : Prisma.GroupWhereInput;

/** Parses a SCIM filter with scim2-parse-filter; syntax errors become `invalidFilter`. */
export function parseFilter(text: string): Filter {
  if (text.length > MAX_FILTER_LENGTH) throw invalidFilter(`The filter is longer than ${MAX_FILTER_LENGTH} characters`);
  try {
    return parse(text);
  } catch (err) {
    throw invalidFilter(`The filter is not valid SCIM filter syntax: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function fieldOf(kind: ResourceKind, attrPath: string): FieldSpec {
  const schema = kind === "User" ? USER_SCHEMA : GROUP_SCHEMA;
  const bare = attrPath.toLowerCase().startsWith(`${schema.toLowerCase()}:`) ? attrPath.slice(schema.length + 1) : attrPath;
  const spec = (kind === "User" ? USER_FIELDS : GROUP_FIELDS)[bare.toLowerCase()];
  if (!spec) {
    const allowed = Object.keys(kind === "User" ? USER_FIELDS : GROUP_FIELDS).join(", ");
    throw invalidFilter(`Filtering ${kind}s on '${attrPath}' is not supported (supported: ${allowed})`);
  }
  return spec;
}

function stringCondition(spec: StringField, op: string, value: unknown): Prisma.StringNullableFilter {
  if (typeof value !== "string") throw invalidFilter(`'${op}' on a string attribute needs a quoted string value`);
  const mode = spec.caseExact ? {} : { mode: "insensitive" as const };
  switch (op) {
    case "eq":
      return { equals: value, ...mode };
    case "ne":
      return { not: value, ...mode };
    case "co":
      return { contains: value, ...mode };
    case "sw":
      return { startsWith: value, ...mode };
    case "ew":
      return { endsWith: value, ...mode };
    case "gt":
      return { gt: value, ...mode };
    case "ge":
      return { gte: value, ...mode };
    case "lt":
      return { lt: value, ...mode };
    case "le":
      return { lte: value, ...mode };
    default:
      throw invalidFilter(`Unknown operator '${op}'`);
  }
}

function compare(kind: ResourceKind, attrPath: string, op: string, value: unknown): Record<string, unknown> {
  const spec = fieldOf(kind, attrPath);
  switch (spec.kind) {
    case "string":
      if (op === "pr") return { [spec.column]: { not: null } };
      if (op === "ne") return { OR: [{ [spec.column]: stringCondition(spec, op, value) }, { [spec.column]: null }] };
      return { [spec.column]: stringCondition(spec, op, value) };
    case "id":
      if (op === "pr") return {};
      if (op !== "eq" && op !== "ne") throw invalidFilter("'id' supports only eq, ne and pr");
      if (typeof value !== "string") throw invalidFilter("'id' is compared with a quoted string");
      // An id that is not a UUID matches nothing (and is not sent to the database as one).
      if (!UUID.test(value)) return op === "eq" ? { id: { in: [] } } : {};
      return op === "eq" ? { id: value } : { id: { not: value } };
    case "active":
      if (op === "pr") return {};
      if (op !== "eq" && op !== "ne") throw invalidFilter("'active' supports only eq, ne and pr");
      if (typeof value !== "boolean") throw invalidFilter("'active' is compared with true or false");
      return { status: (op === "eq") === value ? "ACTIVE" : "DEACTIVATED" };
    case "members":
      if (op === "pr") return { members: { some: {} } };
      if (op !== "eq") throw invalidFilter("'members' supports only eq and pr");
      if (typeof value !== "string") throw invalidFilter("'members' is compared with a quoted user id");
      if (!UUID.test(value)) return { id: { in: [] } };
      return { members: { some: { userId: value } } };
  }
}

function toWhere(kind: ResourceKind, f: Filter, depth: number): Record<string, unknown> {
  if (depth > MAX_DEPTH) throw invalidFilter(`The filter nests deeper than ${MAX_DEPTH} levels`);
  switch (f.op) {
    case "and":
    case "or": {
      const parts = (f as { filters: Filter[] }).filters.map((x) => toWhere(kind, x, depth + 1));
      return f.op === "and" ? { AND: parts } : { OR: parts };
    }
    case "not":
      return { NOT: toWhere(kind, (f as { filter: Filter }).filter, depth + 1) };
    case "[]": {
      // Only `emails[value …]` / `members[value …]`: the sub-filter must name the value itself.
      const vp = f as { attrPath: string; valFilter: Filter };
      const rewrite = (g: Filter): Filter => {
        if ("filters" in g) return { ...g, filters: g.filters.map(rewrite) } as Filter;
        if ("filter" in g) return { ...g, filter: rewrite(g.filter) } as Filter;
        if ("attrPath" in g && g.op !== "[]") return { ...g, attrPath: `${vp.attrPath}.${g.attrPath}` } as Filter;
        throw invalidFilter("Nested value filters are not supported");
      };
      return toWhere(kind, rewrite(vp.valFilter), depth + 1);
    }
    case "pr":
      return compare(kind, (f as { attrPath: string }).attrPath, "pr", null);
    default: {
      const c = f as { op: string; attrPath: string; compValue: unknown };
      return compare(kind, c.attrPath, c.op, c.compValue);
    }
  }
}

/** Turns a SCIM filter into a Prisma `where` (parameterised: nothing in the filter reaches SQL as text). */
export function filterToWhere<K extends ResourceKind>(kind: K, text: string): FilterWhere<K> {
  return toWhere(kind, parseFilter(text), 0) as FilterWhere<K>;
}
