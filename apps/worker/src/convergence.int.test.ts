/**
 * R1: 1,000 random access-affecting changes while the worker is SIGKILLed 10 times and its Redis is
 * restarted twice (losing every job). Afterwards the grants on PostgreSQL must equal the desired
 * state exactly — checked pair by pair with has_table_privilege.
 */

import { computeDesiredAccess } from "@steward/access";
import { createConnection, tagDataSource } from "@steward/catalog";
import { parseKeyring, SecretBox, systemActor } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import {
  addGroupMember,
  createGroup,
  createUser,
  deactivateUser,
  reactivateUser,
  removeGroupMember,
  setUserAttribute,
} from "@steward/identity";
import { scopePrefix } from "@steward/integrations/grants";
import { cleanup, query, runId } from "@steward/integrations/grants/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { testKeyring, waitFor } from "./test-support";
import { killProcess, type PrivateRedis, spawnWorkerProcess, startPrivateRedis, type WorkerProcess } from "./testing/processes";
import { createR1Policies } from "./testing/r1-policies";

const CHANGES = 1_000;
const USERS = 30;
const id = runId();
const warehouse = `stw_r1_${id}`;
const usernames = Array.from({ length: USERS }, (_, i) => `r1_${id}_u${i}`);
const keys = testKeyring();
const system = systemActor("r1");
const output: string[] = [];
let t: TestDatabase;
let redis: PrivateRedis;
let worker: WorkerProcess | null = null;
let connectionId = "";

// Seeded PRNG: a failing run can be replayed exactly.
let seed = 0x5eed;
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const startWorker = () =>
  spawnWorkerProcess(
    {
      DATABASE_URL: t.url,
      REDIS_URL: redis.url,
      STEWARD_ENCRYPTION_KEYS: keys,
      QUEUE_PREFIX: `r1${id}`,
      OUTBOX_STALE_MS: "2000",
      ACCESS_SWEEP_MS: "300",
      JOB_LOCK_MS: "3000",
      JOB_STALLED_CHECK_MS: "1000",
    },
    output,
  );

beforeAll(async () => {
  t = await createTestDatabase();
  redis = await startPrivateRedis();
  await query(`CREATE DATABASE ${warehouse}`);
  const ddl = ["CREATE SCHEMA s1", "CREATE SCHEMA s2"];
  for (let i = 0; i < 6; i++) ddl.push(`CREATE TABLE s1.t${i} (id int)`, `CREATE TABLE s2.t${i} (id int)`);
  ddl.push("CREATE VIEW s1.v0 AS SELECT * FROM s1.t0");
  await query(ddl.join(";"), [], { database: warehouse });
  worker = await startWorker();
}, 120_000);

afterAll(async () => {
  if (worker) await killProcess(worker.child, "SIGKILL");
  await redis?.stop();
  await cleanup({ databases: [warehouse], rolePrefixes: connectionId ? [scopePrefix(connectionId, warehouse)] : [], roles: usernames });
  await t?.drop();
});

it("converges to exactly the desired grants through crashes and Redis restarts", async () => {
  const deps = { db: t.db };
  const secretBox = new SecretBox(parseKeyring(keys));
  const userIds: string[] = [];
  for (const u of usernames) userIds.push((await createUser(deps, system, { username: u, displayName: u, email: `${u}@example.com` })).id);
  const groups = [];
  for (let g = 0; g < 4; g++) groups.push((await createGroup(deps, system, { name: `r1-${id}-g${g}` })).id);
  const created = await createConnection({ db: t.db, secretBox }, system, {
    name: "r1",
    kind: "POSTGRES",
    config: { host: "127.0.0.1", port: 5432, user: "postgres", databases: [warehouse] },
    autoRegister: true,
  });
  connectionId = created.connection.id;
  await waitFor(async () => (await t.db.syncRun.findUnique({ where: { id: created.syncRun.id } }))?.status === "SUCCEEDED", {
    timeoutMs: 60_000,
    what: "first sync",
  });
  const sources = (await t.db.dataSource.findMany({ where: { connectionId } })).map((s) => s.id);
  const governor = { kind: "USER" as const, userId: userIds[0]!, username: usernames[0]!, roles: new Set(["GOVERNOR" as const]) };
  await createR1Policies(deps, governor, connectionId, groups);

  const catalogDeps = { db: t.db, secretBox };
  const member = new Set<string>();
  const inactive = new Set<string>();
  for (let i = 0; i < CHANGES; i++) {
    const user = pick(userIds);
    const r = rand();
    if (r < 0.35) {
      const g = pick(groups);
      const key = `${g}:${user}`;
      if (member.has(key)) await removeGroupMember(deps, system, { groupId: g, userId: user });
      else await addGroupMember(deps, system, { groupId: g, userId: user });
      member.has(key) ? member.delete(key) : member.add(key);
    } else if (r < 0.7) {
      await setUserAttribute(deps, system, { userId: user, key: "region", values: [pick(["EU", "US", "APAC"])] });
    } else if (r < 0.85) {
      await tagDataSource(catalogDeps, system, { dataSourceId: pick(sources), tag: "Hot" }, rand() < 0.6);
    } else if (user !== userIds[0]) {
      if (inactive.has(user)) await reactivateUser(deps, system, { id: user });
      else await deactivateUser(deps, system, { id: user });
      inactive.has(user) ? inactive.delete(user) : inactive.add(user);
    }
    if (i % 100 === 50 && worker) {
      await killProcess(worker.child, "SIGKILL");
      worker = null;
      if (i === 350 || i === 750) await redis.restart();
      worker = await startWorker();
    }
  }

  // Converged: every bumped version applied, and nothing left in the outbox.
  await waitFor(
    async () => {
      const s = await t.db.connectionAccessState.findUnique({ where: { connectionId } });
      const pending = await t.db.outboxEvent.count({ where: { processedAt: null } });
      return s && pending === 0 && s.appliedVersion >= s.desiredVersion;
    },
    { timeoutMs: 90_000, intervalMs: 250, what: "convergence" },
  );

  const desired = await computeDesiredAccess(t.db, connectionId, new Date());
  const db = desired;
  const want = new Map(db.access.map((a) => [`${a.accountName}|${a.objectId}`, a.level]));
  const objects = db.objects.map((o) => ({ id: o.id, schema: o.path[1]!, name: o.path[2]!, objectType: o.objectType }));
  const { rows } = await query<{ u: string; obj: string; sel: boolean; ins: boolean }>(
    `SELECT u, obj, has_table_privilege(u, obj, 'SELECT') AS sel, has_table_privilege(u, obj, 'INSERT') AS ins
     FROM unnest($1::text[]) u CROSS JOIN unnest($2::text[]) obj WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = u)`,
    [usernames, objects.map((o) => `${o.schema}.${o.name}`)],
    { database: warehouse },
  );
  const objectId = new Map(objects.map((o) => [`${o.schema}.${o.name}`, o]));
  const mismatches: string[] = [];
  for (const row of rows) {
    const o = objectId.get(row.obj)!;
    const level = want.get(`${row.u}|${o.id}`) ?? "NONE";
    const expectSelect = level !== "NONE";
    const expectInsert = level === "WRITE" && o.objectType !== "VIEW";
    if (row.sel !== expectSelect || row.ins !== expectInsert)
      mismatches.push(`${row.u} ${row.obj}: want ${level}, has SELECT=${row.sel} INSERT=${row.ins}`);
  }
  // Users with access must exist as roles; the query above covers every existing one.
  for (const a of db.access)
    expect(
      rows.some((r) => r.u === a.accountName),
      `${a.accountName} has no role`,
    ).toBe(true);
  expect(mismatches).toEqual([]);
  expect(db.access.length).toBeGreaterThan(0);
  console.info(
    `R1 converged: ${rows.length} (user, object) pairs checked, ${db.access.length} grants, ${await t.db.reconcileRun.count({ where: { connectionId } })} reconcile runs`,
  );
}, 600_000);
