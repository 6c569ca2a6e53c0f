/**
 * Issue #7 §3: 2 API and 3 worker processes on one PostgreSQL and one Redis. Random access changes
 * arrive through both APIs (several at a time) while workers are SIGKILLed and restarted. Afterwards
 * the grants equal the desired state pair by pair, a full reconcile has nothing left to do (the
 * delta path left no work behind), and no connection was ever reconciled by two workers at once:
 * the ReconcileRun intervals of the connection never overlap.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { computeDesiredAccess, planConnectionStatements, toEnginePolicy } from "@steward/access";
import { createConnection } from "@steward/catalog";
import { type Actor, parseKeyring, SecretBox, systemActor } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { createApiKey, createGroup, createUser } from "@steward/identity";
import { scopePrefix } from "@steward/integrations/grants";
import { cleanup, query, runId } from "@steward/integrations/grants/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { testKeyring, waitFor } from "./test-support";
import {
  freePort,
  killProcess,
  type PrivateRedis,
  repoRoot,
  spawnWorkerProcess,
  startPrivateRedis,
  type WorkerProcess,
} from "./testing/processes";
import { createR1Policies } from "./testing/r1-policies";

const CHANGES = 240;
const IN_FLIGHT = 4;
const USERS = 16;
const id = runId();
const warehouse = `stw_mp_${id}`;
const usernames = Array.from({ length: USERS }, (_, i) => `mp_${id}_u${i}`);
const keys = testKeyring();
const system = systemActor("multi-process");
const output: string[] = [];
let t: TestDatabase;
let redis: PrivateRedis;
const workers: (WorkerProcess | null)[] = [null, null, null];
const apis: { child: ChildProcess; url: string }[] = [];
let connectionId = "";

let seed = 0x3b1d;
const rand = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const startWorker = () =>
  spawnWorkerProcess(
    {
      DATABASE_URL: t.url,
      REDIS_URL: redis.url,
      STEWARD_ENCRYPTION_KEYS: keys,
      QUEUE_PREFIX: `mp${id}`,
      OUTBOX_STALE_MS: "2000",
      ACCESS_SWEEP_MS: "300",
      JOB_LOCK_MS: "3000",
      JOB_STALLED_CHECK_MS: "1000",
    },
    output,
    // Five Node processes starting on a shared 2-core machine: readiness can take a while.
    { readyTimeoutMs: 90_000 },
  );

async function startApi(): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "apps/api/src/main.ts"], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      DATABASE_URL: t.url,
      REDIS_URL: redis.url,
      STEWARD_ENCRYPTION_KEYS: keys,
      API_PORT: String(port),
      API_HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      RATE_LIMIT_PREFIX: `mp${id}:rl`,
    },
  });
  const capture = (chunk: Buffer) => output.push(chunk.toString());
  child.stdout?.on("data", capture);
  child.stderr?.on("data", capture);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`api exited early:\n${output.join("").slice(-2000)}`);
      return fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
    },
    { timeoutMs: 90_000, intervalMs: 100, what: "api readiness" },
  );
  return { child, url };
}

beforeAll(async () => {
  t = await createTestDatabase();
  redis = await startPrivateRedis();
  await query(`CREATE DATABASE ${warehouse}`);
  const ddl = ["CREATE SCHEMA s1", "CREATE SCHEMA s2"];
  for (let i = 0; i < 4; i++) ddl.push(`CREATE TABLE s1.t${i} (id int)`, `CREATE TABLE s2.t${i} (id int)`);
  ddl.push("CREATE VIEW s1.v0 AS SELECT * FROM s1.t0");
  await query(ddl.join(";"), [], { database: warehouse });
  for (let i = 0; i < workers.length; i++) workers[i] = await startWorker();
  apis.push(await startApi(), await startApi());
}, 400_000);

afterAll(async () => {
  for (const w of workers) if (w) await killProcess(w.child, "SIGKILL");
  for (const a of apis) await killProcess(a.child, "SIGKILL");
  await redis?.stop();
  await cleanup({ databases: [warehouse], rolePrefixes: connectionId ? [scopePrefix(connectionId, warehouse)] : [], roles: usernames });
  await t?.drop();
});

it("2 APIs and 3 workers with SIGKILLs: exact grants, nothing left for a full reconcile, one reconcile per connection at a time", async () => {
  const deps = { db: t.db };
  const secretBox = new SecretBox(parseKeyring(keys));
  const admin = await createUser(deps, system, {
    username: `mp_${id}_admin`,
    displayName: "Admin",
    email: `mp-${id}-admin@example.com`,
    roles: ["ADMIN", "GOVERNOR", "DATA_OWNER"],
  });
  const adminActor: Actor = {
    kind: "USER",
    userId: admin.id,
    username: admin.username,
    roles: new Set(["ADMIN", "GOVERNOR", "DATA_OWNER"] as const),
  };
  const { secret } = await createApiKey(deps, adminActor, { name: "multi-process" });
  const userIds: string[] = [];
  for (const u of usernames) userIds.push((await createUser(deps, system, { username: u, displayName: u, email: `${u}@example.com` })).id);
  const groups: string[] = [];
  for (let g = 0; g < 3; g++) groups.push((await createGroup(deps, system, { name: `mp-${id}-g${g}` })).id);
  const created = await createConnection({ db: t.db, secretBox }, system, {
    name: "mp",
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
  await createR1Policies(deps, adminActor, connectionId, groups);

  let calls = 0;
  const gql = async (query: string, variables: Record<string, unknown>) => {
    const api = apis[calls++ % apis.length]!;
    const res = await fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { errors?: { message: string }[] };
    if (body.errors?.length) throw new Error(`${query.slice(0, 40)}: ${body.errors.map((e) => e.message).join("; ")}`);
  };
  // One change per user at a time keeps the test's own bookkeeping (member, inactive) exact.
  const busy = new Set<string>();
  const member = new Set<string>();
  const inactive = new Set<string>();
  let tagging: Promise<void> = Promise.resolve();
  const change = async () => {
    const free = userIds.slice(1).filter((u) => !busy.has(u));
    const user = pick(free);
    busy.add(user);
    try {
      const r = rand();
      if (r < 0.4) {
        const g = pick(groups);
        const key = `${g}:${user}`;
        const joining = !member.has(key);
        if (joining) member.add(key);
        else member.delete(key);
        await gql(`mutation($g: ID!, $u: ID!) { ${joining ? "addGroupMember" : "removeGroupMember"}(groupId: $g, userId: $u) { id } }`, {
          g,
          u: user,
        });
      } else if (r < 0.75) {
        await gql("mutation($i: SetUserAttributeInput!) { setUserAttribute(input: $i) { id } }", {
          i: { userId: user, key: "region", values: [pick(["EU", "US", "APAC"])] },
        });
      } else if (r < 0.88) {
        const op = rand() < 0.6 ? "tagDataSource" : "untagDataSource";
        const s = pick(sources);
        // One tag change at a time: concurrent tagging of one source is §4.8's INTERNAL, not ours.
        const run = tagging.then(() => gql(`mutation($s: ID!) { ${op}(dataSourceId: $s, tag: "Hot") { id } }`, { s }));
        tagging = run.catch(() => {});
        await run;
      } else {
        const reactivate = inactive.has(user);
        if (reactivate) inactive.delete(user);
        else inactive.add(user);
        await gql(`mutation($u: ID!) { ${reactivate ? "reactivateUser" : "deactivateUser"}(id: $u) { id } }`, { u: user });
      }
    } finally {
      busy.delete(user);
    }
  };

  for (let i = 0; i < CHANGES; i += IN_FLIGHT) {
    await Promise.all(Array.from({ length: IN_FLIGHT }, () => change()));
    if (i % 60 === 28) {
      const k = Math.floor(rand() * workers.length);
      await killProcess(workers[k]!.child, "SIGKILL");
      workers[k] = null;
      workers[k] = await startWorker();
    }
  }

  await waitFor(
    async () => {
      const s = await t.db.connectionAccessState.findUnique({ where: { connectionId } });
      const pending = await t.db.outboxEvent.count({ where: { processedAt: null } });
      return s && pending === 0 && s.appliedVersion >= s.desiredVersion;
    },
    { timeoutMs: 90_000, intervalMs: 250, what: "convergence" },
  ).catch(async (err) => {
    const state = await t.db.connectionAccessState.findUnique({ where: { connectionId } });
    const recent = await t.db.reconcileRun.findMany({ where: { connectionId }, orderBy: { startedAt: "desc" }, take: 5 });
    const pending = await t.db.outboxEvent.count({ where: { processedAt: null } });
    console.error({ state, pending, recent: recent.map((r) => [r.status, r.desiredVersion, r.error]) }, output.join("").slice(-3000));
    throw err;
  });

  // 1. Grants equal the desired state, pair by pair.
  const desired = await computeDesiredAccess(t.db, connectionId, new Date());
  // One database on this connection: paths are [database, schema, object].
  const db = {
    access: desired.access,
    objects: desired.objects.map((o) => ({ id: o.id, schema: o.path[1]!, name: o.path[2]!, objectType: o.objectType })),
  };
  const want = new Map(db.access.map((a) => [`${a.accountName}|${a.objectId}`, a.level]));
  const { rows } = await query<{ u: string; obj: string; sel: boolean; ins: boolean }>(
    `SELECT u, obj, has_table_privilege(u, obj, 'SELECT') AS sel, has_table_privilege(u, obj, 'INSERT') AS ins
     FROM unnest($1::text[]) u CROSS JOIN unnest($2::text[]) obj WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = u)`,
    [usernames, db.objects.map((o) => `${o.schema}.${o.name}`)],
    { database: warehouse },
  );
  const objects = new Map(db.objects.map((o) => [`${o.schema}.${o.name}`, o]));
  const mismatches: string[] = [];
  for (const row of rows) {
    const o = objects.get(row.obj)!;
    const level = want.get(`${row.u}|${o.id}`) ?? "NONE";
    if (row.sel !== (level !== "NONE") || row.ins !== (level === "WRITE" && o.objectType !== "VIEW"))
      mismatches.push(`${row.u} ${row.obj}: want ${level}, has SELECT=${row.sel} INSERT=${row.ins}`);
  }
  expect(mismatches).toEqual([]);
  for (const a of db.access)
    expect(
      rows.some((r) => r.u === a.accountName),
      `${a.accountName} has no role`,
    ).toBe(true);
  expect(db.access.length).toBeGreaterThan(0);

  // 2. The safety net has nothing to repair: deltas left the roles exactly as the full model wants.
  const policies = (await t.db.subscriptionPolicy.findMany({ where: { deletedAt: null }, orderBy: { id: "asc" } })).map(toEnginePolicy);
  const full = await planConnectionStatements({ db: t.db, secretBox }, connectionId, policies);
  expect(full).toEqual({ statements: [], error: null });

  // 3. Never two reconciles of the connection at once. Runs of a killed worker never finish.
  const runs = await t.db.reconcileRun.findMany({ where: { connectionId }, orderBy: { startedAt: "asc" } });
  const finished = runs.filter((r) => r.finishedAt !== null);
  const overlaps: string[] = [];
  for (let i = 1; i < finished.length; i++) {
    const prev = finished[i - 1]!;
    const next = finished[i]!;
    if (next.startedAt < prev.finishedAt!)
      overlaps.push(`${prev.id} [${prev.startedAt.toISOString()}–${prev.finishedAt!.toISOString()}] ∩ ${next.id}`);
  }
  expect(overlaps).toEqual([]);
  expect(finished.length).toBeGreaterThan(10);
  console.info(
    `multi-process: ${CHANGES} changes, ${rows.length} pairs checked, ${finished.length} reconcile runs (${runs.length - finished.length} cut off by SIGKILL), none overlapping`,
  );
}, 300_000);
