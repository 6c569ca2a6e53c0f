import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOSTILE_NAMES } from "../../sql/hostile-names";
import { qualified, quoteIdent } from "../../sql/quote";
import { scopePrefix } from "./naming";
import { detectDrift, planReconcile, reconcile } from "./reconcile";
import { cleanup, LOCAL_TARGET, query, runId, tryAs } from "./testing";
import type { DesiredState } from "./types";

const run = runId();
const DB = `stw_grants_it_${run}`;
const CONN = `it-${run}`;
const PREFIX = scopePrefix(CONN, DB);
const alice = `it${run}_alice`;
const bob = `it${run}_Bob "W"`; // upper case and a quote
const carol = `it${run}_carol`;
const outsider = `it${run}_outsider`;
const hostileGrantee = `it${run}"; DROP ROLE postgres; --`;
const hostileUsers = [`${run}"; DROP ROLE postgres; --`, `ünïcødé_名前_${run}`, `${run}${"x".repeat(55)}`]; // last: 63 bytes
const hostileSchemas = HOSTILE_NAMES.slice(0, 6);
const ALL_USERS = [alice, bob, carol, outsider, hostileGrantee, ...hostileUsers];

const objects: DesiredState["objects"] = [
  { id: "orders", schema: "sales", name: "orders", objectType: "TABLE" },
  { id: "orders_v", schema: "sales", name: "orders_v", objectType: "VIEW" },
  { id: "counts", schema: "sales", name: "counts", objectType: "MATERIALIZED_VIEW" },
  { id: "events", schema: "sales", name: "events", objectType: "PARTITIONED_TABLE" },
  { id: "gone", schema: "sales", name: "gone", objectType: "TABLE" },
  ...hostileSchemas.map((s, i) => ({
    id: `h${i}`,
    schema: s,
    name: HOSTILE_NAMES[HOSTILE_NAMES.length - 1 - i]!,
    objectType: "TABLE" as const,
  })),
];

function desired(over: Partial<DesiredState> = {}): DesiredState {
  return {
    connectionId: CONN,
    version: 1,
    database: DB,
    objects,
    users: [alice, bob, ...hostileUsers].map((accountName) => ({ accountName })),
    access: [
      { objectId: "orders", accountName: alice, level: "READ" },
      { objectId: "orders_v", accountName: alice, level: "READ" },
      { objectId: "orders", accountName: bob, level: "WRITE" },
      { objectId: "orders_v", accountName: bob, level: "WRITE" },
      { objectId: "counts", accountName: bob, level: "WRITE" },
      { objectId: "events", accountName: bob, level: "WRITE" },
      { objectId: "events", accountName: alice, level: "READ" },
      ...objects
        .filter((o) => o.id.startsWith("h"))
        .flatMap((o) => hostileUsers.map((accountName) => ({ objectId: o.id, accountName, level: "READ" as const }))),
    ],
    ...over,
  };
}

const sql = (text: string, params: unknown[] = []) => query(text, params, { database: DB });
const can = async (user: string, obj: string, priv: string) =>
  (await sql("SELECT has_table_privilege($1, $2, $3) AS ok", [user, obj, priv])).rows[0]!.ok as boolean;

beforeAll(async () => {
  await query(`CREATE DATABASE ${quoteIdent(DB)}`);
  await query(`CREATE ROLE ${quoteIdent(outsider)} LOGIN; CREATE ROLE ${quoteIdent(carol)} LOGIN`);
  await sql(
    [
      "CREATE SCHEMA sales",
      "CREATE TABLE sales.orders (id int, note text)",
      "INSERT INTO sales.orders VALUES (1, 'a')",
      "CREATE VIEW sales.orders_v AS SELECT id, note FROM sales.orders",
      "CREATE MATERIALIZED VIEW sales.counts AS SELECT count(*) AS n FROM sales.orders",
      "CREATE TABLE sales.events (id int, at date NOT NULL) PARTITION BY RANGE (at)",
      "CREATE TABLE sales.events_2026 PARTITION OF sales.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
      "CREATE TABLE sales.gone (id int)",
      ...objects
        .filter((o) => o.id.startsWith("h"))
        .flatMap((o) => [`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(o.schema)}`, `CREATE TABLE ${qualified(o.schema, o.name)} (id int)`]),
      `REVOKE ALL ON DATABASE ${quoteIdent(DB)} FROM PUBLIC`, // CONNECT must come from Steward's grants
    ].join(";\n"),
  );
  await sql("DROP TABLE sales.gone"); // dropped after the platform's last catalog sync
});
afterAll(() => cleanup({ databases: [DB], rolePrefixes: [PREFIX], roles: ALL_USERS }));

describe("reconcile (local PostgreSQL)", () => {
  it("plans exactly what it then applies, creating users, roles and grants in one go", async () => {
    const plan = await planReconcile(LOCAL_TARGET, desired());
    expect(plan.kind).toBe("planned");
    const res = await reconcile(LOCAL_TARGET, desired());
    expect(res.kind).toBe("applied");
    if (res.kind !== "applied" || plan.kind !== "planned") return;
    expect(res.statements).toEqual(plan.statements);
    expect(res.counts.usersCreated).toBe(5);
    expect(res.warnings.join()).toMatch(/1 objects no longer exist/);
    const created = await query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1 AND shobj_description(oid, 'pg_authid') = $2",
      [alice, `managed by steward: login for connection ${CONN}`],
    );
    expect(created.rows[0]!.n).toBe(1);
  });

  it("enforces levels for real logins: READ selects, WRITE writes tables, WRITE on views is SELECT only", async () => {
    expect(await can(alice, "sales.orders", "SELECT")).toBe(true);
    expect(await can(alice, "sales.orders", "INSERT")).toBe(false);
    expect(
      (await sql("SELECT has_schema_privilege($1, 'sales', 'USAGE') AS a, has_database_privilege($1, $2, 'CONNECT') AS b", [alice, DB]))
        .rows[0],
    ).toEqual({ a: true, b: true });
    expect(await tryAs(alice, DB, "SELECT * FROM sales.orders")).toBe("ok");
    expect(await tryAs(alice, DB, "INSERT INTO sales.orders VALUES (2, 'x')")).toMatch(/permission denied/);
    expect(await tryAs(alice, DB, "SELECT * FROM sales.counts")).toMatch(/permission denied/);
    expect(await tryAs(bob, DB, "INSERT INTO sales.orders VALUES (3, 'b')")).toBe("ok");
    expect(await tryAs(bob, DB, "DELETE FROM sales.orders WHERE id = 3")).toBe("ok");
    expect(await tryAs(bob, DB, "SELECT * FROM sales.orders_v")).toBe("ok");
    expect(await tryAs(bob, DB, "INSERT INTO sales.orders_v VALUES (4, 'v')")).toMatch(/permission denied/);
    expect(await tryAs(bob, DB, "SELECT * FROM sales.counts")).toBe("ok");
    expect(await tryAs(bob, DB, "INSERT INTO sales.events VALUES (1, '2026-05-01')")).toBe("ok");
    expect(await tryAs(alice, DB, "SELECT * FROM sales.events")).toBe("ok");
    expect(await tryAs(alice, DB, "INSERT INTO sales.events VALUES (2, '2026-05-01')")).toMatch(/permission denied/);
    expect(await tryAs(carol, DB, "SELECT 1")).toMatch(/permission denied for database/);
  });

  it("works with hostile schema, table and user names", async () => {
    for (const o of objects.filter((x) => x.id.startsWith("h"))) {
      for (const u of hostileUsers) expect(await can(u, qualified(o.schema, o.name), "SELECT")).toBe(true);
      expect(await can(alice, qualified(o.schema, o.name), "SELECT")).toBe(false);
    }
    const first = objects.find((o) => o.id === "h0")!;
    expect(await tryAs(hostileUsers[0]!, DB, `SELECT * FROM ${qualified(first.schema, first.name)}`)).toBe("ok");
    expect(await tryAs(hostileUsers[2]!, DB, `SELECT * FROM ${qualified(first.schema, first.name)}`)).toBe("ok");
  });

  it("is idempotent: a second reconcile issues no statement", async () => {
    const again = await reconcile(LOCAL_TARGET, desired());
    expect(again.kind).toBe("unchanged");
    const plan = await planReconcile(LOCAL_TARGET, desired());
    expect(plan.kind === "planned" && plan.statements).toEqual([]);
  });

  it("keeps every object ACL to a few Steward grantees and adds a user by memberships only", async () => {
    const acl = await sql("SELECT array_length(relacl, 1) AS n FROM pg_class WHERE oid = 'sales.orders'::regclass");
    expect(acl.rows[0]!.n).toBeLessThanOrEqual(3); // owner + read role + write role
    const withCarol = desired({
      users: [...desired().users, { accountName: carol }],
      access: [
        ...desired().access,
        ...["orders", "orders_v", "events"].map((objectId) => ({ objectId, accountName: carol, level: "READ" as const })),
      ],
    });
    // carol joins two existing audiences ({alice} on orders+events, {alice, bob} on the view): the
    // roles keep their names, only memberships change
    const res = await reconcile(LOCAL_TARGET, withCarol);
    const membership = /^GRANT "stw_[0-9a-f]{8}_r_[0-9a-f]{10}" TO "it[0-9a-f]{8}_carol"$/;
    expect(res.kind === "applied" && res.statements).toEqual([expect.stringMatching(membership), expect.stringMatching(membership)]);
    expect(await tryAs(carol, DB, "SELECT * FROM sales.orders_v")).toBe("ok");
    const back = await reconcile(LOCAL_TARGET, desired());
    expect(back.kind === "applied" && back.counts).toMatchObject({ membershipsRevoked: 2, rolesCreated: 0, rolesDropped: 0 });
    expect(await tryAs(carol, DB, "SELECT * FROM sales.orders")).toMatch(/permission denied/);
  });

  it("detects and repairs hand-made drift, and reports but keeps unmanaged grants", async () => {
    const bare = (
      await sql(
        "SELECT a.grantee::regrole::text AS r FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = 'sales.orders'::regclass AND a.privilege_type = 'INSERT' AND a.grantee::regrole::text LIKE '%stw_%'",
      )
    ).rows[0]!.r as string;
    const role = quoteIdent(bare);
    await sql(
      `REVOKE DELETE ON sales.orders FROM ${role}; GRANT ${role} TO ${quoteIdent(outsider)}; GRANT UPDATE ON sales.orders TO ${quoteIdent(alice)}`,
    );
    const drift = await detectDrift(LOCAL_TARGET, desired());
    expect(drift.kind).toBe("drift");
    if (drift.kind !== "drift") return;
    expect(drift.findings).toContainEqual({
      kind: "MISSING_PRIVILEGE",
      role: bare,
      target: { kind: "relation", schema: "sales", name: "orders" },
      privileges: ["DELETE"],
    });
    expect(drift.findings).toContainEqual({ kind: "EXTRA_MEMBERSHIP", role: bare, member: outsider });
    expect(drift.findings).toContainEqual({
      kind: "UNMANAGED_GRANT",
      grantee: alice,
      objectId: "orders",
      schema: "sales",
      name: "orders",
      privileges: ["UPDATE"],
    });
    const res = await reconcile(LOCAL_TARGET, desired());
    expect(res.kind === "applied" && res.statements).toEqual([
      `REVOKE ${role} FROM ${quoteIdent(outsider)}`,
      `GRANT DELETE ON TABLE "sales"."orders" TO ${role}`,
    ]);
    expect(await tryAs(outsider, DB, "SELECT * FROM sales.orders")).toMatch(/permission denied/);
    expect(await can(alice, "sales.orders", "UPDATE")).toBe(true); // not Steward's grant: left alone
    const after = await detectDrift(LOCAL_TARGET, desired());
    expect(after.kind === "drift" && after.findings.map((f) => f.kind).sort()).toEqual(["MISSING_OBJECT", "UNMANAGED_GRANT"]);
  });

  it("drops roles nobody needs when access goes away, leaving the users", async () => {
    const res = await reconcile(LOCAL_TARGET, desired({ access: desired().access.filter((a) => a.accountName !== bob) }));
    expect(res.kind === "applied" && res.counts.rolesDropped).toBeGreaterThanOrEqual(1);
    expect(await tryAs(bob, DB, "SELECT 1")).toMatch(/permission denied for database/);
    expect((await query("SELECT 1 FROM pg_roles WHERE rolname = $1", [bob])).rowCount).toBe(1);
    expect((await reconcile(LOCAL_TARGET, desired())).kind).toBe("applied");
  });

  it("serializes concurrent reconciles of one scope: one applies, the other finds nothing to do", async () => {
    const next = desired({ access: [...desired().access, { objectId: "counts", accountName: alice, level: "READ" }] });
    const results = await Promise.all([reconcile(LOCAL_TARGET, next), reconcile(LOCAL_TARGET, next)]);
    expect(results.map((r) => r.kind).sort()).toEqual(["applied", "unchanged"]);
    expect(await tryAs(alice, DB, "SELECT * FROM sales.counts")).toBe("ok");
  });

  it("times out instead of waiting forever behind a lock", async () => {
    const holder = new pg.Client({ host: LOCAL_TARGET.host, port: LOCAL_TARGET.port, user: LOCAL_TARGET.user, database: DB });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT pg_advisory_xact_lock(hashtext($1))", [PREFIX]); // what a running reconcile holds
      const res = await reconcile(LOCAL_TARGET, desired(), { statementTimeoutMs: 300, maxAttempts: 1 });
      expect(res.kind === "failed" && res.error.code).toBe("TIMEOUT");
    } finally {
      await holder.end();
    }
  });

  it("skips an unusable user instead of failing everyone, and rejects unquotable objects before connecting", async () => {
    const withBad = desired({
      users: [...desired().users, { accountName: "x".repeat(64) }, { accountName: "CURRENT_USER" }, { accountName: "postgres" }],
      access: [...desired().access, { objectId: "orders", accountName: "CURRENT_USER", level: "WRITE" }],
    });
    const res = await reconcile(LOCAL_TARGET, withBad);
    expect(res.kind).not.toBe("failed");
    expect(res.kind !== "failed" && res.warnings.filter((w) => /^user .* skipped: /.test(w))).toHaveLength(3);
    const bad = await reconcile(LOCAL_TARGET, desired({ database: "x".repeat(64) }));
    expect(bad.kind === "failed" && bad.error.code).toBe("INVALID_INPUT");
  });

  it("revokes grants made outside Steward (hostile grantee, PUBLIC) only with unmanagedGrants REVOKE, reporting each once", async () => {
    await query(`CREATE ROLE ${quoteIdent(hostileGrantee)} LOGIN`);
    await sql(
      [
        `GRANT SELECT ON sales.orders TO ${quoteIdent(carol)}`,
        `GRANT SELECT, INSERT ON sales.orders TO ${quoteIdent(hostileGrantee)} WITH GRANT OPTION`,
        `GRANT SELECT ON sales.orders_v TO PUBLIC`,
        `GRANT CONNECT ON DATABASE ${quoteIdent(DB)} TO ${quoteIdent(carol)}, ${quoteIdent(hostileGrantee)}`,
        `GRANT USAGE ON SCHEMA sales TO ${quoteIdent(carol)}, ${quoteIdent(hostileGrantee)}`,
      ].join(";\n"),
    );
    expect(await tryAs(carol, DB, "SELECT * FROM sales.orders")).toBe("ok");
    const report = await detectDrift(LOCAL_TARGET, desired());
    const unmanaged = report.kind === "drift" ? report.findings.filter((f) => f.kind === "UNMANAGED_GRANT") : [];
    expect(unmanaged.map((f) => `${f.grantee}@${f.name}:${f.privileges.join()}`).sort()).toEqual(
      [`${alice}@orders:UPDATE`, `${carol}@orders:SELECT`, `${hostileGrantee}@orders:SELECT,INSERT`, "PUBLIC@orders_v:SELECT"].sort(),
    );
    expect((await reconcile(LOCAL_TARGET, desired())).kind).toBe("unchanged"); // REPORT is the default

    const res = await reconcile(LOCAL_TARGET, desired({ unmanagedGrants: "REVOKE" }));
    expect(res.kind).toBe("applied");
    expect(res.kind === "applied" && res.statements.filter((x) => x.includes("CASCADE"))).toEqual(
      expect.arrayContaining([
        `REVOKE SELECT, INSERT ON TABLE "sales"."orders" FROM ${quoteIdent(hostileGrantee)} CASCADE`,
        `REVOKE SELECT ON TABLE "sales"."orders_v" FROM PUBLIC CASCADE`,
      ]),
    );
    expect(await tryAs(carol, DB, "SELECT * FROM sales.orders")).toMatch(/permission denied/);
    expect(await tryAs(hostileGrantee, DB, "SELECT * FROM sales.orders")).toMatch(/permission denied/);
    expect(await tryAs(outsider, DB, "SELECT 1")).toMatch(/permission denied for database/);
    expect(await can(alice, "sales.orders", "UPDATE")).toBe(false);
    // Steward's own grants, the owner's and anything outside governed objects stay.
    expect(await tryAs(alice, DB, "SELECT * FROM sales.orders")).toBe("ok");
    expect(await tryAs(bob, DB, "INSERT INTO sales.orders VALUES (5, 'b')")).toBe("ok");
    expect((await sql("SELECT has_schema_privilege($1, 'sales', 'USAGE') AS ok", [carol])).rows[0]!.ok).toBe(true);
    expect((await reconcile(LOCAL_TARGET, desired({ unmanagedGrants: "REVOKE" }))).kind).toBe("unchanged");
    const after = await detectDrift(LOCAL_TARGET, desired({ unmanagedGrants: "REVOKE" }));
    expect(after.kind === "drift" && after.findings.map((f) => f.kind)).toEqual(["MISSING_OBJECT"]);
  });

  it("disables the login of a user Steward created once it no longer manages them, keeps the role, and restores it", async () => {
    await sql(`CREATE TABLE sales.bobs_notes (id int); ALTER TABLE sales.bobs_notes OWNER TO ${quoteIdent(bob)}`);
    const withoutBob = desired({
      users: desired().users.filter((u) => u.accountName !== bob),
      access: desired().access.filter((a) => a.accountName !== bob),
    });
    const res = await reconcile(LOCAL_TARGET, withoutBob);
    expect(res.kind === "applied" && res.statements).toEqual(expect.arrayContaining([`ALTER ROLE ${quoteIdent(bob)} NOLOGIN`]));
    expect(await tryAs(bob, DB, "SELECT 1")).toMatch(/not permitted to log in/);
    const memberships = await query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid WHERE m.member = $1::regrole AND starts_with(r.rolname, $2)",
      [quoteIdent(bob), PREFIX],
    );
    expect(memberships.rows[0]!.n).toBe(0);
    // Roles Steward did not create are never touched, managed or not.
    expect((await query("SELECT rolcanlogin FROM pg_roles WHERE rolname = $1", [carol])).rows[0]).toEqual({ rolcanlogin: true });
    expect((await reconcile(LOCAL_TARGET, withoutBob)).kind).toBe("unchanged");

    const back = await reconcile(LOCAL_TARGET, desired());
    expect(back.kind === "applied" && back.statements).toEqual(expect.arrayContaining([`ALTER ROLE ${quoteIdent(bob)} LOGIN`]));
    expect(await tryAs(bob, DB, "INSERT INTO sales.orders VALUES (6, 'b')")).toBe("ok");
  });
});
