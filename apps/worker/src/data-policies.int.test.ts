/**
 * Data policies end to end on the real PostgreSQL, through the worker: a governor's masking policy on
 * a tagged column and a row filter are committed, the worker reconciles them into a policy view and
 * profile rows, and the end users' own logins (LOGIN roles, trust auth) see masked values and only
 * their rows — while an HR user (the exception group) sees everything in clear. A purpose exception
 * applies only while the project under it is current: switching project is a delta reconcile that
 * rewrites one profile row, never the view. A view changed by hand is found and repaired by the
 * sweeper's drift check. The API's preview and explanation agree with what the users read.
 */
import { createHash } from "node:crypto";
import {
  acknowledgeProjectPurposes,
  createDataPolicy,
  createPolicy,
  createProject,
  createPurpose,
  explainDataAccess,
  HASH_SALT_LABEL,
  planDataPolicyChange,
  previewAs,
  switchProject,
} from "@steward/access";
import { createConnection, tagColumn } from "@steward/catalog";
import { type Actor, createLogger, systemActor } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { addGroupMember, createGroup, createUser, setUserAttribute } from "@steward/identity";
import { scopePrefix } from "@steward/integrations/grants";
import { cleanup, query, runId, tryAs } from "@steward/integrations/grants/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessSweepPass } from "./loops/access-sweeper";
import { flushPrefix, REDIS_URL, testConfig, testKeyring, uniquePrefix, waitFor } from "./test-support";
import { type RunningWorker, startWorker } from "./worker";

const id = runId();
const prefix = uniquePrefix("data-policies");
const warehouse = `stw_dp_${id}`;
const aliceName = `dp_${id}_alice`; // analyst, region EU
const hrName = `dp_${id}_hr`; // group hr: the exception
const ROWS = [
  [1, "Ann", "ann@example.com", "EU"],
  [2, "Ben", "ben@example.com", "US"],
  [3, "Cat", "cat@example.com", "EU"],
] as const;

let t: TestDatabase;
let worker: RunningWorker;
let connectionId = "";
let sourceId = "";
let view = ""; // qualified, quoted
let researchId = "";
const system = systemActor("test");
const user = (userId: string, username: string, roles: ("GOVERNOR" | "ADMIN")[] = []): Actor & { kind: "USER" } => ({
  kind: "USER",
  userId,
  username,
  roles: new Set(roles),
});
let governor: Actor & { kind: "USER" };
let alice: Actor & { kind: "USER" };
let hr: Actor & { kind: "USER" };
const deps = () => ({ db: t.db, secretBox: worker.context.secretBox });

/** The hash mask as the view computes it (engine semantics: hex SHA-256 of salt || value). */
const hashed = (value: string) =>
  createHash("sha256")
    .update(worker.context.secretBox.derive(HASH_SALT_LABEL) + value)
    .digest("hex");

/** What `login` reads through the policy view, by connecting as that role. */
async function readAs(login: string): Promise<string[][]> {
  const res = await query<{ id: number; name: string; email: string; region: string }>(`SELECT * FROM ${view} ORDER BY id`, [], {
    database: warehouse,
    user: login,
  });
  return res.rows.map((r) => [String(r.id), r.name, r.email, r.region]);
}

const settled = async () => {
  const s = await t.db.connectionAccessState.findUnique({ where: { connectionId } });
  return s && s.desiredVersion > 0 && s.appliedVersion >= s.desiredVersion ? s : null;
};
/** The view's definition and comment as PostgreSQL holds them (a rebuild changes the comment's hashes or the definition). */
const viewFingerprint = async () =>
  (
    await query<{ def: string; comment: string | null; xmin: string }>(
      `SELECT pg_get_viewdef($1::regclass) AS def, obj_description($1::regclass, 'pg_class') AS comment, c.xmin::text AS xmin
         FROM pg_class c WHERE c.oid = $1::regclass`,
      [view],
      { database: warehouse },
    )
  ).rows[0];

beforeAll(async () => {
  t = await createTestDatabase();
  await query(`CREATE DATABASE ${warehouse}`);
  await query(
    `CREATE SCHEMA hr; CREATE TABLE hr.employees (id int, name text, email text, region text);
     INSERT INTO hr.employees VALUES ${ROWS.map((r) => `(${r[0]}, '${r[1]}', '${r[2]}', '${r[3]}')`).join(", ")};
     CREATE SCHEMA finance; CREATE TABLE finance.budgets (id int, code text); INSERT INTO finance.budgets VALUES (1, 'B-1')`,
    [],
    { database: warehouse },
  );
  worker = await startWorker({
    databaseUrl: t.url,
    redisUrl: REDIS_URL,
    encryptionKeys: testKeyring(),
    port: 0,
    config: testConfig(prefix),
    logger: createLogger({ name: "worker", level: "warn" }),
  });
  const d = { db: t.db };
  const gov = await createUser(d, system, {
    username: `gov-${id}`,
    displayName: "Gov",
    email: `gov-${id}@example.com`,
    roles: ["GOVERNOR", "ADMIN"],
  });
  governor = user(gov.id, gov.username, ["GOVERNOR", "ADMIN"]);
  const a = await createUser(d, system, { username: aliceName, displayName: "Alice", email: `${aliceName}@example.com` });
  alice = user(a.id, aliceName);
  const h = await createUser(d, system, { username: hrName, displayName: "HR", email: `${hrName}@example.com` });
  hr = user(h.id, hrName);
  const hrGroup = await createGroup(d, system, { name: `hr-${id}` });
  await addGroupMember(d, system, { groupId: hrGroup.id, userId: h.id });
  await setUserAttribute(d, system, { userId: a.id, key: "region", values: ["EU"] });
  researchId = (await createPurpose(d, governor, { name: `Research ${id}`, acknowledgement: "I use this data for research only" })).id;

  const created = await createConnection({ db: t.db, secretBox: worker.context.secretBox }, system, {
    name: "warehouse",
    kind: "POSTGRES",
    config: { host: "127.0.0.1", port: 5432, user: "postgres", databases: [warehouse] },
    autoRegister: true,
  });
  connectionId = created.connection.id;
  await waitFor(async () => (await t.db.syncRun.findUnique({ where: { id: created.syncRun.id } }))?.status === "SUCCEEDED", {
    timeoutMs: 30_000,
    what: "first sync",
  });
  sourceId = (await t.db.dataSource.findFirstOrThrow({ where: { connectionId, name: { endsWith: "hr.employees" } } })).id;
  await tagColumn(
    { db: t.db, secretBox: worker.context.secretBox },
    governor,
    { dataSourceId: sourceId, column: "email", tag: "PII.Email" },
    true,
  );
  await createPolicy(d, governor, {
    name: `everyone reads the warehouse ${id}`,
    accessType: "READ",
    restriction: { kind: "anyone" },
    scope: { kind: "connection", connectionId },
  });
  // Mask every PII column (the tag's parent) of schema hr except for HR or anyone acting under
  // Research (finance.budgets stays without a data policy until the cache test gives it one).
  await createDataPolicy(d, governor, {
    name: `hash PII ${id}`,
    engineDefinition: {
      scope: { kind: "schema", connectionId, schema: "hr" },
      rule: { kind: "mask", columns: { kind: "tagged", tag: "PII" }, mask: { kind: "hash" } },
      except: {
        kind: "or",
        conditions: [
          { kind: "group", group: hrGroup.id },
          { kind: "purpose", purpose: researchId },
        ],
      },
    },
  });
  await createDataPolicy(d, governor, {
    name: `own region ${id}`,
    engineDefinition: {
      scope: { kind: "sources", sourceIds: [sourceId] },
      rule: { kind: "rows", rule: { kind: "matchAttribute", column: "region", attribute: "region" } },
      except: { kind: "group", group: hrGroup.id },
    },
  });
  await waitFor(settled, { timeoutMs: 30_000, what: "views reconciled" });
  const v = await query<{ schemaname: string; viewname: string }>(
    "SELECT schemaname, viewname FROM pg_views WHERE schemaname = 'steward_views'",
    [],
    { database: warehouse },
  );
  expect(v.rows).toHaveLength(1);
  view = `"steward_views"."${v.rows[0]!.viewname}"`;
}, 90_000);

afterAll(async () => {
  await worker?.stop();
  await flushPrefix(prefix);
  await cleanup({
    databases: [warehouse],
    rolePrefixes: connectionId ? [scopePrefix(connectionId, warehouse), `dp_${id}_`] : [`dp_${id}_`],
    roles: [`gov-${id}`, `owner-${id}`],
  });
  await t?.drop();
});

describe("data policies → policy views on PostgreSQL, read as the end users", () => {
  it("alice reads masked emails and only EU rows; the HR user reads everything in clear; nobody reads the base table", async () => {
    expect(await readAs(aliceName)).toEqual([
      ["1", "Ann", hashed("ann@example.com"), "EU"],
      ["3", "Cat", hashed("cat@example.com"), "EU"],
    ]);
    expect(await readAs(hrName)).toEqual(ROWS.map((r) => r.map(String)));
    expect(await tryAs(aliceName, warehouse, "SELECT * FROM hr.employees")).toMatch(/permission denied/);
    expect(await tryAs(aliceName, warehouse, "SELECT * FROM steward_system.profile")).toMatch(/permission denied/);
  });

  it("the preview and the explanation agree with what alice reads", async () => {
    const preview = await previewAs(deps(), governor, { userId: alice.userId, dataSourceId: sourceId });
    expect(preview.access).toBe("READ");
    expect(preview.unavailable).toBeNull();
    expect(preview.columns.map((c) => c.name)).toEqual(["id", "name", "email", "region"]);
    expect(preview.rows).toEqual(await readAs(aliceName));
    // Alice may preview herself; she may not preview the HR user.
    expect((await previewAs(deps(), alice, { userId: alice.userId, dataSourceId: sourceId })).rows).toEqual(preview.rows);
    await expect(previewAs(deps(), alice, { userId: hr.userId, dataSourceId: sourceId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(explainDataAccess({ db: t.db }, alice, hr.userId, sourceId)).rejects.toMatchObject({ code: "FORBIDDEN" });
    // An owner of the source may see it as anyone who reads it.
    const o = await createUser({ db: t.db }, system, {
      username: `owner-${id}`,
      displayName: "Owner",
      email: `owner-${id}@example.com`,
      roles: ["DATA_OWNER"],
    });
    await t.db.dataSourceOwner.create({ data: { dataSourceId: sourceId, userId: o.id } });
    const owner: Actor = { kind: "USER", userId: o.id, username: o.username, roles: new Set(["DATA_OWNER"]) };
    expect((await previewAs(deps(), owner, { userId: alice.userId, dataSourceId: sourceId })).rows).toEqual(preview.rows);
    expect((await previewAs(deps(), governor, { userId: hr.userId, dataSourceId: sourceId })).rows).toEqual(await readAs(hrName));

    const why = await explainDataAccess({ db: t.db }, alice, alice.userId, sourceId);
    expect(why.level).toBe("READ");
    const email = why.dataPolicies.columns.find((c) => c.column === "email")!;
    expect(email).toMatchObject({ status: "masked", policy: { policyName: `hash PII ${id}` } });
    expect(email.reason).toMatch(/not exempt/);
    expect(why.dataPolicies.rowRules).toEqual([expect.objectContaining({ exempt: false, matchedValues: ["EU"] })]);
    const forHr = await explainDataAccess({ db: t.db }, governor, hr.userId, sourceId);
    expect(forHr.dataPolicies.columns.find((c) => c.column === "email")?.status).toBe("exempt");
  });

  it("a draft previews before it is saved, and its plan names the view's SQL without applying it", async () => {
    const draft = { scope: { sources: [sourceId] }, rule: { mask: { columns: { names: ["name"] }, mask: { showLast: 1 } } } };
    const preview = await previewAs(deps(), governor, { userId: alice.userId, dataSourceId: sourceId, definition: draft });
    expect(preview.rows.map((r) => r[1])).toEqual(["**n", "**t"]);
    expect(preview.candidate?.name).toBe("proposed policy");
    await expect(previewAs(deps(), alice, { userId: alice.userId, dataSourceId: sourceId, definition: draft })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });

    const before = await viewFingerprint();
    const plan = await planDataPolicyChange(deps(), governor, { name: "initials", definition: draft });
    expect(plan.sources).toEqual([expect.objectContaining({ sourceId, changedColumns: ["name"], rowFilterChanged: false })]);
    expect(plan.affectedUserIds).toEqual(expect.arrayContaining([alice.userId, hr.userId]));
    const [conn] = plan.connectionPlans;
    expect(conn).toMatchObject({ connectionId, error: null });
    expect(conn!.statements.some((s) => /^CREATE VIEW /.test(s) && s.includes("right("))).toBe(true);
    expect(await viewFingerprint()).toEqual(before);
    expect(await readAs(aliceName)).toHaveLength(2);
  });

  it("a purpose exception applies only while its project is current: the switch rewrites one profile row, not the view", async () => {
    const project = await createProject({ db: t.db }, alice, { name: `study ${id}`, purposeIds: [researchId] });
    await acknowledgeProjectPurposes({ db: t.db }, alice, project.id);
    await waitFor(settled, { timeoutMs: 30_000, what: "acknowledgement reconciled" });
    const before = await viewFingerprint();
    const runsBefore = await t.db.reconcileRun.count({ where: { connectionId } });

    await switchProject({ db: t.db }, alice, project.id);
    await waitFor(async () => (await readAs(aliceName))[0]?.[2] === "ann@example.com", {
      timeoutMs: 30_000,
      what: "clear emails for alice",
    });
    expect(await readAs(aliceName)).toEqual([
      ["1", "Ann", "ann@example.com", "EU"],
      ["3", "Cat", "cat@example.com", "EU"],
    ]);
    expect(await viewFingerprint()).toEqual(before);
    // The platform commits before the run is recorded: wait for the record.
    await waitFor(settled, { timeoutMs: 30_000, what: "switch recorded" });
    const runs = await t.db.reconcileRun.findMany({ where: { connectionId }, orderBy: { startedAt: "asc" }, skip: runsBefore });
    const statements = runs.flatMap((r) => r.statements);
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.filter((s) => /\bVIEW\b/i.test(s))).toEqual([]);

    await switchProject({ db: t.db }, alice, null);
    await waitFor(async () => (await readAs(aliceName))[0]?.[2] === hashed("ann@example.com"), {
      timeoutMs: 30_000,
      what: "masked emails again",
    });
    expect(await viewFingerprint()).toEqual(before);
  });

  it("a delta after a data policy change works from the new views (the worker's cache is dropped); no delta rebuilds a view", async () => {
    await waitFor(settled, { timeoutMs: 30_000, what: "settled" });
    const d = { db: t.db };
    // A profile change first: the worker now holds a delta cache with the views as they are.
    await setUserAttribute(d, governor, { userId: alice.userId, key: "region", values: ["EU", "US"] });
    await waitFor(async () => (await readAs(aliceName)).length === 3, { timeoutMs: 30_000, what: "alice sees US rows" });
    // finance.budgets has no data policy yet: direct grants on the base table.
    expect(await tryAs(aliceName, warehouse, "SELECT * FROM finance.budgets")).toBe("ok");
    const budgets = (await t.db.dataSource.findFirstOrThrow({ where: { connectionId, name: { endsWith: "finance.budgets" } } })).id;
    await createDataPolicy(d, governor, {
      name: `hide budget codes ${id}`,
      engineDefinition: {
        scope: { kind: "sources", sourceIds: [budgets] },
        rule: { kind: "mask", columns: { kind: "names", names: ["code"] }, mask: { kind: "null" } },
      },
    });
    await waitFor(async () => (await tryAs(aliceName, warehouse, "SELECT * FROM finance.budgets")) !== "ok", {
      timeoutMs: 30_000,
      what: "budgets view",
    });
    await waitFor(settled, { timeoutMs: 30_000, what: "policy reconciled" });
    const budgetsView = `"steward_views"."${(await query<{ v: string }>("SELECT viewname AS v FROM pg_views WHERE schemaname = 'steward_views' AND viewname LIKE '%budgets%'", [], { database: warehouse })).rows[0]!.v}"`;
    const fingerprints = async () =>
      (
        await query("SELECT viewname, definition FROM pg_views WHERE schemaname = 'steward_views' ORDER BY viewname", [], {
          database: warehouse,
        })
      ).rows;
    const before = [await fingerprints(), await viewFingerprint()];
    const runsBefore = await t.db.reconcileRun.count({ where: { connectionId } });

    // The delta: with the views cached before the policy, it would grant finance.budgets' base table again.
    await setUserAttribute(d, governor, { userId: alice.userId, key: "region", values: ["EU"] });
    await waitFor(async () => (await readAs(aliceName)).length === 2, { timeoutMs: 30_000, what: "alice back to EU rows" });
    await waitFor(settled, { timeoutMs: 30_000, what: "delta recorded" });
    expect(await tryAs(aliceName, warehouse, "SELECT * FROM finance.budgets")).toMatch(/permission denied/);
    const asAlice = await query<{ id: number; code: string | null }>(`SELECT id, code FROM ${budgetsView}`, [], {
      database: warehouse,
      user: aliceName,
    });
    expect(asAlice.rows).toEqual([{ id: 1, code: null }]);
    const runs = await t.db.reconcileRun.findMany({ where: { connectionId }, orderBy: { startedAt: "asc" }, skip: runsBefore });
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.flatMap((r) => r.statements).filter((s) => /\bVIEW\b/i.test(s))).toEqual([]);
    expect([await fingerprints(), await viewFingerprint()]).toEqual(before);
  });

  it("a view changed by hand is reported by the drift check and repaired", async () => {
    await waitFor(settled, { timeoutMs: 30_000, what: "settled" });
    // Someone "simplifies" the view: every row in clear for whoever holds SELECT on it.
    await query(`CREATE OR REPLACE VIEW ${view} AS SELECT id, name, email, region FROM hr.employees`, [], { database: warehouse });
    expect(await readAs(aliceName)).toHaveLength(3);
    const later = new Date(Date.now() + testConfig(prefix).DRIFT_CHECK_MS + 1_000);
    await accessSweepPass(worker.context, later);
    const state = await t.db.connectionAccessState.findUniqueOrThrow({ where: { connectionId } });
    expect(JSON.stringify(state.drift)).toMatch(/VIEW/i);
    await waitFor(async () => (await readAs(aliceName)).length === 2, { timeoutMs: 30_000, what: "view repaired" });
    expect(await readAs(aliceName)).toEqual([
      ["1", "Ann", hashed("ann@example.com"), "EU"],
      ["3", "Cat", hashed("cat@example.com"), "EU"],
    ]);
  });
});
