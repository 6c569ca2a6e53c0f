/** The query audit against the real metadata database: who reads what, every filter, hostile search text, paging. */
import { randomBytes } from "node:crypto";
import type { Actor } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listDecisionRecords } from "./decision-log";

let t: TestDatabase;
const run = randomBytes(4).toString("hex");
const conn = { a: "", b: "" };
const people = { owner: "", other: "" };
const as = (roles: ("ADMIN" | "GOVERNOR" | "DATA_OWNER")[], userId: string, kind: "USER" | "API_KEY" = "USER"): Actor =>
  kind === "USER"
    ? { kind, userId, username: "u", roles: new Set(roles) }
    : { kind, userId, username: "u", apiKeyId: userId, keyPrefix: "stw_x", roles: new Set(roles) };
const deps = () => ({ db: t.db });
const base = new Date("2026-11-30T12:00:00.000Z");
const at = (minutes: number) => new Date(base.getTime() + minutes * 60_000);

/** Resources and reasons chosen so every LIKE metacharacter is also plain text somewhere. */
const RECORDS = [
  {
    c: "a",
    user: "alice",
    allowed: true,
    operation: "SelectFromColumns",
    resource: "pg.hr.employees(id, name)",
    reason: "policy HR readers grants READ",
    m: 1,
  },
  {
    c: "a",
    user: "alice",
    allowed: false,
    operation: "SelectFromColumns",
    resource: "pg.hr.salaries(amount)",
    reason: "no policy grants READ; missing group payroll",
    m: 2,
  },
  {
    c: "a",
    user: "bob",
    allowed: false,
    operation: "InsertIntoTable",
    resource: "pg.sales.orders",
    reason: "READ only: WRITE needs attribute dept = sales",
    m: 3,
  },
  { c: "a", user: "bob", allowed: true, operation: "ShowTables", resource: "pg.sales", reason: "discount 100% applied", m: 4 },
  {
    c: "b",
    user: "alice",
    allowed: true,
    operation: "SelectFromColumns",
    resource: "mem.default.snake_case",
    reason: "unregistered object",
    m: 5,
  },
  {
    c: "b",
    user: "Ünïcødé \"q\" 'x'",
    allowed: false,
    operation: "SelectFromColumns",
    resource: 'mem."we\'ird".t\\bl',
    reason: "unknown user",
    m: 6,
  },
] as const;

beforeAll(async () => {
  t = await createTestDatabase();
  for (const key of ["a", "b"] as const) {
    conn[key] = (
      await t.db.connection.create({ data: { name: `${key}_${run}`, kind: "TRINO", config: {}, inboundSecretCiphertext: "x" } })
    ).id;
  }
  people.owner = (await t.db.user.create({ data: { username: `own_${run}`, displayName: "o", email: `o.${run}@example.com` } })).id;
  people.other = (await t.db.user.create({ data: { username: `oth_${run}`, displayName: "p", email: `p.${run}@example.com` } })).id;
  await t.db.connectionDataOwner.create({ data: { connectionId: conn.a, userId: people.owner } });
  await t.db.decisionRecord.createMany({
    data: RECORDS.map((r) => ({
      at: at(r.m),
      connectionId: conn[r.c],
      snapshotVersion: r.m,
      user: r.user,
      operation: r.operation,
      resource: r.resource,
      allowed: r.allowed,
      reason: r.reason,
      policyIds: [],
    })),
  });
});
afterAll(async () => t?.drop());

const admin = () => as(["ADMIN"], people.other);
const resources = async (actor: Actor, filter: Parameters<typeof listDecisionRecords>[2], first?: number) =>
  (await listDecisionRecords(deps(), actor, filter, { first })).nodes.map((r) => r.resource);

describe("listDecisionRecords authorisation", () => {
  it("lets admins and governors read every connection's records, newest first", async () => {
    const all = RECORDS.map((r) => r.resource).reverse();
    expect(await resources(admin(), {})).toEqual(all);
    expect(await resources(as(["GOVERNOR"], people.other), {})).toEqual(all);
  });

  it("lets a data owner read only the connections they are assigned to", async () => {
    const owner = as(["DATA_OWNER"], people.owner);
    expect(await resources(owner, {})).toEqual(
      RECORDS.filter((r) => r.c === "a")
        .map((r) => r.resource)
        .reverse(),
    );
    expect(await resources(owner, { connectionId: conn.a, allowed: false })).toEqual(["pg.sales.orders", "pg.hr.salaries(amount)"]);
    await expect(listDecisionRecords(deps(), owner, { connectionId: conn.b }, {})).rejects.toMatchObject({ code: "FORBIDDEN" });
    // A data owner assigned nowhere reads an empty log, not someone else's.
    expect(await resources(as(["DATA_OWNER"], people.other), {})).toEqual([]);
  });

  it("refuses consumers, API keys without a reading role and anonymous callers", async () => {
    await expect(listDecisionRecords(deps(), as([], people.owner), {}, {})).rejects.toMatchObject({ code: "FORBIDDEN" });
    // The key's owner is a data owner on `a`, but a key without DATA_OWNER does not inherit that.
    await expect(listDecisionRecords(deps(), as([], people.owner, "API_KEY"), {}, {})).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(listDecisionRecords(deps(), null, {}, {})).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });
});

describe("listDecisionRecords filters", () => {
  it("filters by connection, exact user, result, operation and time", async () => {
    expect(await resources(admin(), { connectionId: conn.b })).toEqual(['mem."we\'ird".t\\bl', "mem.default.snake_case"]);
    expect(await resources(admin(), { user: "alice", allowed: false })).toEqual(["pg.hr.salaries(amount)"]);
    expect(await resources(admin(), { user: "ALICE" })).toEqual([]);
    expect(await resources(admin(), { user: "Ünïcødé \"q\" 'x'" })).toEqual(['mem."we\'ird".t\\bl']);
    expect(await resources(admin(), { operation: "InsertIntoTable" })).toEqual(["pg.sales.orders"]);
    expect(await resources(admin(), { from: at(2), to: at(4) })).toEqual(["pg.sales.orders", "pg.hr.salaries(amount)"]);
  });

  it("searches resource and reason case-insensitively", async () => {
    expect(await resources(admin(), { text: "PAYROLL" })).toEqual(["pg.hr.salaries(amount)"]);
    expect(await resources(admin(), { text: "sales" })).toEqual(["pg.sales", "pg.sales.orders"]);
  });

  it("treats LIKE metacharacters, quotes and unicode in the search text as plain text", async () => {
    expect(await resources(admin(), { text: "100%" })).toEqual(["pg.sales"]);
    expect(await resources(admin(), { text: "%" })).toEqual(["pg.sales"]);
    expect(await resources(admin(), { text: "snake_case" })).toEqual(["mem.default.snake_case"]);
    expect(await resources(admin(), { text: "_" })).toEqual(["mem.default.snake_case"]);
    expect(await resources(admin(), { text: "t\\bl" })).toEqual(['mem."we\'ird".t\\bl']);
    expect(await resources(admin(), { text: "\\" })).toEqual(['mem."we\'ird".t\\bl']);
    expect(await resources(admin(), { text: '"we\'ird"' })).toEqual(['mem."we\'ird".t\\bl']);
    expect(await resources(admin(), { text: "' OR 1=1 --" })).toEqual([]);
    expect(await resources(admin(), { text: "ünïcødé" })).toEqual([]);
  });

  it("rejects bad filters with typed errors", async () => {
    for (const filter of [
      { text: "a\u0000b" },
      { user: "x".repeat(256) },
      { connectionId: '\'; DROP TABLE "DecisionRecord"; --' },
      { from: at(5), to: at(1) },
    ]) {
      await expect(listDecisionRecords(deps(), admin(), filter, {})).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    }
    await expect(listDecisionRecords(deps(), admin(), {}, { after: "not-a-cursor" })).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    await expect(listDecisionRecords(deps(), admin(), {}, { first: 0 })).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    expect(await t.db.decisionRecord.count()).toBe(RECORDS.length);
  });
});

describe("listDecisionRecords paging", () => {
  it("walks every record once with cursors, also across records sharing a timestamp", async () => {
    const same = at(10);
    await t.db.decisionRecord.createMany({
      data: [1, 2, 3].map((i) => ({
        at: same,
        connectionId: conn.b,
        snapshotVersion: 9,
        user: `batch_${i}`,
        operation: "ExecuteQuery",
        resource: `batch ${i}`,
        allowed: true,
        reason: "batch",
        policyIds: [],
      })),
    });
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page = await listDecisionRecords(deps(), admin(), {}, { first: 2, after });
      seen.push(...page.nodes.map((r) => r.id));
      after = page.hasNextPage ? page.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(5);
    expect(new Set(seen).size).toBe(RECORDS.length + 3);
    expect(seen).toHaveLength(RECORDS.length + 3);
  });
});
