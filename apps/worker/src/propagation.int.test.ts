/**
 * The heart of the product, end to end: a governor's policy change is committed, the worker turns the
 * outbox event into a reconcile, and the real PostgreSQL's grants change — checked by connecting as
 * the affected end users.
 */
import { createPolicy, setUnmanagedGrants } from "@steward/access";
import { createConnection } from "@steward/catalog";
import { createLogger, systemActor } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { addGroupMember, createGroup, createUser, deactivateUser, reactivateUser } from "@steward/identity";
import { scopePrefix } from "@steward/integrations/grants";
import { cleanup, query, runId, tryAs } from "@steward/integrations/grants/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessSweepPass } from "./loops/access-sweeper";
import { flushPrefix, REDIS_URL, testConfig, testKeyring, uniquePrefix, waitFor } from "./test-support";
import { type RunningWorker, startWorker } from "./worker";

const id = runId();
const prefix = uniquePrefix("propagation");
const warehouse = `stw_prop_${id}`;
const alice = `prop_${id}_alice`;
const bob = `prop_${id}_bob`;
const carol = `prop_${id}_carol`; // a role made by hand, outside Steward
let t: TestDatabase;
let worker: RunningWorker;
let connectionId = "";
const system = systemActor("test");
const governor = { kind: "USER" as const, userId: "", username: "gov", roles: new Set(["GOVERNOR" as const, "ADMIN" as const]) };

beforeAll(async () => {
  t = await createTestDatabase();
  await query(`CREATE DATABASE ${warehouse}`);
  await query(
    "CREATE SCHEMA shop; CREATE TABLE shop.orders (id int, total numeric); INSERT INTO shop.orders VALUES (1, 10); CREATE VIEW shop.big_orders AS SELECT * FROM shop.orders WHERE total > 5",
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
  const deps = { db: t.db };
  governor.userId = (
    await createUser(deps, system, {
      username: `gov-${id}`,
      displayName: "Gov",
      email: `gov-${id}@example.com`,
      roles: ["GOVERNOR", "ADMIN"],
    })
  ).id;
  const a = await createUser(deps, system, { username: alice, displayName: "Alice", email: `${alice}@example.com` });
  await createUser(deps, system, { username: bob, displayName: "Bob", email: `${bob}@example.com` });
  const analysts = await createGroup(deps, system, { name: `analysts-${id}` });
  await addGroupMember(deps, system, { groupId: analysts.id, userId: a.id });
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
  (globalThis as Record<string, unknown>).analystsGroupId = analysts.id;
});

afterAll(async () => {
  await worker?.stop();
  await flushPrefix(prefix);
  await cleanup({
    databases: [warehouse],
    rolePrefixes: connectionId ? [scopePrefix(connectionId, warehouse)] : [],
    roles: [alice, bob, carol],
  });
  await t?.drop();
});

const applied = async () => {
  const s = await t.db.connectionAccessState.findUnique({ where: { connectionId } });
  return s && s.appliedVersion >= s.desiredVersion && s.desiredVersion > 0 ? s : null;
};

describe("policy change → PostgreSQL grants", () => {
  it("grants a group READ by policy, refuses outsiders, and revokes on deactivation", async () => {
    const started = Date.now();
    await createPolicy({ db: t.db }, governor, {
      name: "analysts read the warehouse",
      accessType: "READ",
      restriction: { kind: "conditions", condition: { kind: "group", group: (globalThis as Record<string, unknown>).analystsGroupId } },
      scope: { kind: "connection", connectionId },
    });
    await waitFor(
      async () =>
        (
          await query<{ ok: boolean }>("SELECT has_table_privilege($1, 'shop.orders', 'SELECT') AS ok", [alice], {
            database: warehouse,
          }).catch(() => ({ rows: [{ ok: false }] }))
        ).rows[0]?.ok === true,
      {
        timeoutMs: 30_000,
        intervalMs: 25,
        what: "alice's SELECT grant",
      },
    );
    const latencyMs = Date.now() - started;
    expect(await tryAs(alice, warehouse, "SELECT count(*) FROM shop.orders")).toBe("ok");
    expect(await tryAs(alice, warehouse, "SELECT count(*) FROM shop.big_orders")).toBe("ok");
    expect(await tryAs(alice, warehouse, "INSERT INTO shop.orders VALUES (2, 1)")).toMatch(/permission denied/);
    expect(await tryAs(bob, warehouse, "SELECT count(*) FROM shop.orders")).toMatch(/permission denied|does not exist/);
    await waitFor(applied, { timeoutMs: 10_000, what: "applied version" });
    const runs = await t.db.reconcileRun.findMany({ where: { connectionId }, orderBy: { startedAt: "asc" } });
    expect(runs.some((r) => r.status === "APPLIED" && r.statementCount > 0)).toBe(true);
    console.info(`policy commit → has_table_privilege true: ${latencyMs} ms`);

    await deactivateUser({ db: t.db }, system, { id: (await t.db.user.findUniqueOrThrow({ where: { username: alice } })).id });
    await waitFor(async () => (await tryAs(alice, warehouse, "SELECT count(*) FROM shop.orders")) !== "ok", {
      timeoutMs: 30_000,
      what: "alice's access revoked",
    });
    // The LOGIN role Steward created for her stays (it may own objects) but can no longer log in.
    await waitFor(async () => /not permitted to log in/.test(await tryAs(alice, warehouse, "SELECT 1")), {
      timeoutMs: 30_000,
      what: "alice's login disabled",
    });
    expect((await query("SELECT 1 FROM pg_roles WHERE rolname = $1", [alice])).rowCount).toBe(1);

    await reactivateUser({ db: t.db }, system, { id: (await t.db.user.findUniqueOrThrow({ where: { username: alice } })).id });
    await waitFor(async () => (await tryAs(alice, warehouse, "SELECT count(*) FROM shop.orders")) === "ok", {
      timeoutMs: 30_000,
      what: "alice's login and access restored",
    });
  });

  it("with enforcement on, reports a hand-made grant once and revokes it once the connection says REVOKE", async () => {
    await waitFor(applied, { timeoutMs: 10_000, what: "applied version" });
    await query(`CREATE ROLE ${carol} LOGIN`);
    const handGrant = `GRANT CONNECT ON DATABASE ${warehouse} TO ${carol}; GRANT USAGE ON SCHEMA shop TO ${carol}; GRANT SELECT ON shop.orders TO ${carol}`;
    await query(handGrant, [], { database: warehouse });
    // A drift check is due once DRIFT_CHECK_MS has passed since the last one.
    const later = (ms: number) => new Date(Date.now() + testConfig(prefix).DRIFT_CHECK_MS + ms);
    await accessSweepPass(worker.context, later(1_000));
    const reported = await t.db.connectionAccessState.findUniqueOrThrow({ where: { connectionId } });
    expect(reported.enforce).toBe(true);
    const unmanaged = (reported.drift as { kind: string; grantee: string }[]).filter((f) => f.kind === "UNMANAGED_GRANT");
    expect(unmanaged).toEqual([expect.objectContaining({ grantee: carol, name: "orders", privileges: ["SELECT"] })]);
    expect(reported.appliedVersion).toBe(reported.desiredVersion); // REPORT (the default) changes nothing
    expect(await tryAs(carol, warehouse, "SELECT count(*) FROM shop.orders")).toBe("ok");

    await setUnmanagedGrants({ db: t.db }, governor, connectionId, "REVOKE");
    await waitFor(async () => /permission denied/.test(await tryAs(carol, warehouse, "SELECT count(*) FROM shop.orders")), {
      timeoutMs: 30_000,
      what: "carol's hand-made grant revoked",
    });
    // Made again behind Steward's back: the next drift check repairs it on its own.
    await waitFor(applied, { timeoutMs: 10_000, what: "applied version" });
    await query(handGrant, [], { database: warehouse });
    await accessSweepPass(worker.context, later(2_000));
    await waitFor(async () => /permission denied/.test(await tryAs(carol, warehouse, "SELECT count(*) FROM shop.orders")), {
      timeoutMs: 30_000,
      what: "carol's repeated hand-made grant revoked by the drift check",
    });
  });

  it("does nothing for a version that is already applied", async () => {
    const state = await waitFor(applied, { timeoutMs: 10_000, what: "applied version" });
    const before = await t.db.reconcileRun.count({ where: { connectionId } });
    await worker.context.enqueue([{ name: "reconcile-connection", data: { connectionId, version: state.appliedVersion, attempt: 99 } }]);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await t.db.reconcileRun.count({ where: { connectionId } })).toBe(before);
  });
});
