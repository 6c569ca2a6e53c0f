/**
 * Conformance with Trino's `opa` plugin, driven by EVERY file of ./fixtures (taken from trinodb/trino's
 * plugin tests, see fixtures/README.md):
 * - action-only/: each action, wrapped in an input with an identity, is understood by the endpoint
 *   Trino sends it to, and the answer is one Trino accepts (decoded as Trino decodes it);
 * - response/: a decoder mirroring Trino's acceptance rules accepts the valid bodies and rejects the
 *   INVALID ones; every encoder's output passes the same decoder.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { decide, type TrinoEndpoint } from "./decide";
import { opaRequest, testIndex } from "./testing";
import { allowResponse, batchColumnMasksResponse, batchResponse, columnMaskResponse, parseOpaRequest, rowFiltersResponse } from "./wire";

/** `TRINO_OPA_FIXTURES` runs the suite over another copy (e.g. fixtures of a newer Trino). */
function fixturesDir(): string {
  const dir = process.env.TRINO_OPA_FIXTURES ?? join(dirname(fileURLToPath(import.meta.url)), "fixtures");
  if (!existsSync(join(dir, "action-only")) || !existsSync(join(dir, "response")))
    throw new Error(`Trino OPA fixtures not found in ${dir}`);
  return dir;
}

const DIR = fixturesDir();
const files = (sub: string) =>
  readdirSync(join(DIR, sub))
    .filter((f) => f.endsWith(".json"))
    .sort();
const readJson = (sub: string, f: string): unknown => JSON.parse(readFileSync(join(DIR, sub, f), "utf8"));

// ---------------------------------------------------------------------------------------------------
// Trino's decoding rules (OpaHttpClient + Opa*QueryResult records, TestOpaResponseDecoding)
// ---------------------------------------------------------------------------------------------------

class DeserializeFailed extends Error {}
const fail = (why: string): never => {
  throw new DeserializeFailed(`Failed to deserialize: ${why}`);
};
type Expr = { expression: string; identity?: string };
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function viewExpression(v: unknown): Expr {
  if (!isObject(v) || typeof v.expression !== "string") return fail("expression must be a string");
  if (v.identity !== undefined && v.identity !== null && typeof v.identity !== "string") return fail("identity must be a string");
  return typeof v.identity === "string" ? { expression: v.expression, identity: v.identity } : { expression: v.expression };
}

function resultOf(body: unknown): unknown {
  if (!isObject(body)) return fail("body must be an object");
  if (body.decision_id !== undefined && body.decision_id !== null && typeof body.decision_id !== "string")
    fail("decision_id must be a string");
  return body.result; // every other field is ignored
}

const trinoDecode: Record<TrinoEndpoint, (body: unknown) => unknown> = {
  allow(body) {
    const r = resultOf(body);
    if (r === undefined || r === null) return false; // undefined = deny
    return typeof r === "boolean" ? r : fail("result must be a boolean");
  },
  batch(body) {
    const r = resultOf(body);
    if (r === undefined || r === null) return [];
    if (!Array.isArray(r)) return fail("result must be a list");
    return r.map((i) => (Number.isInteger(i) && i >= 0 ? i : fail("indexes must be integers")));
  },
  "row-filters"(body) {
    const r = resultOf(body);
    if (r === undefined || r === null) return [];
    if (!Array.isArray(r)) return fail("result must be a list");
    return r.map(viewExpression);
  },
  "column-mask"(body) {
    const r = resultOf(body);
    if (r === undefined || r === null) return null;
    return viewExpression(r);
  },
  "batch-column-masks"(body) {
    const r = resultOf(body);
    if (r === undefined || r === null) return [];
    if (!Array.isArray(r)) return fail("result must be a list");
    return r.map((m) => {
      if (!isObject(m) || !Number.isInteger(m.index)) return fail("index must be an integer");
      return { index: m.index, viewExpression: viewExpression(m.viewExpression) };
    });
  },
};

/** Which endpoint a response fixture belongs to, by its name (see the fixtures' README). */
function endpointOfResponse(file: string): TrinoEndpoint {
  const name = file.replace(/^INVALID-/, "");
  if (name.startsWith("batch-column-masks")) return "batch-column-masks";
  if (name.startsWith("batch-")) return "batch";
  if (name.startsWith("row-filters-")) return "row-filters";
  if (name.startsWith("column-mask-")) return "column-mask";
  if (name.startsWith("allow-")) return "allow";
  throw new Error(`response fixture ${file}: no endpoint known for this name`);
}

/** Which endpoint Trino sends an action-only fixture to. */
function endpointOfAction(file: string, action: { operation: string; filterResources?: unknown }): TrinoEndpoint {
  if (action.operation === "GetRowFilters") return "row-filters";
  if (action.operation === "GetColumnMask") return action.filterResources ? "batch-column-masks" : "column-mask";
  return file.startsWith("batch-") ? "batch" : "allow";
}

describe("response fixtures: a decoder with Trino's rules", () => {
  const responseFiles = files("response");
  it("finds the fixtures", () => expect(responseFiles.length).toBeGreaterThanOrEqual(16));

  it.each(responseFiles)("%s", (file) => {
    const body = readJson("response", file);
    const decode = trinoDecode[endpointOfResponse(file)];
    if (file.startsWith("INVALID-")) expect(() => decode(body)).toThrow(DeserializeFailed);
    else expect(() => decode(body)).not.toThrow();
  });

  it("reads the meanings the README gives", () => {
    expect(trinoDecode.allow(readJson("response", "allow-undefined-treated-as-deny.json"))).toBe(false);
    expect(trinoDecode.allow(readJson("response", "allow-extra-fields.json"))).toBe(true);
    expect(trinoDecode.batch(readJson("response", "batch-empty-deny-all.json"))).toEqual([]);
    expect(trinoDecode.batch(readJson("response", "batch-indexes-0-2.json"))).toEqual([0, 2]);
    expect(trinoDecode["column-mask"](readJson("response", "column-mask-none.json"))).toBeNull();
    expect(trinoDecode["row-filters"](readJson("response", "row-filters-multiple.json"))).toHaveLength(3);
  });

  it("accepts every encoder's output and decodes it back to what was encoded", () => {
    expect(trinoDecode.allow(allowResponse(true))).toBe(true);
    expect(trinoDecode.allow(allowResponse(false))).toBe(false);
    expect(trinoDecode.batch(batchResponse([0, 2]))).toEqual([0, 2]);
    expect(trinoDecode.batch(batchResponse([]))).toEqual([]);
    expect(trinoDecode["row-filters"](rowFiltersResponse([{ expression: "a = 1" }, { expression: "b", identity: "x" }]))).toEqual([
      { expression: "a = 1" },
      { expression: "b", identity: "x" },
    ]);
    expect(trinoDecode["row-filters"](rowFiltersResponse([]))).toEqual([]);
    expect(trinoDecode["column-mask"](columnMaskResponse({ expression: "NULL" }))).toEqual({ expression: "NULL" });
    expect(trinoDecode["column-mask"](columnMaskResponse(null))).toBeNull();
    expect(batchColumnMasksResponse([])).toEqual({ result: [] });
    expect(trinoDecode["batch-column-masks"](batchColumnMasksResponse([{ index: 1, mask: { expression: "'***'" } }]))).toEqual([
      { index: 1, viewExpression: { expression: "'***'" } },
    ]);
  });
});

describe("action-only fixtures: every request Trino sends is understood and answered acceptably", () => {
  const actionFiles = files("action-only");
  const index = testIndex(
    {
      objects: [
        { id: "t-my", path: ["my_catalog", "my_schema", "my_table"] },
        { id: "t-one", path: ["my_catalog", "schema_one", "table_one"] },
      ],
      access: [
        { accountName: "alice", objectId: "t-my", level: "WRITE" },
        { accountName: "alice", objectId: "t-one", level: "READ" },
      ],
      accounts: ["alice", "dana"],
      privileged: ["dana"],
    },
    // Only registered objects count: visibility and permissions come from the snapshot alone.
    { unregisteredOperations: [] },
  );
  it("finds the fixtures", () => expect(actionFiles.length).toBeGreaterThanOrEqual(30));

  for (const user of ["alice", "dana", "mallory"]) {
    it.each(actionFiles)(`${user}: %s`, (file) => {
      const action = readJson("action-only", file) as { operation: string; filterResources?: unknown[] };
      const request = opaRequest(user, action, ["some-group"]);
      expect(parseOpaRequest(request).ok).toBe(true);
      const endpoint = endpointOfAction(file, action);
      const answer = decide(index, endpoint, request);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const decoded = trinoDecode[endpoint](answer.body);
      expect(answer.records.length).toBe(1);
      expect(answer.records[0]!.operation).toBe(action.operation);
      if (user === "mallory") {
        // Unknown to Steward (unknownUsers = DENY): nothing is allowed, filters and masks fail closed.
        if (endpoint === "allow") expect(decoded).toBe(false);
        if (endpoint === "batch") expect(decoded).toEqual([]);
        if (endpoint === "row-filters") expect(decoded).toEqual([{ expression: "false" }]);
        if (endpoint === "column-mask") expect(decoded).toEqual({ expression: "NULL" });
        expect(answer.records[0]!.reason).toContain("not known to Steward");
      }
      if (user === "dana") {
        // A Steward admin: every check allowed, every item of a filter kept, no filter, no mask.
        if (endpoint === "allow") expect(decoded).toBe(true);
        if (endpoint === "batch") {
          const count = action.operation === "FilterColumns" ? 2 : action.filterResources!.length;
          expect(decoded).toEqual([...Array(count).keys()]);
        }
        if (endpoint === "row-filters") expect(decoded).toEqual([]);
        if (endpoint === "column-mask") expect(decoded).toBeNull();
      }
    });
  }

  it("alice: the fixtures' table checks follow her subscriptions", () => {
    const ask = (file: string) => {
      const action = readJson("action-only", file) as { operation: string };
      const endpoint = endpointOfAction(file, action);
      return trinoDecode[endpoint](decide(index, endpoint, opaRequest("alice", action)).body);
    };
    expect(ask("columns-SelectFromColumns.json")).toBe(true);
    expect(ask("table-InsertIntoTable.json")).toBe(true); // WRITE subscription → READ, WRITE
    expect(ask("table-DeleteFromTable.json")).toBe(true);
    expect(ask("table-DropTable.json")).toBe(false); // OWN is not among registeredOperations
    expect(ask("table-with-properties-CreateTable.json")).toBe(false); // registered: CREATE not allowed
    expect(ask("batch-FilterTables.json")).toEqual([0]); // only schema_one.table_one is hers
    expect(ask("batch-FilterSchemas.json")).toEqual([0]); // schema_one holds a table she reads
    expect(ask("batch-FilterCatalogs.json")).toEqual([]); // none of catalog_one/two/three
    expect(ask("batch-FilterColumns-table_one.json")).toEqual([]); // my_schema.table_one is not registered
    expect(ask("AccessCatalog.json")).toBe(false);
    expect(ask("no-resource-ExecuteQuery.json")).toBe(true);
    expect(ask("ImpersonateUser.json")).toBe(false);
  });

  it("accepts the context variants of other Trino versions (queryId null, extra fields ignored)", () => {
    const action = { operation: "ExecuteQuery" };
    const variants = [
      { identity: { user: "alice", groups: [] }, softwareStack: { trinoVersion: "UNKNOWN" }, queryId: null },
      { identity: { user: "alice", groups: [], extraCredentials: { a: "b" }, principal: "x" }, queryId: "20250718_081710_03427_trino" },
      { identity: { user: "alice", groups: ["g"] }, properties: { namespace: "some-namespace" }, requestHeaders: { h: ["v"] } },
    ];
    for (const context of variants) {
      const answer = decide(index, "allow", { input: { context, action }, extra: 1 });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ result: true });
    }
    expect(decide(index, "allow", { input: { context: variants[1], action } }).records[0]!.queryId).toBe("20250718_081710_03427_trino");
  });
});
