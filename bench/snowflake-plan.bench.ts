/**
 * Issue #10 for Snowflake: planning + applying 1,000 users × 5,000 tables × 50 policies. Goal: the
 * statements Steward issues ≤ the minimal set a person would write for the same end state, and a
 * no-change reconcile issues 0 statements.
 *
 * 1. The pure planner (planner.ts) from an empty account: statements counted by kind.
 * 2. The minimal hand-written script for the same effective access (formula in `minimalScript`).
 * 3. Steward's real adapter (snowflake-sdk) applies it to the wire-protocol emulator (snowflake/testing);
 *    the minimal script runs on a second emulator; both accounts must give every user exactly the
 *    desired privileges (so the comparison is between two scripts that reach the same end state).
 * 4. A no-change reconcile through the adapter: `unchanged`, 0 statements.
 *
 *   npm run bench -- snowflake-plan      (no external service: the emulator runs in this process)
 */
import os from "node:os";
import type { AccessDesiredState, AccessEntry, AccessObject } from "../libs/integrations/src/access-types";
import { snowflakeAdapter } from "../libs/integrations/src/snowflake/adapter";
import { scopePrefix, showName } from "../libs/integrations/src/snowflake/naming";
import { WRITE_PRIVILEGES } from "../libs/integrations/src/snowflake/objects";
import { type PlanInput, planAccess } from "../libs/integrations/src/snowflake/planner";
import type { SfState } from "../libs/integrations/src/snowflake/state";
import { connectionFor, startEmulatedAccount } from "../libs/integrations/src/snowflake/testing/fixture";
import type { SnowflakeModel } from "../libs/integrations/src/snowflake/testing/model";
import type { WireServer } from "../libs/integrations/src/snowflake/testing/wire-server";
import { qualifiedSnowflake, quoteSnowflakeIdent } from "../libs/integrations/src/sql/quote";

/** Fails the run (never a timing: those are reported, not asserted). */
const expect = (actual: unknown) => ({
  toBe(expected: unknown) {
    if (actual !== expected) throw new Error(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  },
});

const USERS = 1000;
const TABLES = 5000;
const SCHEMAS = 50;
const POLICIES = 50;
const TABLES_PER_POLICY = TABLES / POLICIES; // 100
const AUDIENCE = USERS / POLICIES; // 20
const DATABASE = "BENCH_DB";
const CONNECTION_ID = "snowflake-bench";

// The same shape as the UC planner's scale test: policy p gives users [20p, 20p+20) READ (even p) or
// WRITE (odd p) on tables [100p, 100p+100); table i lives in schema i % 50, so every policy touches
// all 50 schemas (2 tables each).
const pad = (n: number, w: number) => String(n).padStart(w, "0");
const users = Array.from({ length: USERS }, (_, i) => `U${pad(i, 4)}`);
const objects: AccessObject[] = Array.from({ length: TABLES }, (_, i) => ({
  id: `t${i}`,
  path: [DATABASE, `S${pad(i % SCHEMAS, 2)}`, `T${pad(i, 4)}`],
  objectType: "TABLE",
}));
const access: AccessEntry[] = [];
for (let p = 0; p < POLICIES; p++)
  for (let t = p * TABLES_PER_POLICY; t < (p + 1) * TABLES_PER_POLICY; t++)
    for (let u = p * AUDIENCE; u < (p + 1) * AUDIENCE; u++)
      access.push({ objectId: `t${t}`, accountName: users[u]!, level: p % 2 ? "WRITE" : "READ" });

const privilegesOf = (level: "READ" | "WRITE") => (level === "WRITE" ? WRITE_PRIVILEGES : ["SELECT"]);

/**
 * The minimal script a person would write for the same effective access, one role per policy:
 *   P   CREATE ROLE                                      (one per policy; fewer cannot separate audiences)
 * + T   GRANT <privileges> ON TABLE … TO ROLE            (one per table: Snowflake takes a privilege list,
 *                                                         and no schema-wide grant fits 2 tables of 100)
 * + Σp (schemas touched by p + databases touched by p)   GRANT USAGE ON SCHEMA / DATABASE … TO ROLE
 * + Σp |audience of p|                                   GRANT ROLE … TO USER
 * = 50 + 5,000 + 50 × (50 + 1) + 1,000 = 8,600 here. Computed from the data below, not hard-coded.
 */
function minimalScript(): { statements: string[]; byKind: Record<string, number> } {
  const byKind = { createRole: 0, objectGrants: 0, usageGrants: 0, roleToUser: 0 };
  const statements: string[] = [];
  const objectOf = new Map(objects.map((o) => [o.id, o]));
  const roles = new Map<string, { level: "READ" | "WRITE"; tables: Set<string>; users: Set<string> }>();
  // A policy is identified here by what it gives; the audience + level is what a person would name a role after.
  const audienceOf = new Map<string, Set<string>>();
  for (const a of access) {
    const key = `${a.objectId}\n${a.level}`;
    (audienceOf.get(key) ?? audienceOf.set(key, new Set()).get(key)!).add(a.accountName);
  }
  for (const [key, members] of audienceOf) {
    const [objectId, level] = key.split("\n") as [string, "READ" | "WRITE"];
    const roleKey = `${level}\n${[...members].sort().join(",")}`;
    const role = roles.get(roleKey) ?? roles.set(roleKey, { level, tables: new Set(), users: members }).get(roleKey)!;
    role.tables.add(objectId);
  }
  let n = 0;
  for (const { level, tables, users: members } of roles.values()) {
    const role = quoteSnowflakeIdent(`POLICY_ROLE_${++n}`);
    statements.push(`CREATE ROLE ${role}`);
    byKind.createRole++;
    const schemas = new Map<string, string[]>();
    const databases = new Set<string>();
    for (const id of tables) {
      const o = objectOf.get(id)!;
      statements.push(`GRANT ${privilegesOf(level).join(", ")} ON TABLE ${qualifiedSnowflake(...o.path)} TO ROLE ${role}`);
      byKind.objectGrants++;
      schemas.set(showName(o.path.slice(0, 2)), o.path.slice(0, 2));
      databases.add(o.path[0]!);
    }
    for (const db of databases) statements.push(`GRANT USAGE ON DATABASE ${qualifiedSnowflake(db)} TO ROLE ${role}`);
    for (const parts of schemas.values()) statements.push(`GRANT USAGE ON SCHEMA ${qualifiedSnowflake(...parts)} TO ROLE ${role}`);
    byKind.usageGrants += databases.size + schemas.size;
    for (const u of members) statements.push(`GRANT ROLE ${role} TO USER ${quoteSnowflakeIdent(u)}`);
    byKind.roleToUser += members.size;
  }
  return { statements, byKind };
}

/** Steward's statements by kind (the planner's statement shapes). */
function classify(statements: readonly string[]): Record<string, number> {
  const byKind = { createRole: 0, objectGrants: 0, usageGrants: 0, roleToRole: 0, roleToUser: 0, other: 0 };
  for (const s of statements) {
    if (s.startsWith("CREATE ROLE")) byKind.createRole++;
    else if (/^GRANT USAGE ON (SCHEMA|DATABASE) /.test(s)) byKind.usageGrants++;
    else if (/^GRANT ROLE .* TO ROLE /.test(s)) byKind.roleToRole++;
    else if (/^GRANT ROLE .* TO USER /.test(s)) byKind.roleToUser++;
    else if (/^GRANT .* ON /.test(s)) byKind.objectGrants++;
    else byKind.other++;
  }
  return byKind;
}

/** The account's end state as users see it: user → "table: privileges" for every table they can use. */
function effectiveAccess(m: SnowflakeModel): Map<string, string> {
  const out = new Map<string, string>();
  for (const u of users) {
    const held = new Map<string, Set<string>>();
    for (const r of m.rolesOfUser(u))
      for (const g of m.grants.get(r) ?? []) {
        const k = showName(g.parts);
        (held.get(k) ?? held.set(k, new Set()).get(k)!).add(g.privilege);
      }
    const lines: string[] = [];
    for (const o of objects) {
      const usable = held.get(showName(o.path.slice(0, 1)))?.has("USAGE") && held.get(showName(o.path.slice(0, 2)))?.has("USAGE");
      const privs = usable ? [...(held.get(showName(o.path)) ?? [])].sort() : [];
      if (privs.length) lines.push(`${showName(o.path)}: ${privs.join(",")}`);
    }
    out.set(u, lines.sort().join("\n"));
  }
  return out;
}

function expectedAccess(): Map<string, string> {
  const per = new Map<string, string[]>(users.map((u) => [u, []]));
  const pathOf = new Map(objects.map((o) => [o.id, o.path]));
  for (const a of access)
    per.get(a.accountName)!.push(`${showName(pathOf.get(a.objectId)!)}: ${[...privilegesOf(a.level)].sort().join(",")}`);
  return new Map([...per].map(([u, lines]) => [u, lines.sort().join("\n")]));
}

async function emulatedAccount(): Promise<WireServer> {
  const server = await startEmulatedAccount();
  for (const o of objects)
    server.model.addTable({ database: o.path[0]!, schema: o.path[1]!, name: o.path[2]!, tableType: "BASE TABLE", columns: [] });
  for (const u of users) server.model.addUser(u);
  return server;
}

const servers: WireServer[] = [];

async function measure(): Promise<void> {
  // 1. Pure plan from an empty account (state as readState would return it: the tables, no Steward roles).
  const prefix = scopePrefix(CONNECTION_ID);
  const empty: SfState = {
    users: new Set(users),
    noSecondaryRoles: new Set(),
    objects: new Map(objects.map((o) => [showName(o.path), { kind: "TABLE" as const, shared: false, parts: o.path }])),
    containers: new Map(),
    setRoles: new Map(),
    legacyUserRoles: new Map(),
    legacyContainerRoles: new Set(),
    foreign: [],
  };
  const input: PlanInput = {
    prefix,
    objects: objects.map((o) => ({ id: o.id, parts: o.path, object: { kind: "TABLE", shared: false } })),
    accounts: users,
    access: access.map((a) => ({ objectId: a.objectId, account: a.accountName, level: a.level })),
  };
  const tp = performance.now();
  const plan = planAccess(input, empty);
  const planMs = performance.now() - tp;
  const stewardByKind = classify(plan.statements);
  const minimal = minimalScript();
  const ratio = Number((plan.statements.length / minimal.statements.length).toFixed(3));
  console.log(`Snowflake plan (pure): ${plan.statements.length} statements in ${Math.round(planMs)} ms ${JSON.stringify(stewardByKind)}`);
  console.log(`Minimal hand-written script: ${minimal.statements.length} statements ${JSON.stringify(minimal.byKind)}`);
  console.log(`Steward / minimal: ${ratio}×`);

  // 2. The minimal script on its own emulated account, straight into the model (only its end state matters).
  const minimalServer = await emulatedAccount();
  servers.push(minimalServer);
  for (const s of minimal.statements) minimalServer.model.execute(s);

  // 3. Steward through the real adapter and driver, against a second emulated account.
  const server = await emulatedAccount();
  servers.push(server);
  const connection = connectionFor(server, [DATABASE]);
  const desired: AccessDesiredState = {
    connectionId: CONNECTION_ID,
    version: 1,
    objects,
    accounts: users,
    access,
    settings: { unmanagedGrants: "REPORT" },
  };
  const adapter = snowflakeAdapter.access!;
  const ta = performance.now();
  const applied = await adapter.apply(connection, desired);
  const applyMs = performance.now() - ta;
  if (applied.kind !== "applied") throw new Error(`apply: ${applied.kind === "failed" ? applied.error.message : applied.kind}`);
  expect(applied.statements.length).toBe(plan.statements.length);
  console.log(`Snowflake apply (adapter → emulator): ${applied.statements.length} statements in ${Math.round(applyMs)} ms`);

  const want = expectedAccess();
  const steward = effectiveAccess(server.model);
  const byHand = effectiveAccess(minimalServer.model);
  const sameEndState = users.every((u) => steward.get(u) === want.get(u) && byHand.get(u) === want.get(u));
  expect(sameEndState).toBe(true);
  console.log("End state: every user holds exactly the desired privileges on both accounts");

  // 4. No change: the adapter reads the account, plans nothing and sends nothing.
  const before = server.model.statements.length;
  const tn = performance.now();
  const again = await adapter.apply(connection, { ...desired, version: 2 });
  const noChangeMs = performance.now() - tn;
  const changing = server.model.statements.slice(before).filter((s) => !/^\s*(SHOW|SELECT)\b/i.test(s.sql)).length;
  const reads = server.model.statements.length - before - changing;
  expect(again.kind).toBe("unchanged");
  expect(changing).toBe(0);
  console.log(`No-change reconcile: ${again.kind}, ${changing} statements (${reads} reads) in ${Math.round(noChangeMs)} ms`);

  console.log(
    JSON.stringify({
      benchmark: "snowflake-plan",
      users: USERS,
      tables: TABLES,
      schemas: SCHEMAS,
      policies: POLICIES,
      accessEntries: access.length,
      stewardStatements: plan.statements.length,
      minimalStatements: minimal.statements.length,
      ratio,
      stewardByKind,
      minimalByKind: minimal.byKind,
      planMs: Math.round(planMs),
      applyMs: Math.round(applyMs),
      applied: "adapter via snowflake-sdk → wire emulator",
      sameEndState,
      noChange: { kind: again.kind, statements: changing, reads, ms: Math.round(noChangeMs) },
      goals: { statementsAtMostMinimal: plan.statements.length <= minimal.statements.length, noChangeZeroStatements: changing === 0 },
      machine: { nproc: os.cpus().length, cpu: os.cpus()[0]?.model.trim(), load1: Number(os.loadavg()[0]!.toFixed(2)) },
    }),
  );
}

measure()
  .finally(() => Promise.all(servers.map((s) => s.close())))
  .then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
