/**
 * Answers one HTTP request of Trino's `opa` protocol from a snapshot's index. Never throws: bad input
 * is a 400 with a message, an unknown operation a deny with a record, an internal failure a 500 (every
 * non-2xx fails the query in Trino, so none of them can ever read as an allow).
 */
import type { DecisionAnswer } from "../../decisions";
import type { TrinoPermission } from "../config";
import { answerColumnMask, answerRowFilters } from "./data-policies";
import {
  catalogVisible,
  containerPermissions,
  isPrivileged,
  PERMISSION_BIT,
  type Principal,
  principalFor,
  schemaVisible,
  type TrinoIndex,
  tablePermissions,
} from "./index";
import { type OperationSpec, operationSpec } from "./operations";
import { containerDenial, holds, invisible, tableDenial, unknownUser, type Words } from "./reasons";
import { badRequest, describeResource, record } from "./records";
import { allowResponse, batchResponse, errorResponse, type OpaInput, parseOpaRequest, type Resource } from "./wire";

export const TRINO_ENDPOINTS = ["allow", "batch", "row-filters", "column-mask", "batch-column-masks"] as const;
export type TrinoEndpoint = (typeof TRINO_ENDPOINTS)[number];

/** One decision; `words` is computed only when a record needs it. */
export type Outcome = { allowed: boolean; words: () => Words };

/** Batch records name at most this many denied items (the rest are counted). */
const BATCH_DETAIL = 5;

export function decide(index: TrinoIndex, endpoint: string, body: unknown): DecisionAnswer {
  if (!(TRINO_ENDPOINTS as readonly string[]).includes(endpoint))
    return { status: 404, body: errorResponse(`no endpoint ${endpoint}`), records: [] };
  const parsed = parseOpaRequest(body);
  if (!parsed.ok) return badRequest(parsed.message, null);
  const input = parsed.input;
  try {
    return answer(index, endpoint as TrinoEndpoint, input);
  } catch (err) {
    // A bug or a compiler failure: fail the query (Trino treats 5xx as an error, never as allow).
    const message = err instanceof Error ? err.message : String(err);
    return {
      status: 500,
      body: errorResponse(`decision failed: ${message}`),
      records: [record(input, null, false, `decision failed: ${message}`, [])],
    };
  }
}

function answer(index: TrinoIndex, endpoint: TrinoEndpoint, input: OpaInput): DecisionAnswer {
  const operation = input.action.operation;
  const spec = operationSpec(operation);
  const principal = principalFor(index, input.context.identity);
  const unknownOperation = () => `unknown operation ${operation.slice(0, 100)}: denied`;
  switch (endpoint) {
    case "allow": {
      if (spec === undefined) return deny(input, principal, allowResponse(false), unknownOperation());
      const kind = spec.requirement.kind;
      if (kind === "rowFilters" || kind === "columnMask")
        return badRequest(`${operation} is answered on its own endpoint, not on allow`, input);
      const outcome = check(index, principal, input, spec, input.action.resource);
      const words = outcome.words();
      return {
        status: 200,
        body: allowResponse(outcome.allowed),
        records: [record(input, principal, outcome.allowed, words.text, words.policyIds)],
      };
    }
    case "batch": {
      if (spec === undefined) return deny(input, principal, batchResponse([]), unknownOperation());
      if (!spec.filtering) return badRequest(`${operation} is not a filtering operation; the batch endpoint answers Filter* only`, input);
      const items = input.action.filterResources;
      if (items === undefined) return badRequest("a batch request needs filterResources", input);
      return batch(index, principal, input, spec, items);
    }
    case "row-filters":
      if (operation !== "GetRowFilters")
        return badRequest(`the row-filters endpoint answers GetRowFilters, not ${operation.slice(0, 100)}`, input);
      return answerRowFilters(index, principal, input);
    case "column-mask":
    case "batch-column-masks":
      if (operation !== "GetColumnMask")
        return badRequest(`the ${endpoint} endpoint answers GetColumnMask, not ${operation.slice(0, 100)}`, input);
      return answerColumnMask(index, principal, input, endpoint === "batch-column-masks");
  }
}

function batch(index: TrinoIndex, principal: Principal | null, input: OpaInput, spec: OperationSpec, items: Resource[]): DecisionAnswer {
  const op = input.action.operation;
  if (op === "FilterColumns") {
    // One table per request; the answer's indexes are positions in its `columns` (§1.4 notes).
    if (items.length !== 1 || items[0]?.table?.columns === undefined)
      return badRequest("a batch FilterColumns names exactly one table with its columns", input);
    const columns = items[0].table.columns;
    const outcome = check(index, principal, input, spec, items[0]);
    const indexes = outcome.allowed ? columns.map((_, i) => i) : [];
    const words = outcome.words();
    const text = outcome.allowed ? `${columns.length} column(s) visible: ${words.text}` : words.text;
    return { status: 200, body: batchResponse(indexes), records: [record(input, principal, outcome.allowed, text, words.policyIds)] };
  }
  const allowed: number[] = [];
  const denied: number[] = [];
  const outcomes: Outcome[] = [];
  for (let i = 0; i < items.length; i++) {
    const outcome = check(index, principal, input, spec, items[i]);
    outcomes.push(outcome);
    (outcome.allowed ? allowed : denied).push(i);
  }
  const details = denied.slice(0, BATCH_DETAIL).map((i) => ({ i, words: outcomes[i]!.words() }));
  const more = denied.length > BATCH_DETAIL ? `; and ${denied.length - BATCH_DETAIL} more hidden` : "";
  const text =
    `${allowed.length} of ${items.length} allowed` +
    (details.length ? `; hidden: ${details.map((d) => `${describeResource(items[d.i])}: ${d.words.text}`).join("; ")}${more}` : "");
  const policyIds = [...new Set(details.flatMap((d) => d.words.policyIds))];
  return {
    status: 200,
    body: batchResponse(allowed),
    records: [record(input, principal, denied.length === 0, text, policyIds, batchResource(items))],
  };
}

/** The decision for one resource of an operation. */
export function check(
  index: TrinoIndex,
  p: Principal | null,
  input: OpaInput,
  spec: OperationSpec,
  resource: Resource | undefined,
): Outcome {
  if (p === null) return denied(() => unknownUser(input.context.identity.user));
  const r = spec.requirement;
  switch (r.kind) {
    case "allow":
      return allowedBecause(`${input.action.operation} is allowed for every user Steward knows`);
    case "adminOnly":
      return isPrivileged(p)
        ? allowedBecause(`${p.account} is a Steward admin`)
        : denied(words(`only Steward admins may ${input.action.operation}`));
    case "selfOrAdmin": {
      const other = resource?.user?.user;
      if (other === undefined) return denied(words("the request names no user"));
      if (other === input.context.identity.user) return allowedBecause(`${p.account} acts on their own identity or queries`);
      if (isPrivileged(p)) return allowedBecause(`${p.account} is a Steward admin`);
      return denied(words(`${p.account} may act only on their own identity or queries, not on ${other}'s`));
    }
    case "permission": {
      const first = permissionOn(index, p, r.permission, r.on, resource);
      if (!first.allowed || r.target === undefined) return first;
      const target = permissionOn(index, p, r.target, r.on, input.action.targetResource);
      return target.allowed ? first : target;
    }
    case "visible":
      return visibility(index, p, r.on, resource);
    case "rowFilters":
    case "columnMask":
      return denied(words(`${input.action.operation} is not decided here`));
  }
}

function permissionOn(
  index: TrinoIndex,
  p: Principal,
  permission: TrinoPermission,
  on: "catalog" | "schema" | "table" | "functionSchema",
  resource: Resource | undefined,
): Outcome {
  const bit = PERMISSION_BIT[permission];
  if (on === "table") {
    const t = resource?.table;
    if (t === undefined) return denied(words("the request names no table"));
    const { bits, object } = tablePermissions(index, p, t.catalogName, t.schemaName, t.tableName);
    const name = `${t.catalogName}.${t.schemaName}.${t.tableName}`;
    if ((bits & bit) !== 0)
      return allowedBecause(`${p.account} holds ${holds(bits)} on ${name}${object ? "" : " (not registered in Steward)"}`);
    return denied(() => tableDenial(index, p, permission, name, object));
  }
  if (on === "functionSchema") {
    const f = resource?.function;
    if (f?.catalogName === undefined || f.schemaName === undefined) return denied(words("the request names no function schema"));
    const name = `${f.catalogName}.${f.schemaName}`;
    // Functions are never registered in Steward: the unregistered setting decides.
    if (isPrivileged(p) || (index.unregisteredBits & bit) !== 0) return allowedBecause(`${permission} allowed on ${name} for functions`);
    return denied(() => containerDenial(index, p, permission, name, 0));
  }
  const catalog = on === "catalog" ? resource?.catalog?.name : resource?.schema?.catalogName;
  const schema = on === "schema" ? resource?.schema?.schemaName : undefined;
  if (catalog === undefined || (on === "schema" && schema === undefined)) return denied(words(`the request names no ${on}`));
  const name = schema === undefined ? catalog : `${catalog}.${schema}`;
  const { bits, registeredBelow } = containerPermissions(index, p, catalog, schema);
  if ((bits & bit) !== 0) return allowedBecause(`${p.account} holds ${holds(bits)} on ${name}`);
  return denied(() => containerDenial(index, p, permission, name, registeredBelow));
}

function visibility(index: TrinoIndex, p: Principal, on: "catalog" | "schema" | "table", resource: Resource | undefined): Outcome {
  if (on === "catalog") {
    const c = resource?.catalog?.name;
    if (c === undefined) return denied(words("the request names no catalog"));
    return catalogVisible(index, p, c)
      ? allowedBecause(`catalog ${c} visible to ${p.account}`)
      : denied(() => invisible(p, `catalog ${c}`));
  }
  if (on === "schema") {
    const s = resource?.schema;
    if (s === undefined) return denied(words("the request names no schema"));
    const name = `${s.catalogName}.${s.schemaName}`;
    return schemaVisible(index, p, s.catalogName, s.schemaName)
      ? allowedBecause(`schema ${name} visible to ${p.account}`)
      : denied(() => invisible(p, `schema ${name}`));
  }
  return permissionOn(index, p, "READ", "table", resource);
}

/** The first items of a batch and how many there are. */
function batchResource(items: Resource[]): string {
  const shown = items.slice(0, 3).map(describeResource).join(", ");
  return items.length > 3 ? `${shown} (+${items.length - 3} more)` : shown;
}

const words =
  (text: string): (() => Words) =>
  () => ({ text, policyIds: [] });
const allowedBecause = (text: string): Outcome => ({ allowed: true, words: words(text) });
const denied = (w: () => Words): Outcome => ({ allowed: false, words: w });

function deny(input: OpaInput, p: Principal | null, body: unknown, reason: string): DecisionAnswer {
  return { status: 200, body, records: [record(input, p, false, reason, [])] };
}
