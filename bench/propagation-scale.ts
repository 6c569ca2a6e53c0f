/**
 * The at-scale half of `policy-propagation` (issue #7 §3): 10,000 users × 2,000 tables × 50 policies
 * in the metadata database, the worker's production code path, and one user alternately joining and
 * leaving a group. Latency = commit → `has_table_privilege` flips as that user. Then a full reconcile
 * with nothing changed, which must issue 0 statements.
 *
 *   npm run bench -- policy-propagation --scale [--changes 200] [--users 10000] [--schemas 20] [--tables-per-schema 100] [--policies 50]
 */
import os from "node:os";
import { bumpDesiredVersions, createPolicy, reconcileConnection } from "@steward/access";
import { createConnection } from "@steward/catalog";
import { type Actor, systemActor } from "@steward/core";
import { type Db, transaction } from "@steward/db";
import { addGroupMember, removeGroupMember } from "@steward/identity";
import pg from "pg";
import type { startWorker } from "../apps/worker/src/worker";
import { prng } from "../libs/policy/src/testing";

export type ScaleOptions = { users: number; schemas: number; perSchema: number; policies: number; changes: number; seed: number };

type Env = {
  db: Db;
  worker: Awaited<ReturnType<typeof startWorker>>;
  run: string;
  meta: string;
  warehouse: string;
  sql: (db: string, text: string, params?: unknown[]) => Promise<pg.QueryResult>;
  urlFor: (db: string) => string;
  onConnection: (id: string) => void;
};

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const userName = (run: string, i: number) => `ps${run}_${String(i).padStart(5, "0")}`;

export async function runScale(env: Env, o: ScaleOptions): Promise<Record<string, unknown>> {
  const { db, run, warehouse } = env;
  const sql = (database: string, text: string, params: unknown[] = []) => env.sql(database === "meta" ? env.meta : database, text, params);
  const rand = prng(o.seed);
  const setup = performance.now();
  for (let s = 0; s < o.schemas; s++) {
    const stmts = [`CREATE SCHEMA s${s}`];
    for (let t = 0; t < o.perSchema; t++) stmts.push(`CREATE TABLE s${s}.t${t} (id int)`);
    await sql(warehouse, stmts.join(";\n"));
  }
  const system: Actor = systemActor("bench");
  const created = await createConnection({ db, secretBox: env.worker.context.secretBox }, system, {
    name: "bench-scale",
    kind: "POSTGRES",
    config: { host: "127.0.0.1", port: 5432, user: "postgres", databases: [warehouse] },
    autoRegister: true,
  });
  const connectionId = created.connection.id;
  env.onConnection(connectionId);
  await waitUntil("the catalog sync", 120_000, async () => {
    const r = await db.syncRun.findUniqueOrThrow({ where: { id: created.syncRun.id } });
    if (r.status === "FAILED") throw new Error(`sync failed: ${r.error}`);
    return r.status === "SUCCEEDED";
  });
  const sources = await db.dataSource.findMany({ where: { connectionId }, select: { id: true }, orderBy: { id: "asc" } });

  // Groups and policies first (each policy is one event and one reconcile, cheap while nobody is in
  // a group); then users and memberships straight into the metadata database (no events) and one
  // version bump, so the initial full reconcile sees all of them at once.
  const groupIds: string[] = [];
  for (let g = 0; g < o.policies; g++) {
    const id = (
      await sql("meta", `INSERT INTO "Group" (id, name, "updatedAt") VALUES (gen_random_uuid(), $1, now()) RETURNING id`, [`g${run}_${g}`])
    ).rows[0].id as string;
    groupIds.push(id);
  }
  const policyTables: string[][] = groupIds.map(() => []);
  for (const [i, s] of sources.entries()) policyTables[i % o.policies]!.push(s.id);
  for (let g = 0; g < o.policies; g++) {
    await createPolicy({ db }, system, {
      name: `bench-${g}`,
      accessType: g % 5 === 4 ? "WRITE" : "READ",
      restriction: { kind: "conditions", condition: { kind: "group", group: groupIds[g]! } },
      scope: { kind: "sources", sourceIds: policyTables[g]! },
    });
  }
  const converged = async () => {
    const s = await db.connectionAccessState.findUnique({ where: { connectionId } });
    return !!s && s.desiredVersion > 0 && s.appliedVersion === s.desiredVersion;
  };
  await waitUntil("the policies' reconciles", 600_000, converged);
  await sql(
    "meta",
    `INSERT INTO "User" (id, username, "displayName", email, "updatedAt")
     SELECT gen_random_uuid(), u, u, u || '@bench.example', now() FROM unnest($1::text[]) u`,
    [Array.from({ length: o.users }, (_, i) => userName(run, i))],
  );
  const userRows = (await sql("meta", `SELECT id, username FROM "User" WHERE username LIKE $1 ORDER BY username`, [`ps${run}_%`])).rows as {
    id: string;
    username: string;
  }[];
  const memberPairs: [string, string][] = [];
  for (const id of groupIds) {
    const share = 0.02 + rand() * 0.18; // 2–20 % of users per audience
    // User 0 is the one whose membership the benchmark toggles: it starts in no group.
    for (const u of userRows.slice(1)) if (rand() < share) memberPairs.push([id, u.id]);
  }
  await sql("meta", `INSERT INTO "GroupMembership" ("groupId", "userId") SELECT * FROM unnest($1::uuid[], $2::uuid[])`, [
    memberPairs.map((p) => p[0]),
    memberPairs.map((p) => p[1]),
  ]);
  await transaction(db, (tx) => bumpDesiredVersions(tx, [connectionId])); // the sweeper queues it
  await waitUntil("the initial reconcile", 600_000, converged);
  const setupSeconds = Math.round(performance.now() - setup) / 1000;

  // The table the toggled user gains: one of group 0's (a READ policy).
  const probeSource = await db.dataSource.findUniqueOrThrow({ where: { id: policyTables[0]![0]! }, include: { catalogNode: true } });
  const [, schema, table] = probeSource.catalogNode.path;
  const probe = new pg.Client({ connectionString: env.urlFor(warehouse) });
  await probe.connect();
  const subject = userRows[0]!;
  const has = async () =>
    (await probe.query("SELECT has_table_privilege($1, $2, 'SELECT') AS ok", [subject.username, `${schema}.${table}`])).rows[0]
      .ok as boolean;
  const latencies: number[] = [];
  const measuredFrom = new Date();
  try {
    for (let i = 0; i < o.changes; i++) {
      const grant = i % 2 === 0;
      const input = { groupId: groupIds[0]!, userId: subject.id };
      await (grant ? addGroupMember({ db }, system, input) : removeGroupMember({ db }, system, input));
      const committed = performance.now();
      while ((await has()) !== grant) {
        if (performance.now() - committed > 60_000) throw new Error(`change ${i} did not propagate in 60 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
      latencies.push(performance.now() - committed);
    }
  } finally {
    await probe.end().catch(() => {});
  }

  // Where the time goes: the reconcile job itself (ReconcileRun) and commit → dispatch (outbox).
  const runs = await db.reconcileRun.findMany({ where: { connectionId, startedAt: { gte: measuredFrom } }, select: { durationMs: true } });
  const events = await db.outboxEvent.findMany({
    where: { type: "group.membership.changed", createdAt: { gte: measuredFrom } },
    select: { createdAt: true, enqueuedAt: true, processedAt: true },
  });
  const runMs = runs.map((r) => r.durationMs ?? 0);
  const handoverMs = events.filter((e) => e.enqueuedAt).map((e) => e.enqueuedAt!.getTime() - e.createdAt.getTime());
  const dispatchedMs = events.filter((e) => e.processedAt).map((e) => e.processedAt!.getTime() - e.createdAt.getTime());

  // The safety net: a full reconcile (a version bump without a delta scope) with nothing to change.
  await waitUntil("the last change to be recorded", 60_000, converged);
  const bumped = await transaction(db, (tx) => bumpDesiredVersions(tx, [connectionId]));
  const version = bumped[0]!.version;
  const fullStarted = performance.now();
  const full = await reconcileConnection({ db, secretBox: env.worker.context.secretBox }, connectionId, version);
  const fullMs = Math.round(performance.now() - fullStarted);
  // The worker's sweeper may have taken this version first: its run record says what it did.
  const fullRun = await db.reconcileRun.findFirst({
    where: { connectionId, desiredVersion: version, status: { in: ["APPLIED", "UNCHANGED"] } },
    orderBy: { startedAt: "desc" },
  });
  const fullStatements = fullRun ? fullRun.statementCount : -1;

  const p50 = Math.round(percentile(latencies, 50));
  const p99 = Math.round(percentile(latencies, 99));
  return {
    benchmark: "policy-propagation",
    scale: { users: o.users, tables: sources.length, policies: o.policies, memberships: memberPairs.length },
    setupSeconds,
    changes: o.changes,
    change: "one user joins / leaves a group",
    p50Ms: p50,
    p90Ms: Math.round(percentile(latencies, 90)),
    p99Ms: p99,
    maxMs: Math.round(Math.max(...latencies)),
    breakdown: {
      reconcileRuns: runMs.length,
      reconcileRunP50Ms: runMs.length ? percentile(runMs, 50) : null,
      reconcileRunP99Ms: runMs.length ? percentile(runMs, 99) : null,
      commitToHandoverP50Ms: handoverMs.length ? percentile(handoverMs, 50) : null,
      commitToDispatchedP50Ms: dispatchedMs.length ? percentile(dispatchedMs, 50) : null,
    },
    noOpFullReconcile: { outcome: full.kind, statements: fullStatements, ms: fullMs },
    goals: { p50AtMost100: p50 <= 100, p99AtMost250: p99 <= 250, noOpFullZeroStatements: fullStatements === 0 },
    machine: { nproc: os.cpus().length, cpu: os.cpus()[0]?.model ?? "", load1: Number(os.loadavg()[0]!.toFixed(2)) },
  };
}
