/**
 * Row filters and column masks for one request: the data policies' spec of the source (resolved by
 * libs/policy, compiled to Trino SQL by ../policy-expressions.ts) for the caller's profile.
 *
 * Who gets what:
 * - Steward admins and Steward's own user: no filter, no mask.
 * - unregistered objects or sources without a data policy: none.
 * - a user without READ on the table: none (Trino denies the read before it asks for filters).
 * - a user Steward cannot compile for (unknown and denied, or a managed account without a profile):
 *   fail closed — every row hidden, every governed column NULL.
 */
import type { PolicyViewSpec, ProfileRow } from "@steward/policy";
import type { AccessObject } from "../../access-types";
import type { DecisionAnswer } from "../../decisions";
import { trinoColumnMask, trinoRowFilter } from "../policy-expressions";
import { isPrivileged, PERMISSION_BIT, type Principal, type TrinoIndex, tablePermissions } from "./index";
import { badRequest, describeResource, record } from "./records";
import {
  batchColumnMasksResponse,
  type ColumnRef,
  columnMaskResponse,
  type OpaInput,
  rowFiltersResponse,
  type ViewExpression,
} from "./wire";

const HIDE_ALL_ROWS: ViewExpression = { expression: "false" };
const NULL_MASK: ViewExpression = { expression: "NULL" };

type Applicable =
  | { kind: "none"; why: string }
  | { kind: "failClosed"; why: string }
  | { kind: "compile"; spec: PolicyViewSpec; profile: ProfileRow };

/** Which data policies apply to this principal on this table. */
function applicable(index: TrinoIndex, p: Principal | null, catalog: string, schema: string, table: string): Applicable {
  const name = `${catalog}.${schema}.${table}`;
  if (p === null) return { kind: "failClosed", why: "user not known to Steward" };
  if (isPrivileged(p)) return { kind: "none", why: `${p.account} is a Steward admin: no data policies` };
  const { bits, object } = tablePermissions(index, p, catalog, schema, table);
  const spec = specOf(index, object);
  if (object === undefined || spec === undefined) return { kind: "none", why: `no data policy on ${name}` };
  if ((bits & PERMISSION_BIT.READ) === 0) return { kind: "none", why: `${p.account} may not read ${name} (Trino denies the read first)` };
  if (p.profile === null) return { kind: "failClosed", why: `no data-policy profile for ${p.account}` };
  return { kind: "compile", spec, profile: p.profile };
}

const specOf = (index: TrinoIndex, object: AccessObject | undefined) => (object === undefined ? undefined : index.views.get(object.id));

export function answerRowFilters(index: TrinoIndex, p: Principal | null, input: OpaInput): DecisionAnswer {
  const t = input.action.resource?.table;
  if (t === undefined) return badRequest("GetRowFilters needs resource.table", input);
  const a = applicable(index, p, t.catalogName, t.schemaName, t.tableName);
  const resource = describeResource(input.action.resource);
  if (a.kind === "none") return { status: 200, body: rowFiltersResponse([]), records: [record(input, p, true, a.why, [], resource)] };
  if (a.kind === "failClosed") {
    return {
      status: 200,
      body: rowFiltersResponse([HIDE_ALL_ROWS]),
      records: [record(input, p, true, `every row hidden: ${a.why}`, [], resource)],
    };
  }
  const expression = trinoRowFilter(a.spec, a.profile, index.salt);
  const filters = expression === null ? [] : [{ expression }];
  const why = expression === null ? "data policies filter no rows for this user" : "rows filtered by data policies";
  return { status: 200, body: rowFiltersResponse(filters), records: [record(input, p, true, why, [...a.spec.policyIds], resource)] };
}

export function answerColumnMask(index: TrinoIndex, p: Principal | null, input: OpaInput, batch: boolean): DecisionAnswer {
  const columns: ColumnRef[] = [];
  if (batch) {
    const items = input.action.filterResources;
    if (items === undefined) return badRequest("a batch column-mask request needs filterResources", input);
    for (const item of items) {
      if (item.column === undefined) return badRequest("every filterResources item of GetColumnMask needs a column", input);
      columns.push(item.column);
    }
  } else {
    const c = input.action.resource?.column;
    if (c === undefined) return badRequest("GetColumnMask needs resource.column", input);
    columns.push(c);
  }
  // Several tables in one batch are possible in principle; decide per table once.
  const perTable = new Map<string, Applicable>();
  const masks: { index: number; mask: ViewExpression }[] = [];
  const policyIds = new Set<string>();
  const whys = new Set<string>();
  for (const [i, c] of columns.entries()) {
    const key = `${c.catalogName}\u0000${c.schemaName}\u0000${c.tableName}`;
    let a = perTable.get(key);
    if (a === undefined) {
      a = applicable(index, p, c.catalogName, c.schemaName, c.tableName);
      perTable.set(key, a);
    }
    if (a.kind === "none") {
      whys.add(a.why);
      continue;
    }
    if (a.kind === "failClosed") {
      whys.add(`masked to NULL: ${a.why}`);
      masks.push({ index: i, mask: NULL_MASK });
      continue;
    }
    const expression = trinoColumnMask(a.spec, c.columnName, a.profile, index.salt);
    if (expression === null) continue;
    const column = a.spec.columns.find((v) => v.name === c.columnName);
    if (column?.maskedBy) policyIds.add(column.maskedBy);
    masks.push({ index: i, mask: { expression } });
  }
  const why = [...whys, masks.length ? `${masks.length} of ${columns.length} column(s) masked` : "no column masked"].join("; ");
  const first = columns[0];
  const resource =
    batch && first
      ? `${first.catalogName}.${first.schemaName}.${first.tableName}(${columns.map((c) => c.columnName).join(", ")})`
      : describeResource(input.action.resource);
  const body = batch ? batchColumnMasksResponse(masks) : columnMaskResponse(masks[0]?.mask ?? null);
  return { status: 200, body, records: [record(input, p, true, why, [...policyIds], resource)] };
}
