/**
 * R2: the target PostgreSQL is unreachable for 60 s while access changes. Reconciles fail as
 * UNREACHABLE and are retried with capped backoff (never dead-lettered); within 30 s of the server's
 * return the grants converge.
 */
import { createPolicy } from "@steward/access";
import { createConnection } from "@steward/catalog";
import { createLogger, systemActor } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { addGroupMember, createGroup, createUser } from "@steward/identity";
import { runId } from "@steward/integrations/grants/testing";
import { type ScratchCluster, startScratchCluster } from "@steward/integrations/testing/scratch-cluster";
import { Queue } from "bullmq";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { flushPrefix, REDIS_URL, testConfig, testKeyring, uniquePrefix, waitFor } from "./test-support";
import { type RunningWorker, startWorker } from "./worker";

const OUTAGE_MS = 60_000;
const id = runId();
const prefix = uniquePrefix("outage");
const system = systemActor("r2");
let cluster: ScratchCluster;
let t: TestDatabase;
let worker: RunningWorker;

async function remote<T extends pg.QueryResultRow>(sql: string, params: unknown[] = [], database = "postgres") {
  const c = new pg.Client({ connectionString: cluster.url(database) });
  await c.connect();
  try {
    return await c.query<T>(sql, params);
  } finally {
    await c.end();
  }
}

const canSelect = async (user: string) =>
  remote<{ ok: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AND has_table_privilege($1, 'app.events', 'SELECT') AS ok",
    [user],
    "app",
  ).then(
    (r) => r.rows[0]?.ok === true,
    () => false,
  );

beforeAll(async () => {
  cluster = await startScratchCluster();
  await remote("CREATE DATABASE app");
  await remote("CREATE SCHEMA app; CREATE TABLE app.events (id int)", [], "app");
  t = await createTestDatabase();
  worker = await startWorker({
    databaseUrl: t.url,
    redisUrl: REDIS_URL,
    encryptionKeys: testKeyring(),
    port: 0,
    config: testConfig(prefix, { ACCESS_SWEEP_MS: 250 }),
    logger: createLogger({ name: "worker", level: "error" }),
  });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await flushPrefix(prefix);
  await t?.drop();
  cluster?.destroy();
});

it("retries through a 60 s outage and converges within 30 s of the server's return", async () => {
  const deps = { db: t.db };
  const a = await createUser(deps, system, { username: `r2_${id}_a`, displayName: "A", email: `a${id}@example.com` });
  const b = await createUser(deps, system, { username: `r2_${id}_b`, displayName: "B", email: `b${id}@example.com` });
  const group = await createGroup(deps, system, { name: `r2-${id}` });
  await addGroupMember(deps, system, { groupId: group.id, userId: a.id });
  const created = await createConnection({ db: t.db, secretBox: worker.context.secretBox }, system, {
    name: "remote",
    kind: "POSTGRES",
    config: { host: "127.0.0.1", port: cluster.port, user: "postgres", databases: ["app"] },
    credentials: { password: cluster.password },
    autoRegister: true,
  });
  await waitFor(async () => (await t.db.syncRun.findUnique({ where: { id: created.syncRun.id } }))?.status === "SUCCEEDED", {
    timeoutMs: 30_000,
    what: "first sync",
  });
  const governor = { kind: "USER" as const, userId: a.id, username: a.username, roles: new Set(["GOVERNOR" as const]) };
  await createPolicy(deps, governor, {
    name: "group reads",
    accessType: "READ",
    restriction: { kind: "conditions", condition: { kind: "group", group: group.id } },
    scope: { kind: "connection", connectionId: created.connection.id },
  });
  await waitFor(() => canSelect(a.username), { timeoutMs: 30_000, what: "first grant" });
  // The outage starts with the connection settled: a reconcile (or drift read) caught mid-query by the
  // vanishing server is bounded by its query timeout (65 s), a different property from retrying an outage.
  await waitFor(
    async () => {
      const state = await t.db.connectionAccessState.findUnique({ where: { connectionId: created.connection.id } });
      const running = await t.db.reconcileRun.count({ where: { connectionId: created.connection.id, status: "RUNNING" } });
      // …and its first drift check (a read of the target by the sweeper) done, none due for 10 minutes.
      return state !== null && state.appliedVersion === state.desiredVersion && running === 0 && state.driftCheckedAt !== null;
    },
    { timeoutMs: 30_000, what: "settled before the outage" },
  );

  cluster.stop();
  await addGroupMember(deps, system, { groupId: group.id, userId: b.id }); // committed while the target is down
  await new Promise((r) => setTimeout(r, OUTAGE_MS));
  const failedRuns = await t.db.reconcileRun.findMany({ where: { connectionId: created.connection.id, status: "FAILED" } });
  if (failedRuns.length <= 3) {
    // Say what the worker did instead, so a failure here can be explained from the log alone.
    const runs = await t.db.reconcileRun.findMany({ where: { connectionId: created.connection.id }, orderBy: { startedAt: "asc" } });
    const state = await t.db.connectionAccessState.findUnique({ where: { connectionId: created.connection.id } });
    console.error(
      "outage: runs",
      runs.map((r) => [r.status, r.desiredVersion, r.startedAt.toISOString(), r.finishedAt?.toISOString(), r.error]),
      state,
    );
  }
  expect(failedRuns.length).toBeGreaterThan(3); // it kept trying …
  expect(failedRuns.every((r) => r.error?.includes("UNREACHABLE"))).toBe(true);
  const latest = await t.db.reconcileRun.findFirst({ where: { connectionId: created.connection.id }, orderBy: { startedAt: "desc" } });
  expect(Date.now() - latest!.startedAt.getTime()).toBeLessThan(15_000); // … without backing off for ever

  cluster.start();
  const back = Date.now();
  await waitFor(() => canSelect(b.username), { timeoutMs: 30_000, intervalMs: 100, what: "convergence after the outage" });
  const convergedMs = Date.now() - back;
  expect(convergedMs).toBeLessThan(30_000);
  const queue = new Queue("reconcile-connection", { connection: { url: REDIS_URL }, prefix });
  try {
    expect(await queue.getFailedCount()).toBe(0); // nothing dead-lettered for a transient error
  } finally {
    await queue.close();
  }
  console.info(`R2: ${failedRuns.length} failed attempts during the outage; converged ${convergedMs} ms after the server returned`);
}, 180_000);
