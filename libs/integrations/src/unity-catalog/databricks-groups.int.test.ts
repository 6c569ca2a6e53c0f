/**
 * Steward's account groups on the Databricks flavor, against the local SCIM + UC permissions server
 * (testing/databricks-server.ts): the exact requests sent, hostile names, unknown users, drift of
 * groups and members, SCIM failures classified like the UC client's, and what the ledger holds.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AccessDesiredState, AccessEntry } from "../access-types";
import { unityCatalogAdapterWith } from "./adapter";
import { groupName, groupPrefix } from "./group-planner";
import { memoryGrantLedger } from "./ledger";
import { databricksConnection, HOSTILE_ACCOUNTS } from "./testing/databricks-fixture";
import { type DatabricksServer, startDatabricksServer } from "./testing/databricks-server";

let server: DatabricksServer;
let ledger: ReturnType<typeof memoryGrantLedger>;
let version = 0;
const ORDERS: [string, string, string] = ["main", "sales", "orders"];
const ODD: [string, string, string] = ["Ünï cat", "we`ird schema", "t@b-LE 名前"];
const objects = [
  { id: "orders", path: ORDERS, objectType: "TABLE" },
  { id: "odd", path: ODD, objectType: "VIEW" },
];
const [ALICE, OBRIEN, HOSTILE] = HOSTILE_ACCOUNTS as [string, string, string, string];
const desired = (access: AccessEntry[], over: Partial<AccessDesiredState> = {}): AccessDesiredState => ({
  connectionId: "dbx",
  version: ++version,
  objects,
  accounts: [...HOSTILE_ACCOUNTS, "ghost@example.test"],
  access,
  settings: { unmanagedGrants: "REPORT" },
  ...over,
});
const port = () => unityCatalogAdapterWith({ ledger }).access!;
const writes = () => server.requests.filter((r) => r.method !== "GET");
const base: AccessEntry[] = [
  { objectId: "orders", accountName: ALICE, level: "WRITE" },
  { objectId: "orders", accountName: OBRIEN, level: "READ" },
  { objectId: "odd", accountName: OBRIEN, level: "READ" },
  { objectId: "odd", accountName: HOSTILE, level: "WRITE" },
  { objectId: "orders", accountName: "ghost@example.test", level: "READ" },
];

beforeEach(async () => {
  server = await startDatabricksServer();
  ledger = memoryGrantLedger();
  for (const p of [ORDERS, ODD, ["main", "sales", "other"] as [string, string, string]]) server.model.addTable(p);
  for (const a of HOSTILE_ACCOUNTS) server.model.addUser(a);
});
afterEach(() => server.stop());

describe("Databricks flavor: Steward's groups", () => {
  it("creates one group per access set and grants only to groups (golden requests)", async () => {
    const conn = databricksConnection(server);
    const res = await port().apply(conn, desired(base));
    expect(res.kind).toBe("applied");
    const [alice, obrien, hostile] = [ALICE, OBRIEN, HOSTILE].map((a) => server.model.userNamed(a)!.id) as [string, string, string];
    const prefix = groupPrefix("dbx");
    // orders: W {alice}, R {obrien}; the view is read-only, so its WRITE is a read: R {obrien, hostile}.
    const w = groupName(prefix, "w", [alice]);
    const r1 = groupName(prefix, "r", [obrien]);
    const r2 = groupName(prefix, "r", [hostile, obrien].sort());
    const acct = `/api/2.0/accounts/${server.accountId}/scim/v2`;
    const posts = writes().filter((x) => x.method === "POST");
    expect(posts.every((x) => x.path === `${acct}/Groups`)).toBe(true);
    expect(
      posts
        .map((x) => x.body)
        .sort((x, y) => ((x as { displayName: string }).displayName < (y as { displayName: string }).displayName ? -1 : 1)),
    ).toEqual(
      (
        [
          [r1, [obrien]],
          [r2, [hostile, obrien].sort()],
          [w, [alice]],
        ] as [string, string[]][]
      )
        .sort((x, y) => (x[0] < y[0] ? -1 : 1))
        .map(([displayName, members]) => ({
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
          displayName,
          members: members.map((value) => ({ value })),
        })),
    );
    expect(
      writes()
        .filter((x) => x.method !== "POST")
        .map((x) => `${x.method} ${x.path} ${JSON.stringify(x.body)}`),
    ).toEqual([
      `PATCH /api/2.1/unity-catalog/permissions/catalog/main ${JSON.stringify({ changes: [r1, w].sort().map((p) => ({ principal: p, add: ["USE_CATALOG"], remove: [] })) })}`,
      `PATCH /api/2.1/unity-catalog/permissions/catalog/${encodeURIComponent(ODD[0])} ${JSON.stringify({ changes: [{ principal: r2, add: ["USE_CATALOG"], remove: [] }] })}`,
      `PATCH /api/2.1/unity-catalog/permissions/schema/main.sales ${JSON.stringify({ changes: [r1, w].sort().map((p) => ({ principal: p, add: ["USE_SCHEMA"], remove: [] })) })}`,
      `PATCH /api/2.1/unity-catalog/permissions/schema/${ODD.slice(0, 2).map(encodeURIComponent).join(".")} ${JSON.stringify({ changes: [{ principal: r2, add: ["USE_SCHEMA"], remove: [] }] })}`,
      `PATCH /api/2.1/unity-catalog/permissions/table/main.sales.orders ${JSON.stringify({ changes: [r1, w].sort().map((p) => ({ principal: p, add: p === w ? ["MODIFY", "SELECT"] : ["SELECT"], remove: [] })) })}`,
      `PATCH /api/2.1/unity-catalog/permissions/table/${ODD.map(encodeURIComponent).join(".")} ${JSON.stringify({ changes: [{ principal: r2, add: ["SELECT"], remove: [] }] })}`,
    ]);
    // No UC privilege went to a user; the unknown account is a finding, not a failure.
    for (const per of server.model.grants.values()) for (const p of per.keys()) expect(p.startsWith(prefix)).toBe(true);
    const plan = await port().plan(conn, desired(base));
    expect(plan.kind === "planned" && plan.statements).toEqual([]);
    expect(plan.kind === "planned" && plan.findings).toEqual([
      { kind: "UNKNOWN_USER", repairable: false, accountName: "ghost@example.test" },
    ]);
    expect(ledger.entries("dbx").every((k) => k.includes(`\u0001${prefix}`))).toBe(true);
  });

  it("an audience change edits membership only; a no-change reconcile sends no write", async () => {
    const conn = databricksConnection(server);
    await port().apply(conn, desired(base));
    server.requests.length = 0;
    expect((await port().apply(conn, desired(base))).kind).toBe("unchanged");
    expect(writes()).toEqual([]);
    // Carol joins the orders readers: the {obrien} group gains a member; no grant is touched.
    const carol = HOSTILE_ACCOUNTS[3]!;
    const changed = [...base, { objectId: "orders", accountName: carol, level: "READ" as const }];
    const res = await port().apply(conn, desired(changed));
    expect(res.kind).toBe("applied");
    const g = server.model.groupNamed(groupName(groupPrefix("dbx"), "r", [server.model.userNamed(OBRIEN)!.id]))!;
    expect(writes().map((x) => `${x.method} ${x.path} ${JSON.stringify(x.body)}`)).toEqual([
      `PATCH /api/2.0/accounts/${server.accountId}/scim/v2/Groups/${g.id} ${JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "add", value: { members: [{ value: server.model.userNamed(carol)!.id }] } }] })}`,
    ]);
    // Carol leaves again: one PATCH removing her by id.
    server.requests.length = 0;
    await port().apply(conn, desired(base));
    expect(writes().map((x) => (x.body as { Operations: unknown[] }).Operations)).toEqual([
      [{ op: "remove", path: `members[value eq "${server.model.userNamed(carol)!.id}"]` }],
    ]);
  });

  it("reports and repairs drift of groups: missing member, extra member, grant removed, obsolete group; foreign groups stay", async () => {
    const conn = databricksConnection(server);
    await port().apply(conn, desired(base));
    const prefix = groupPrefix("dbx");
    const m = server.model;
    const w = m.groupNamed(groupName(prefix, "w", [m.userNamed(ALICE)!.id]))!;
    w.members.clear();
    w.members.add(m.userNamed(HOSTILE_ACCOUNTS[3]!)!.id); // carol put in by hand
    m.patch("table:main.sales.orders", [{ principal: w.displayName, remove: ["MODIFY"] }]);
    m.createGroup(`${prefix}w_0000000000`, []); // Steward's shape, no longer needed
    m.createGroup(`${prefix}hand made`, []); // the prefix but not Steward's shape
    const drift = await port().drift(conn, desired(base));
    const kinds = drift.kind === "drift" ? drift.findings.map((f) => `${f.kind} ${f.repairable}`) : [];
    expect(kinds).toEqual(
      expect.arrayContaining(["MISSING_MEMBER true", "EXTRA_MEMBER true", "MISSING_GRANT true", "EXTRA_GROUP true", "FOREIGN_GROUP false"]),
    );
    expect((await port().apply(conn, desired(base))).kind).toBe("applied");
    expect([...w.members]).toEqual([m.userNamed(ALICE)!.id]);
    expect(m.direct("table:main.sales.orders", w.displayName)).toEqual(new Set(["SELECT", "MODIFY"]));
    expect(m.groupNamed(`${prefix}w_0000000000`)).toBeUndefined();
    expect(m.groupNamed(`${prefix}hand made`)).toBeDefined();
    const after = await port().drift(conn, desired(base));
    expect(after.kind === "drift" && after.findings.filter((f) => f.repairable)).toEqual([]);
  });

  it("moves grants Steward once made to users onto groups (the ledger says they are Steward's)", async () => {
    const conn = databricksConnection(server);
    server.model.patch("table:main.sales.orders", [{ principal: OBRIEN, add: ["SELECT"] }]);
    await ledger.record("dbx", { added: [`table:main\u0000sales\u0000orders\u0001${OBRIEN}\u0001SELECT`], removed: [] });
    server.model.patch("table:main.sales.orders", [{ principal: "carol@example.test", add: ["SELECT"] }]); // by hand
    await port().apply(conn, desired(base));
    expect(server.model.direct("table:main.sales.orders", OBRIEN).size).toBe(0);
    expect(server.model.direct("table:main.sales.orders", "carol@example.test")).toEqual(new Set(["SELECT"]));
    expect(ledger.entries("dbx").some((k) => k.includes(OBRIEN))).toBe(false);
  });

  it("uses the workspace's account proxy without an account id, and one lookup per user where `or` is refused", async () => {
    server.refuseOrFilters = true;
    const conn = databricksConnection(server, { accountId: "", accountHost: "" });
    const res = await port().apply(conn, desired(base));
    expect(res.kind === "failed" ? res.error.message : res.kind).toBe("applied");
    const scim = server.requests.filter((r) => r.path.includes("/scim/v2/"));
    expect(scim.every((r) => r.path.startsWith("/api/2.0/account/scim/v2/"))).toBe(true);
    const lookups = scim.filter((r) => r.path.endsWith("/Users"));
    expect(lookups.map((r) => r.query.filter)).toEqual([
      expect.stringContaining(" or "),
      ...[ALICE, HOSTILE, OBRIEN, "ghost@example.test"].sort().map((a) => `userName eq ${JSON.stringify(a)}`),
    ]);
  });

  it.each([
    [401, "AUTH_FAILED", "CONFIGURATION"],
    [403, "PERMISSION_DENIED", "CONFIGURATION"],
    [404, "NOT_FOUND", "PERMANENT"],
    [429, "RATE_LIMITED", "TRANSIENT"],
    [500, "SERVER_ERROR", "TRANSIENT"],
  ])("SCIM %i is %s (%s), and nothing is written", async (status, code, errorClass) => {
    server.inject({ path: /\/scim\/v2\/Users$/, status, times: 3 });
    const res = await port().apply(databricksConnection(server), desired(base));
    expect(res.kind === "failed" && [res.error.code, res.error.errorClass]).toEqual([code, errorClass]);
    expect(writes()).toEqual([]);
  });

  it("no SCIM API at the address (404 on the first request) is a configuration problem", async () => {
    server.inject({ path: /\/scim\/v2\/Groups$/, status: 404 });
    const res = await port().apply(databricksConnection(server), desired(base));
    expect(res.kind === "failed" && [res.error.code, res.error.errorClass]).toEqual(["INVALID_CONFIG", "CONFIGURATION"]);
    expect(res.kind === "failed" && res.error.message).toMatch(/account SCIM API.*flavor/);
    expect(writes()).toEqual([]);
  });

  it("a failed write stops the run; what succeeded is reported and recorded, and a retry converges", async () => {
    server.inject({ method: "PATCH", path: /permissions\/table\/main\.sales\.orders$/, status: 403 });
    const conn = databricksConnection(server);
    const failed = await port().apply(conn, desired(base));
    expect(failed.kind).toBe("failed");
    if (failed.kind !== "failed") return;
    expect(failed.error.code).toBe("PERMISSION_DENIED");
    expect(failed.statementsAttempted).toEqual([expect.stringContaining("PATCH /permissions/table/main.sales.orders")]);
    expect(failed.statements.filter((s) => s.startsWith("POST")).length).toBe(3);
    expect(ledger.entries("dbx").some((k) => k.startsWith("table:main\u0000sales\u0000orders"))).toBe(false);
    expect((await port().apply(conn, desired(base))).kind).toBe("applied");
    expect((await port().apply(conn, desired(base))).kind).toBe("unchanged");
  });

  it("a wrong or read-only token fails before anything changes", async () => {
    const wrong = { ...databricksConnection(server), credentials: { token: "nope" } };
    const res = await port().apply(wrong, desired(base));
    expect(res.kind === "failed" && res.error.code).toBe("AUTH_FAILED");
    const reader = { ...databricksConnection(server), credentials: { token: server.adminToken, accountToken: server.readOnlyToken } };
    const res2 = await port().apply(reader, desired(base));
    expect(res2.kind === "failed" && res2.error.code).toBe("PERMISSION_DENIED");
    expect(server.model.groups.size).toBe(0);
    expect(server.model.grants.size).toBe(0);
  });
});
