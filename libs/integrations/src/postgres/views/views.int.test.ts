/**
 * Policy views on the real local PostgreSQL, queried by connecting AS the end users (LOGIN roles,
 * trust auth). Expected values are computed by hand here (sha256, md5 sample) — the engine's
 * reference evaluator lives on another branch.
 */
import { createHash } from "node:crypto";
import type { Expr, PolicyViewSpec, ProfileRow, ViewColumn } from "@steward/policy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessDesiredState } from "../../access-types";
import { HOSTILE_NAMES } from "../../sql/hostile-names";
import { qualified, quoteIdent } from "../../sql/quote";
import { postgresAccess } from "../access";
import { scopePrefix } from "../grants/naming";
import { cleanup, query, runId, tryAs } from "../grants/testing";
import { VIEWS_SCHEMA } from "../policy-dialect";
import { postgresPreview } from "../preview";
import { policyViewName } from "./naming";

const run = runId();
const DB = `stw_views_it_${run}`;
const CONN = `views-${run}`;
const INJECTION = "'; DROP TABLE x; --";
const SALT = `salt-${run}-'quote`;
const alice = `vw${run}_alice`; // analyst, region EU
const hrUser = `vw${run}_Hr "Bob"`; // group hr: clear values, all rows
const carol = `vw${run}_carol`; // managed, no access
const writer = `vw${run}_writer`; // WRITE on employees
const USERS = [alice, hrUser, carol, writer];
const HS = HOSTILE_NAMES[0]!; // schema
const HT = HOSTILE_NAMES[4]!; // table
const HC = INJECTION; // column

const col = (name: string): Expr => ({ k: "column", name });
const text = (value: string): Expr => ({ k: "literal", value: { k: "text", value } });
const isHr: Expr = { k: "inProfileSet", value: text("hr"), set: { k: "groups" } };
const exempt = (extra: Expr[] = []): Expr => ({ k: "or", args: [isHr, ...extra] });
const masked = (
  name: string,
  type: ViewColumn["type"],
  dataType: string,
  mask: Extract<Expr, { k: "mask" }>["mask"],
  except = exempt(),
): ViewColumn => ({
  name,
  type,
  dataType,
  // biome-ignore lint/suspicious/noThenProperty: the IR's CASE node (@steward/policy Expr) names its branch `then`
  expr: { k: "case", when: except, then: col(name), else: { k: "mask", mask, arg: col(name), type } },
  maskedBy: "p1",
});
const clear = (name: string, type: ViewColumn["type"], dataType: string): ViewColumn => ({ name, type, dataType, expr: col(name) });

const employeesSpec: PolicyViewSpec = {
  sourceId: "emp",
  columns: [
    clear("id", "integer", "integer"),
    clear("name", "text", "text"),
    masked("email", "text", "text", { kind: "hash" }, exempt([{ k: "inProfileSet", value: text("Research"), set: { k: "purposes" } }])),
    masked("salary", "integer", "integer", { kind: "roundNumber", bucket: 1000 }),
    masked("phone", "text", "text", { kind: "showLast", count: 4 }),
    masked("born", "date", "date", { kind: "roundDate", unit: "year" }),
    masked("note", "text", "text", { kind: "constant", value: INJECTION }),
    masked("region", "text", "text", { kind: "regexReplace", pattern: "[AEIOU]", replacement: "*" }),
    masked("secret", "text", "text", { kind: "null" }),
  ],
  rowFilter: { k: "or", args: [{ k: "inProfileSet", value: col("region"), set: { k: "attributeValues", key: "region" } }, isHr] },
  policyIds: ["p1"],
  conflicts: [],
};
const eventsSpec: PolicyViewSpec = {
  sourceId: "ev",
  columns: [clear("id", "integer", "integer"), clear("at", "timestamptz", "timestamp with time zone")],
  rowFilter: {
    k: "and",
    args: [
      { k: "withinDays", column: "at", days: 30 },
      { k: "sample", column: "id", percent: 50 },
    ],
  },
  policyIds: ["p2"],
  conflicts: [],
};
const hostileSpec: PolicyViewSpec = {
  sourceId: "hostile",
  columns: [masked(HC, "text", "text", { kind: "regexReplace", pattern: INJECTION, replacement: `[${INJECTION}]` })],
  rowFilter: { k: "compare", op: "<>", left: col(HC), right: text(INJECTION) },
  policyIds: ["p3"],
  conflicts: [],
};

function profile(accountName: string, over: Partial<ProfileRow> = {}): ProfileRow {
  return {
    accountName,
    userId: `u-${accountName}`,
    username: accountName,
    groups: [],
    attributes: {},
    projectId: null,
    purposes: [],
    sources: ["emp", "ev", "hostile"],
    ...over,
  };
}
const profiles = (over: Record<string, Partial<ProfileRow>> = {}): ProfileRow[] => [
  profile(alice, { attributes: { region: ["EU", INJECTION] }, ...over[alice] }),
  profile(hrUser, { groups: ["hr"], ...over[hrUser] }),
  profile(carol, { sources: [], ...over[carol] }),
  profile(writer, { attributes: { region: ["US"] }, ...over[writer] }),
];

function desired(over: { profiles?: ProfileRow[]; views?: PolicyViewSpec[]; version?: number; scope?: string[] } = {}): AccessDesiredState {
  return {
    connectionId: CONN,
    version: over.version ?? 1,
    objects: [
      { id: "emp", path: [DB, "hr", "employees"], objectType: "TABLE" },
      { id: "ev", path: [DB, "hr", "events"], objectType: "TABLE" },
      { id: "hostile", path: [DB, HS, HT], objectType: "TABLE" },
      { id: "plain", path: [DB, "hr", "plain"], objectType: "TABLE" },
    ],
    accounts: USERS,
    access: [
      ...[alice, hrUser].flatMap((a) =>
        ["emp", "ev", "hostile", "plain"].map((objectId) => ({ objectId, accountName: a, level: "READ" as const })),
      ),
      { objectId: "emp", accountName: writer, level: "WRITE" },
    ],
    ...(over.scope ? { scope: { accounts: over.scope } } : {}),
    settings: { unmanagedGrants: "REPORT" },
    dataPolicies: {
      viewsForEverything: false,
      views: over.views ?? [employeesSpec, eventsSpec, hostileSpec],
      profiles: over.profiles ?? profiles(),
      hashSalt: SALT,
    },
  };
}

const access = postgresAccess(false);
const connection = { config: { host: "127.0.0.1", port: 5432, user: "postgres", databases: [DB] }, credentials: { password: "" } };
const sql = (t: string, p: unknown[] = []) => query(t, p, { database: DB });
const as = (user: string, t: string) => query(t, [], { database: DB, user });
const view = (schema: string, table: string) => qualified(VIEWS_SCHEMA, policyViewName(schema, table));
const EMP = view("hr", "employees");
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

const ROWS = [
  [1, "Ann", "ann@x.com", 51234, "+44 1234 5678", "1990-05-17", INJECTION, "EU", "s1"],
  [2, "Ben", "ben@x.com", 72999, "555-0101", "1985-12-01", "n2", "US", "s2"],
  [3, "Cy", INJECTION, -1500, "12", "2000-01-01", "n3", INJECTION, "s3"],
] as const;

beforeAll(async () => {
  await query(`CREATE DATABASE ${quoteIdent(DB)}`);
  await sql(
    [
      `REVOKE ALL ON DATABASE ${quoteIdent(DB)} FROM PUBLIC`,
      "CREATE SCHEMA hr",
      `CREATE TABLE hr.employees (id int, name text, email text, salary int, phone text, born date, note text, region text, secret text)`,
      `CREATE TABLE hr.events (id int, at timestamptz)`,
      `CREATE TABLE hr.plain (id int)`,
      `INSERT INTO hr.plain VALUES (1)`,
      `INSERT INTO hr.events SELECT g, now() - make_interval(days => CASE WHEN g % 2 = 0 THEN 1 ELSE 60 END) FROM generate_series(1, 200) g`,
      `CREATE SCHEMA ${quoteIdent(HS)}`,
      `CREATE TABLE ${qualified(HS, HT)} (${quoteIdent(HC)} text)`,
      `INSERT INTO ${qualified(HS, HT)} VALUES ('keep ${INJECTION.replaceAll("'", "''")} me'), ('${INJECTION.replaceAll("'", "''")}')`,
    ].join(";\n"),
  );
  for (const r of ROWS) await sql("INSERT INTO hr.employees VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)", [...r]);
  const result = await access.apply(connection, desired());
  expect(result.kind, JSON.stringify(result)).toBe("applied");
}, 60_000);

afterAll(async () => {
  await cleanup({ databases: [DB], rolePrefixes: [scopePrefix(CONN, DB)], roles: USERS });
});

describe("policy views queried as the end users", () => {
  it("masks every kind for alice and shows clear values to the hr exception", async () => {
    const a = await as(alice, `SELECT * FROM ${EMP} ORDER BY id`);
    // Row filter: alice's region values are EU and the injection string.
    expect(a.rows.map((r) => r.id)).toEqual([1, 3]);
    expect(a.rows[0]!).toEqual({
      id: 1,
      name: "Ann",
      email: sha(`${SALT}ann@x.com`),
      salary: 51000,
      phone: "*********5678",
      born: expect.any(Date),
      note: INJECTION,
      region: "**",
      secret: null,
    });
    expect((a.rows[0]!.born as Date).getFullYear()).toBe(1990);
    expect((a.rows[0]!.born as Date).getMonth()).toBe(0);
    expect(a.rows[1]!).toMatchObject({ email: sha(`${SALT}${INJECTION}`), salary: -2000, phone: "12", region: "'; DR*P T*BL* x; --" });

    const hr = await as(hrUser, `SELECT id, email, salary, phone, note, region, secret FROM ${EMP} ORDER BY id`);
    expect(hr.rows).toEqual(
      ROWS.map((r) => ({ id: r[0], email: r[2], salary: r[3], phone: r[4], note: r[6], region: r[7], secret: r[8] })),
    );
  });

  it("keeps the base table unreadable; no access means permission denied; other sources keep direct grants", async () => {
    expect(await tryAs(alice, DB, "SELECT * FROM hr.employees")).toMatch(/permission denied/);
    expect(await tryAs(carol, DB, `SELECT * FROM ${EMP}`)).toMatch(/permission denied/);
    expect(await tryAs(alice, DB, "SELECT * FROM hr.plain")).toBe("ok");
    expect(await tryAs(alice, DB, "SELECT * FROM steward_system.profile")).toMatch(/permission denied/);
    expect(await tryAs(alice, DB, "SELECT * FROM steward_system.hash_salt")).toMatch(/permission denied/);
  });

  it("WRITE: reads through the view, writes the base table without SELECT on it", async () => {
    expect(await tryAs(writer, DB, "INSERT INTO hr.employees (id, name, region) VALUES (9, 'W', 'US')")).toBe("ok");
    expect(await tryAs(writer, DB, "SELECT * FROM hr.employees")).toMatch(/permission denied/);
    expect(await tryAs(writer, DB, "UPDATE hr.employees SET name = 'x' WHERE id = 9")).toMatch(/permission denied/);
    const w = await as(writer, `SELECT id, salary FROM ${EMP} ORDER BY id`);
    expect(w.rows).toEqual([
      { id: 2, salary: 72000 },
      { id: 9, salary: null },
    ]);
    await sql("DELETE FROM hr.employees WHERE id = 9");
  });

  it("time window and deterministic sample agree with md5 computed here", async () => {
    const rows = await as(alice, `SELECT id FROM ${view("hr", "events")} ORDER BY id`);
    const expected = Array.from({ length: 200 }, (_, i) => i + 1).filter(
      (id) => id % 2 === 0 && Number.parseInt(createHash("md5").update(String(id)).digest("hex").slice(0, 8), 16) < 2 ** 31,
    );
    expect(rows.rows.map((r) => r.id)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(20);
    expect(expected.length).toBeLessThan(80);
  });

  it("profile facts are InitPlans (evaluated once per query), not per-row SubPlans", async () => {
    const plan = (await as(alice, `EXPLAIN SELECT * FROM ${EMP}`)).rows.map((r) => r["QUERY PLAN"] as string).join("\n");
    expect(plan).toMatch(/InitPlan/);
    expect(plan).not.toMatch(/SubPlan/);
  });

  it("the preview returns exactly what the user sees through the view, read-only", async () => {
    for (const [user, p] of [
      [alice, profiles()[0]!],
      [hrUser, profiles()[1]!],
    ] as const) {
      const seen = await query(`SELECT * FROM ${EMP} ORDER BY id`, [], { database: DB, user });
      const preview = await postgresPreview.preview(connection, {
        sourceId: "emp",
        path: [DB, "hr", "employees"],
        spec: employeesSpec,
        profile: p,
        hashSalt: SALT,
        limit: 500,
      });
      expect(preview.kind).toBe("rows");
      if (preview.kind !== "rows") return;
      expect(preview.sql).not.toContain(SALT);
      expect(preview.sql).toMatch(/LIMIT 100$/);
      expect(preview.columns).toEqual(employeesSpec.columns.map((c) => c.name));
      const rows = preview.rows
        .map((r) => Object.fromEntries(preview.columns.map((c, i) => [c, r[i]])))
        .sort((x, y) => (x.id as number) - (y.id as number));
      expect(rows).toEqual(seen.rows);
      // The statement offered to the user reads the same rows with their own login, through the view.
      expect(preview.userSql).toBe(`SELECT * FROM ${EMP} LIMIT 100`);
      const own = await query(preview.userSql, [], { database: DB, user });
      expect(own.rows.sort((x, y) => (x.id as number) - (y.id as number))).toEqual(rows);
    }
    const none = await postgresPreview.preview(connection, {
      sourceId: "plain",
      path: [DB, "hr", "plain"],
      spec: null,
      profile: profiles()[2]!,
      hashSalt: SALT,
      limit: 5,
    });
    expect(none.kind === "rows" ? none.rows : none).toEqual([]);
    const plain = await postgresPreview.preview(connection, {
      sourceId: "plain",
      path: [DB, "hr", "plain"],
      spec: null,
      profile: { ...profiles()[0]!, sources: ["plain"] },
      hashSalt: SALT,
      limit: 5,
    });
    expect(plain.kind === "rows" && plain.rows).toEqual([[1]]);
    // No view for a source without a data policy: the user reads the base table.
    expect(plain.kind === "rows" && plain.userSql).toBe('SELECT * FROM "hr"."plain" LIMIT 5');
  });

  it("hostile names and values stay data", async () => {
    const rows = await as(alice, `SELECT * FROM ${view(HS, HT)}`);
    expect(rows.rows).toEqual([{ [HC]: `keep [${INJECTION}] me` }]);
  });

  it("a purpose switch changes what the same query returns without rebuilding the view", async () => {
    const before = (await sql("SELECT $1::regclass::oid AS oid, pg_get_viewdef($1::regclass) AS def", [EMP])).rows[0];
    const q = `SELECT email FROM ${EMP} WHERE id = 1`;
    expect((await as(alice, q)).rows[0]!.email).toBe(sha(`${SALT}ann@x.com`));
    const switched = await access.apply(
      connection,
      desired({ version: 2, scope: [alice], profiles: profiles({ [alice]: { purposes: ["Research"] } }).slice(0, 1) }),
    );
    expect(switched.kind).toBe("applied");
    if (switched.kind === "applied") {
      expect(switched.statements.filter((s) => /VIEW/.test(s))).toEqual([]);
      expect(switched.statements.some((s) => s.startsWith('INSERT INTO "steward_system"."profile"'))).toBe(true);
    }
    expect((await as(alice, q)).rows[0]!.email).toBe("ann@x.com");
    const after = (await sql("SELECT $1::regclass::oid AS oid, pg_get_viewdef($1::regclass) AS def", [EMP])).rows[0];
    expect(after).toEqual(before);
    // Back to no purpose: masked again.
    await access.apply(connection, desired({ version: 3, scope: [alice] }));
    expect((await as(alice, q)).rows[0]!.email).toBe(sha(`${SALT}ann@x.com`));
  });

  it("a second apply changes nothing; a view changed by hand is drift, repaired on apply", async () => {
    expect((await access.apply(connection, desired({ version: 4 }))).kind).toBe("unchanged");
    await sql(`CREATE OR REPLACE VIEW ${EMP} AS SELECT * FROM hr.employees`);
    const drift = await access.drift(connection, desired({ version: 4 }));
    expect(drift.kind).toBe("drift");
    if (drift.kind === "drift")
      expect(drift.findings).toContainEqual(expect.objectContaining({ kind: "VIEW_CHANGED", repairable: true, objectId: "emp" }));
    // Drift detection ran the repair in a rolled-back transaction: the hand-made view is still there.
    expect((await as(alice, `SELECT count(*)::int AS n FROM ${EMP}`)).rows[0]!.n).toBe(3);
    const repaired = await access.apply(connection, desired({ version: 5 }));
    expect(repaired.kind).toBe("applied");
    expect((await as(alice, `SELECT count(*)::int AS n FROM ${EMP}`)).rows[0]!.n).toBe(2);
    const clean = await access.drift(connection, desired({ version: 5 }));
    expect(clean.kind === "drift" && clean.findings).toEqual([]);
  });

  it("a missing view is reported and rebuilt; a source no longer policied gets its view dropped and direct grants back", async () => {
    await sql(`DROP VIEW ${view("hr", "events")}`);
    const drift = await access.drift(connection, desired({ version: 6 }));
    expect(drift.kind === "drift" && drift.findings.map((f) => f.kind)).toContain("MISSING_VIEW");
    expect((await access.apply(connection, desired({ version: 6 }))).kind).toBe("applied");
    expect(await tryAs(alice, DB, `SELECT * FROM ${view("hr", "events")}`)).toBe("ok");

    expect((await access.apply(connection, desired({ version: 7, views: [employeesSpec, hostileSpec] }))).kind).toBe("applied");
    expect((await sql("SELECT to_regclass($1) AS r", [view("hr", "events")])).rows[0]!.r).toBeNull();
    expect(await tryAs(alice, DB, "SELECT * FROM hr.events")).toBe("ok");
  });

  it("profile rows of unmanaged accounts are deleted; unchanged rows are not rewritten", async () => {
    await sql(`INSERT INTO steward_system.profile (account_name, user_id, username) VALUES ('ghost', 'g', 'ghost')`);
    const r = await access.apply(connection, desired({ version: 8, views: [employeesSpec, hostileSpec] }));
    expect(r.kind === "applied" && r.statements).toEqual([`DELETE FROM "steward_system"."profile" WHERE "account_name" IN ('ghost')`]);
  });

  it("a delta marked systemCurrent writes only the scope's profile rows: no system-object or salt check, never a view", async () => {
    const views = [employeesSpec, hostileSpec];
    const q = `SELECT email FROM ${EMP} WHERE id = 2`;
    const toUs = profiles({ [alice]: { attributes: { region: ["US"] } } }).slice(0, 1);
    const before = (await sql("SELECT $1::regclass::oid AS oid, pg_get_viewdef($1::regclass) AS def", [EMP])).rows[0];
    // A hand-made salt change: only a checking run (full, or a delta without systemCurrent) sees it.
    await sql(`UPDATE steward_system.hash_salt SET salt = 'tampered'`);
    const fast = desired({ version: 9, views, scope: [alice], profiles: toUs });
    const r = await access.apply(connection, { ...fast, dataPolicies: { ...fast.dataPolicies!, systemCurrent: true } });
    expect(r.kind === "applied" && r.statements).toEqual([expect.stringMatching(/^INSERT INTO "steward_system"."profile"/)]);
    // The profile row took effect (alice now sees the US row); the salt was not read, so not repaired.
    expect((await as(alice, q)).rows[0]!.email).toBe(sha("tamperedben@x.com"));
    const checked = await access.apply(connection, desired({ version: 10, views, scope: [alice], profiles: toUs }));
    expect(checked.kind === "applied" && checked.statements).toEqual([expect.stringMatching(/^INSERT INTO "steward_system"."hash_salt"/)]);
    expect((await as(alice, q)).rows[0]!.email).toBe(sha(`${SALT}ben@x.com`));
    const after = (await sql("SELECT $1::regclass::oid AS oid, pg_get_viewdef($1::regclass) AS def", [EMP])).rows[0];
    expect(after).toEqual(before);
  });
});
