/**
 * Bad input never allows and never crashes: malformed bodies get a 400 with a message, unknown
 * operations a deny, oversized batches a 400; hostile identifiers are just names. Also a micro-check
 * of a 1,000-column FilterColumns (time printed, not asserted: the benchmark owns the number).
 */
import { HOSTILE_NAMES } from "@steward/integrations/sql/hostile-names";
import { describe, expect, it } from "vitest";
import { decide, TRINO_ENDPOINTS } from "./decide";
import { opaRequest, tableResource, testIndex } from "./testing";
import { MAX_FILTER_RESOURCES } from "./wire";

const index = testIndex(
  {
    objects: [
      { id: "t1", path: ["sales", "crm", "customers"] },
      ...HOSTILE_NAMES.map((n, i) => ({ id: `h${i}`, path: [n, n, n] as [string, string, string] })),
    ],
    access: [
      { accountName: "alice", objectId: "t1", level: "READ" },
      ...HOSTILE_NAMES.map((_, i) => ({ accountName: "alice", objectId: `h${i}`, level: "READ" as const })),
    ],
    accounts: ["alice", 'o"brien', "名前"],
  },
  { unregisteredOperations: [] },
);

/** Whatever came back, it must not read as an allow in Trino. */
function neverAllows(answer: { status: number; body: unknown }): void {
  if (answer.status !== 200) return;
  const result = (answer.body as { result?: unknown }).result;
  expect(result === false || (Array.isArray(result) && result.length === 0), JSON.stringify(answer.body).slice(0, 200)).toBe(true);
}

describe("malformed requests", () => {
  const malformed: [string, unknown][] = [
    ["not JSON", "{not json"],
    ["JSON text of a list", "[1,2]"],
    ["empty body", ""],
    ["null", null],
    ["a number", 42],
    ["a list", [{ input: {} }]],
    ["no input", { context: {}, action: { operation: "ExecuteQuery" } }],
    ["input null", { input: null }],
    ["no context", { input: { action: { operation: "ExecuteQuery" } } }],
    ["no identity", { input: { context: {}, action: { operation: "ExecuteQuery" } } }],
    ["user not a string", { input: { context: { identity: { user: 1, groups: [] } }, action: { operation: "ExecuteQuery" } } }],
    ["groups missing", { input: { context: { identity: { user: "alice" } }, action: { operation: "ExecuteQuery" } } }],
    ["groups not strings", { input: { context: { identity: { user: "alice", groups: [1] } }, action: { operation: "ExecuteQuery" } } }],
    ["no action", { input: { context: { identity: { user: "alice", groups: [] } } } }],
    ["no operation", opaRequest("alice", { resource: tableResource("sales", "crm", "customers") })],
    ["operation not a string", opaRequest("alice", { operation: ["SelectFromColumns"] })],
    [
      "table without tableName",
      opaRequest("alice", { operation: "SelectFromColumns", resource: { table: { catalogName: "sales", schemaName: "crm" } } }),
    ],
    [
      "columns not a list",
      opaRequest("alice", {
        operation: "SelectFromColumns",
        resource: { table: { ...tableResource("sales", "crm", "customers").table, columns: "id" } },
      }),
    ],
    ["catalog name not a string", opaRequest("alice", { operation: "AccessCatalog", resource: { catalog: { name: { $ne: null } } } })],
    [
      "filterResources not a list",
      opaRequest("alice", { operation: "FilterTables", filterResources: { 0: tableResource("sales", "crm", "customers") } }),
    ],
  ];

  for (const endpoint of TRINO_ENDPOINTS) {
    it.each(malformed)(`${endpoint}: %s → 400`, (_, body) => {
      const answer = decide(index, endpoint, body);
      expect(answer.status).toBe(400);
      expect((answer.body as { error: string }).error.length).toBeGreaterThan(5);
    });
  }

  it("says where the request is wrong", () => {
    expect(decide(index, "allow", { nope: 1 }).body).toEqual({
      error: 'request body has no "input" (expected {"input": {"context": …, "action": …}})',
    });
    expect((decide(index, "allow", malformed[12]![1]).body as { error: string }).error).toContain("input.context.identity.groups.0");
  });

  it("unknown endpoints are 404", () => {
    expect(decide(index, "allow2", opaRequest("alice", { operation: "ExecuteQuery" })).status).toBe(404);
  });

  it("an operation on the wrong endpoint is a 400, never a permissive answer", () => {
    const rowFilters = { operation: "GetRowFilters", resource: tableResource("sales", "crm", "customers") };
    expect(decide(index, "allow", opaRequest("alice", rowFilters)).status).toBe(400);
    expect(decide(index, "row-filters", opaRequest("alice", { operation: "SelectFromColumns" })).status).toBe(400);
    expect(decide(index, "column-mask", opaRequest("alice", rowFilters)).status).toBe(400);
    expect(decide(index, "batch", opaRequest("alice", { operation: "SelectFromColumns", filterResources: [] })).status).toBe(400);
    expect(decide(index, "batch", opaRequest("alice", { operation: "FilterTables" })).status).toBe(400);
    expect(decide(index, "row-filters", opaRequest("alice", { operation: "GetRowFilters" })).status).toBe(400);
    expect(
      decide(index, "column-mask", opaRequest("alice", { operation: "GetColumnMask", resource: tableResource("a", "b", "c") })).status,
    ).toBe(400);
  });

  it("missing resource parts deny", () => {
    for (const operation of ["SelectFromColumns", "AccessCatalog", "ShowTables", "ImpersonateUser", "CreateFunction", "DropCatalog"]) {
      const answer = decide(index, "allow", opaRequest("alice", { operation, resource: {} }));
      expect(answer.status).toBe(200);
      neverAllows(answer);
      expect(answer.records[0]!.reason).toMatch(/names no/);
    }
  });
});

describe("unknown operations", () => {
  it.each(["DoAnything", "selectfromcolumns", "__proto__", "constructor", "x".repeat(200)])(
    "%s is denied on allow and batch",
    (operation) => {
      const allow = decide(index, "allow", opaRequest("alice", { operation, resource: tableResource("sales", "crm", "customers") }));
      expect(allow.body).toEqual({ result: false });
      expect(allow.records[0]!.reason).toContain(`unknown operation ${operation.slice(0, 100)}`);
      const batch = decide(
        index,
        "batch",
        opaRequest("alice", { operation, filterResources: [tableResource("sales", "crm", "customers")] }),
      );
      expect(batch.body).toEqual({ result: [] });
    },
  );
});

describe("huge batches", () => {
  const tables = (n: number) => Array.from({ length: n }, (_, i) => tableResource("sales", "crm", i === 0 ? "customers" : `t${i}`));

  it(`${MAX_FILTER_RESOURCES + 1} filterResources → 400 without evaluating`, () => {
    const answer = decide(
      index,
      "batch",
      opaRequest("alice", { operation: "FilterTables", filterResources: tables(MAX_FILTER_RESOURCES + 1) }),
    );
    expect(answer.status).toBe(400);
    expect((answer.body as { error: string }).error).toContain("too many filterResources");
    const masks = decide(
      index,
      "batch-column-masks",
      opaRequest("alice", { operation: "GetColumnMask", filterResources: tables(MAX_FILTER_RESOURCES + 1) }),
    );
    expect(masks.status).toBe(400);
  }, 60_000);

  it(`${MAX_FILTER_RESOURCES} filterResources are answered, and only the readable one is kept`, () => {
    const answer = decide(
      index,
      "batch",
      opaRequest("alice", { operation: "FilterTables", filterResources: tables(MAX_FILTER_RESOURCES) }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ result: [0] });
    expect(answer.records[0]!.reason).toMatch(/^1 of 100000 allowed; hidden: .*and 99994 more hidden$/);
  }, 60_000);
});

describe("hostile identifiers", () => {
  it.each(HOSTILE_NAMES)("%s is an ordinary name", (name) => {
    const select = { operation: "SelectFromColumns", resource: tableResource(name, name, name, [name]) };
    expect(decide(index, "allow", opaRequest("alice", select)).body).toEqual({ result: true });
    // The same name with one character more is another, unregistered object.
    neverAllows(decide(index, "allow", opaRequest("alice", { ...select, resource: tableResource(name, name, `${name}"`) })));
    neverAllows(decide(index, "allow", opaRequest(name, select))); // a user Steward does not know
    const record = decide(index, "allow", opaRequest("alice", select)).records[0]!;
    expect(record.resource.startsWith(`${name}.${name}.`)).toBe(true);
  });

  it("quotes, unicode and NUL in user names decide like any name", () => {
    expect(decide(index, "allow", opaRequest('o"brien', { operation: "ExecuteQuery" })).body).toEqual({ result: true });
    expect(decide(index, "allow", opaRequest("名前", { operation: "ExecuteQuery" })).body).toEqual({ result: true });
    neverAllows(decide(index, "allow", opaRequest("alice\u0000", { operation: "ExecuteQuery" })));
    neverAllows(decide(index, "allow", opaRequest("ALICE", { operation: "ExecuteQuery" })));
    // NUL inside names cannot forge a table key of another object.
    neverAllows(decide(index, "allow", opaRequest("alice", on("sales\u0000crm", "customers", ""))));
  });
});

const on = (c: string, s: string, t: string) => ({ operation: "SelectFromColumns", resource: tableResource(c, s, t) });

describe("micro-check: a 1,000-column FilterColumns", () => {
  it("is answered (time printed)", () => {
    const columns = Array.from({ length: 1_000 }, (_, i) => `column_${i}`);
    const body = JSON.stringify(
      opaRequest("alice", { operation: "FilterColumns", filterResources: [tableResource("sales", "crm", "customers", columns)] }),
    );
    for (let i = 0; i < 50; i++) decide(index, "batch", body); // warm-up
    const times: number[] = [];
    let answer = decide(index, "batch", body);
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      answer = decide(index, "batch", body);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(
      `FilterColumns 1,000 columns (JSON text in, parse + decide): median ${times[100]!.toFixed(3)} ms, p99 ${times[198]!.toFixed(3)} ms`,
    );
    expect((answer.body as { result: number[] }).result).toHaveLength(1_000);
  }, 60_000);
});
