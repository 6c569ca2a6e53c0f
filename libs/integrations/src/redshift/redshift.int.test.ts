/**
 * The Redshift adapter against the local PostgreSQL, connected as the end users. What ran here for
 * real: the connection test and the pg_catalog crawl; the system schema DDL, profile INSERT /
 * UPDATE / DELETE, salt write, view bodies (the `WITH NO SCHEMA BINDING` suffix dropped), GRANT /
 * REVOKE on the views, the state reads over pg_catalog / pg_views / pg_user, and the drift
 * repair. What did not: svv_relation_privileges and pg_get_late_binding_view_cols (the emulation in
 * testing/pg-emulation.ts answers from PostgreSQL's catalogs), SHA2 / STRTOL / DATEADD masks
 * (golden-tested in policy-dialect.test.ts). The database reads literals like Redshift
 * (`standard_conforming_strings = off`).
 */
import type { Expr, PolicyViewSpec, ProfileRow } from "@steward/policy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessDesiredState, AccessEntry } from "../access-types";
import { cleanup, query, runId, tryAs } from "../postgres/grants/testing";
import { HOSTILE_NAMES } from "../sql/hostile-names";
import { redshiftAdapterWith } from "./adapter";
import { rsIdent, rsLiteral, rsQualified } from "./sql";
import { POSTGRES_EMULATION_READS } from "./testing/pg-emulation";
import { viewNameFor } from "./views";

const run = runId();
const database = `stw_rs_${run}`;
const prefix = `rs${run}`;
const alice = `${prefix}_alice`;
const bob = `${prefix}_bob`;
const hostile = `${prefix}"; drop table x; --`;
const carol = `${prefix}_carol`;
const ghost = `${prefix}_ghost`; // managed by Steward, no Redshift user
const outsider = `${prefix}_outsider`; // a role Steward does not manage
const hostileSchema = HOSTILE_NAMES[0]!.toLowerCase();
const hostileTable = HOSTILE_NAMES[3]!;
const SALT = "s3cr3t-salt-never-in-statements";
const WEIRD = "a,b'\\"; // holds the profile delimiter, a quote and a backslash

const adapter = redshiftAdapterWith(POSTGRES_EMULATION_READS);
const access = adapter.access!;
const config = { host: "127.0.0.1", port: 5432, user: "postgres", databases: [database], sslMode: "disable" };
const connection = { config, credentials: { password: "" } };
const sql = (text: string, params: unknown[] = []) => query(text, params, { database });
const as = async (user: string, text: string) => (await query(text, [], { database, user })).rows;

const objects = [
  { id: "src-customers", path: [database, "sales", "customers"], objectType: "TABLE" },
  { id: "src-hostile", path: [database, hostileSchema, hostileTable], objectType: "TABLE" },
];
const view = (i: number) => rsQualified("steward_views", viewNameFor(objects[i]!.path[1]!, objects[i]!.path[2]!));

const col = (name: string): Expr => ({ k: "column", name });
const customersSpec: PolicyViewSpec = {
  sourceId: "src-customers",
  policyIds: ["p-email", "p-region"],
  conflicts: [],
  columns: [
    { name: "id", type: "integer", dataType: "integer", expr: col("id") },
    {
      name: "email",
      type: "text",
      dataType: "text",
      maskedBy: "p-email",
      expr: {
        k: "case",
        when: { k: "inProfileSet", value: { k: "literal", value: { k: "text", value: "hr" } }, set: { k: "groups" } },
        // biome-ignore lint/suspicious/noThenProperty: the IR names a CASE branch "then"
        then: col("email"),
        else: { k: "mask", mask: { kind: "showLast", count: 4 }, arg: col("email"), type: "text" },
      },
    },
    { name: "region", type: "text", dataType: "text", expr: col("region") },
  ],
  rowFilter: { k: "inProfileSet", value: col("region"), set: { k: "attributeValues", key: "Region" } },
};

const profile = (accountName: string, over: Partial<ProfileRow> = {}): ProfileRow => ({
  accountName,
  userId: `u-${accountName}`,
  username: accountName,
  groups: [],
  attributes: {},
  projectId: null,
  purposes: [],
  sources: [],
  ...over,
});

let version = 0;
function desired(over: Partial<AccessDesiredState> = {}, profiles?: ProfileRow[], access_?: AccessEntry[]): AccessDesiredState {
  return {
    connectionId: "rs",
    version: ++version,
    objects,
    accounts: [alice, bob, hostile, carol, ghost],
    access: access_ ?? [
      { objectId: "src-customers", accountName: alice, level: "READ" },
      { objectId: "src-customers", accountName: bob, level: "WRITE" },
      { objectId: "src-customers", accountName: ghost, level: "READ" },
      { objectId: "src-hostile", accountName: hostile, level: "READ" },
    ],
    settings: { unmanagedGrants: "REPORT" },
    dataPolicies: {
      viewsForEverything: false,
      views: [customersSpec],
      hashSalt: SALT,
      profiles: profiles ?? [
        profile(alice, { attributes: { Region: ["EU", WEIRD] } }),
        profile(bob, { groups: ["hr"], attributes: { Region: ["a", "b'\\"] } }),
        profile(hostile, { groups: ["x,y"] }),
      ],
    },
    ...over,
  };
}

beforeAll(async () => {
  await query(`CREATE DATABASE ${rsIdent(database)}`);
  await query(`ALTER DATABASE ${rsIdent(database)} SET standard_conforming_strings = off`);
  for (const r of [alice, bob, hostile, carol]) await query(`CREATE ROLE ${rsIdent(r)} LOGIN`);
  await query(`CREATE ROLE ${rsIdent(outsider)} NOLOGIN`);
  await sql(
    [
      "CREATE SCHEMA sales",
      `CREATE TABLE sales.customers (id int, email text, region text)`,
      `INSERT INTO sales.customers VALUES (1, 'ann@example.com', 'EU'), (2, 'bo@example.com', 'US'), (3, 'cy@example.com', ${rsLiteral(WEIRD)}), (4, 'di@example.com', 'a'), (5, 'ed@example.com', 'b''\\\\')`,
      `CREATE SCHEMA ${rsIdent(hostileSchema)}`,
      `CREATE TABLE ${rsQualified(hostileSchema, hostileTable)} (${rsIdent(HOSTILE_NAMES[1]!)} int, ${rsIdent(HOSTILE_NAMES[4]!)} text)`,
      `INSERT INTO ${rsQualified(hostileSchema, hostileTable)} VALUES (7, 'seven')`,
      `REVOKE ALL ON DATABASE ${rsIdent(database)} FROM PUBLIC`,
      `GRANT CONNECT ON DATABASE ${rsIdent(database)} TO ${[alice, bob, hostile, carol].map(rsIdent).join(", ")}`,
    ].join(";\n"),
  );
});
afterAll(() => cleanup({ databases: [database], rolePrefixes: [prefix] }));

describe("Redshift connector on PostgreSQL (ran: CONNECTION_INFO_SQL, crawlSql)", () => {
  it("tests the connection and says the server is not Redshift", async () => {
    const res = await adapter.catalog!.testConnection(adapter.catalog!.configSchema.parse(config), { password: "" });
    expect(res.ok).toBe(true);
    expect(res.ok && res.warnings.some((w) => /does not identify itself as Redshift/.test(w))).toBe(true);
  });

  it("reports an unreachable endpoint", async () => {
    const res = await adapter.catalog!.testConnection(adapter.catalog!.configSchema.parse({ ...config, port: 1 }), { password: "" });
    expect(res).toMatchObject({ ok: false, problem: { code: "UNREACHABLE" } });
    expect(!res.ok && res.problem.message).toMatch(/Redshift/);
  });

  it("crawls tables with hostile names and exact columns, skipping Steward's schemas", async () => {
    await access.apply(connection, desired()); // creates steward_system / steward_views, which must not be crawled
    const objs = await adapter.catalog!.crawl(adapter.catalog!.configSchema.parse(config), { password: "" });
    const customers = objs.find((o) => o.path.join(".") === `${database}.sales.customers`);
    expect(customers).toEqual({
      path: [database, "sales", "customers"],
      objectType: "TABLE",
      columns: [
        { name: "id", dataType: "integer", ordinal: 1, nullable: true },
        { name: "email", dataType: "text", ordinal: 2, nullable: true },
        { name: "region", dataType: "text", ordinal: 3, nullable: true },
      ],
    });
    const h = objs.find((o) => o.path[1] === hostileSchema && o.path[2] === hostileTable);
    expect(h?.columns.map((c) => c.name)).toEqual([HOSTILE_NAMES[1], HOSTILE_NAMES[4]]);
    expect(objs.filter((o) => o.path[1] === "steward_system" || o.path[1] === "steward_views")).toEqual([]);
  });
});

describe("Redshift access on PostgreSQL, as the end users (ran: system DDL, profile DML, view bodies, GRANT/REVOKE)", () => {
  it("applied: masks, attribute row filter with delimiter-holding values, grants only to subscribed users", async () => {
    const res = await access.apply(connection, desired());
    expect(res.kind === "applied" || res.kind === "unchanged").toBe(true);
    const q = `SELECT id, email, region FROM ${view(0)} ORDER BY id`;
    expect(await as(alice, q)).toEqual([
      { id: 1, email: "***********.com", region: "EU" },
      { id: 3, email: "**********.com", region: WEIRD },
    ]);
    // bob is in hr (clear emails) and holds "a" and "b'\" — but not the value "a,b'\" they would spell unencoded.
    expect(await as(bob, q)).toEqual([
      { id: 4, email: "di@example.com", region: "a" },
      { id: 5, email: "ed@example.com", region: "b'\\" },
    ]);
    expect(await tryAs(carol, database, q)).toMatch(/permission denied/);
    expect(await tryAs(hostile, database, q)).toMatch(/permission denied/);
    expect(await as(hostile, `SELECT * FROM ${view(1)}`)).toEqual([{ [HOSTILE_NAMES[1]!]: 7, [HOSTILE_NAMES[4]!]: "seven" }]);
  });

  it("keeps base tables, the profile table and the salt out of reach; user_profile shows only the caller", async () => {
    expect(await tryAs(alice, database, "SELECT * FROM sales.customers")).toMatch(/permission denied/);
    expect(await tryAs(alice, database, "SELECT * FROM steward_system.profile")).toMatch(/permission denied/);
    expect(await tryAs(alice, database, "SELECT * FROM steward_system.hash_salt")).toMatch(/permission denied/);
    const mine = await as(alice, "SELECT account, attributes, sources FROM steward_system.user_profile");
    expect(mine).toEqual([{ account: alice, attributes: ",Region:EU,Region:a%2Cb'\\,", sources: ",src-customers," }]);
    expect((await sql("SELECT salt FROM steward_system.hash_salt")).rows).toEqual([{ salt: SALT }]);
  });

  it("reports WRITE as READ and the account with no user; never puts the salt in a statement", async () => {
    await sql("DELETE FROM steward_system.hash_salt");
    const res = await access.apply(connection, desired());
    expect(res.kind).toBe("applied");
    if (res.kind !== "applied") return;
    expect(res.warnings.some((w) => /1 WRITE entries granted as READ/.test(w))).toBe(true);
    expect(res.warnings.some((w) => w.includes(ghost))).toBe(true);
    expect(res.statements.join("\n")).not.toContain(SALT);
    expect((await sql("SELECT salt FROM steward_system.hash_salt")).rows).toEqual([{ salt: SALT }]);
    expect((await sql("SELECT account FROM steward_system.profile WHERE account = $1", [ghost])).rowCount).toBe(1);
  });

  it("is idempotent: a second apply issues nothing and the plan is empty", async () => {
    expect((await access.apply(connection, desired())).kind).toBe("unchanged");
    const plan = await access.plan(connection, desired());
    expect(plan.kind === "planned" && plan.statements).toEqual([]);
    expect(plan.kind === "planned" && plan.findings).toEqual([]);
  });

  it("delta path: an attribute change updates one profile row, rebuilds no view, and shows at once", async () => {
    const changed = desired({ scope: { accounts: [alice] } }, [profile(alice, { attributes: { Region: ["US"] } })]);
    const res = await access.apply(connection, changed);
    expect(res.kind === "applied" && res.statements).toEqual([
      expect.stringMatching(/^UPDATE "steward_system"."profile" SET .*"attributes" = ',Region:US,'.* WHERE "account" = /),
    ]);
    expect(await as(alice, `SELECT id FROM ${view(0)}`)).toEqual([{ id: 2 }]);
    expect((await access.apply(connection, desired())).kind).toBe("applied");
  });

  it("a grant without a subscription shows nothing: the view checks the profile's sources too", async () => {
    await sql(`UPDATE steward_system.profile SET sources = ',' WHERE account = $1`, [alice]);
    expect(await as(alice, `SELECT id FROM ${view(0)}`)).toEqual([]);
    const drift = await access.drift(connection, desired());
    expect(drift.kind === "drift" && drift.findings).toEqual([{ kind: "PROFILE_MISMATCH", repairable: true, accountName: alice }]);
    await access.apply(connection, desired());
    expect(await as(alice, `SELECT id FROM ${view(0)}`)).toHaveLength(2);
  });

  it("detects a view edited by hand and a grant taken away, and repairs both", async () => {
    // Drop the subscription check, keep the columns: exactly the edit that would leak data.
    await sql(`CREATE OR REPLACE VIEW ${view(1)} AS SELECT * FROM ${rsQualified(hostileSchema, hostileTable)}`);
    await sql(`REVOKE SELECT ON ${view(0)} FROM ${rsIdent(alice)}`);
    const drift = await access.drift(connection, desired());
    const kinds = drift.kind === "drift" ? drift.findings.map((f) => `${f.kind}:${f.repairable}`).sort() : [];
    expect(kinds).toEqual(["MISSING_GRANT:true", "VIEW_CHANGED:true"]);
    expect((await access.apply(connection, desired())).kind).toBe("applied");
    expect(await as(alice, `SELECT id FROM ${view(0)}`)).toHaveLength(2);
    const after = await access.drift(connection, desired());
    expect(after.kind === "drift" && after.findings).toEqual([]);
    await sql(`UPDATE steward_system.profile SET sources = ',' WHERE account = $1`, [hostile]);
    expect(await as(hostile, `SELECT * FROM ${view(1)}`)).toEqual([]); // the check is back in the view
    await access.apply(connection, desired());
  });

  it("revokes a managed account's extra grant; reports an outsider's grant, revoking it only with REVOKE", async () => {
    await sql(`GRANT SELECT ON ${view(0)} TO ${rsIdent(carol)}, ${rsIdent(outsider)}`);
    const drift = await access.drift(connection, desired());
    const found = drift.kind === "drift" ? drift.findings.map((f) => `${f.kind}:${f.repairable}`).sort() : [];
    expect(found).toEqual(["EXTRA_GRANT:true", "UNMANAGED_GRANT:false"]);
    const res = await access.apply(connection, desired());
    expect(res.kind === "applied" && res.statements).toEqual([`REVOKE SELECT ON ${view(0)} FROM ${rsIdent(carol)}`]);
    const revoking = desired({ settings: { unmanagedGrants: "REVOKE" } });
    const res2 = await access.apply(connection, revoking);
    // A NOLOGIN role reads as a group here (PostgreSQL takes the GROUP keyword); Redshift's ROLE form is golden-tested.
    expect(res2.kind === "applied" && res2.statements).toEqual([`REVOKE SELECT ON ${view(0)} FROM GROUP ${rsIdent(outsider)}`]);
  });

  it("drops the view of a source no longer governed, and removes profiles of accounts no longer managed", async () => {
    const res = await access.apply(connection, desired({ objects: objects.slice(0, 1), accounts: [alice, bob, ghost] }));
    expect(res.kind === "applied" && res.statements).toEqual([
      `DROP VIEW IF EXISTS ${view(1)}`,
      `DELETE FROM "steward_system"."profile" WHERE "account" IN (${[hostile, carol].sort().map(rsLiteral).join(", ")})`,
    ]);
    expect((await sql("SELECT count(*)::int AS n FROM pg_views WHERE schemaname = 'steward_views'")).rows[0]?.n).toBe(1);
    expect((await access.apply(connection, desired())).kind).toBe("applied");
  });

  it("classifies an unreachable server TRANSIENT and a broken desired state PERMANENT, changing nothing", async () => {
    const down = await access.apply({ config: { ...config, port: 1 }, credentials: { password: "" } }, desired());
    expect(down.kind === "failed" && [down.error.code, down.error.errorClass]).toEqual(["UNREACHABLE", "TRANSIENT"]);
    const twice = await access.apply(connection, desired({ objects: [...objects, objects[0]!] }));
    expect(twice.kind === "failed" && twice.error.errorClass).toBe("PERMANENT");
    expect((await access.apply(connection, desired())).kind).toBe("unchanged");
  });
});
