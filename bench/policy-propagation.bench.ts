/**
 * Issue #4 P2: policy change committed → `has_table_privilege(user, table, 'SELECT')` flips on the real
 * PostgreSQL. 200 changes alternately grant and revoke one user's access (by editing the policy's user
 * list); the worker runs in this process with its production code path (outbox NOTIFY → dispatch →
 * reconcile). Goal: p50 ≤ 300 ms, p99 ≤ 1 s.
 * With `--scale` (or BENCH_SCALE=1) it runs issue #7's scenario instead: see propagation-scale.ts.
 *
 *   npm run bench -- policy-propagation [--changes 200] [--scale]
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
import { parseArgs } from "node:util";
import { createPolicy, updatePolicy } from "@steward/access";
import { createConnection } from "@steward/catalog";
import { createLogger, systemActor } from "@steward/core";
import { createDb } from "@steward/db";
import { createUser } from "@steward/identity";
import { scopePrefix } from "@steward/integrations/grants";
import { cleanup } from "@steward/integrations/grants/testing";
import pg from "pg";
import { testConfig } from "../apps/worker/src/test-support";
import { startWorker } from "../apps/worker/src/worker";
import { runScale } from "./propagation-scale";

const { values } = parseArgs({
  options: {
    changes: { type: "string", default: "200" },
    scale: { type: "boolean", default: process.env.BENCH_SCALE === "1" },
    users: { type: "string", default: "10000" },
    schemas: { type: "string", default: "20" },
    "tables-per-schema": { type: "string", default: "100" },
    policies: { type: "string", default: "50" },
    seed: { type: "string", default: "42" },
  },
});
const CHANGES = Number(values.changes);
const ADMIN_URL = process.env.BENCH_ADMIN_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const run = randomBytes(4).toString("hex");
const META = `steward_bench_p2_${run}`;
const WAREHOUSE = `stw_bench_p2_${run}`;
const USER = `p2_${run}_alice`;
const urlFor = (db: string) => Object.assign(new URL(ADMIN_URL), { pathname: `/${db}` }).toString();

async function sql(db: string, text: string, params: unknown[] = []) {
  const c = new pg.Client({ connectionString: urlFor(db) });
  await c.connect();
  try {
    return await c.query(text, params);
  } finally {
    await c.end();
  }
}

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

async function main() {
  await sql("postgres", `CREATE DATABASE ${META}`);
  await sql("postgres", `CREATE DATABASE ${WAREHOUSE}`);
  await sql(WAREHOUSE, "CREATE SCHEMA sales; CREATE TABLE sales.orders (id int)");
  const migrated = spawnSync(
    process.execPath,
    ["--experimental-wasm-modules", "--no-warnings", "--import", "tsx", "libs/db/src/migrate/cli.ts", "deploy"],
    {
      env: { ...process.env, DATABASE_URL: urlFor(META) },
      encoding: "utf8",
    },
  );
  if (migrated.status !== 0) throw new Error(migrated.stderr);
  const db = createDb({ url: urlFor(META), poolSize: 4 });
  const keys = `k1:${randomBytes(32).toString("base64")}`;
  const worker = await startWorker({
    databaseUrl: urlFor(META),
    redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    encryptionKeys: keys,
    port: 0,
    config: testConfig(`bench-p2-${run}`, {
      ACCESS_SWEEP_MS: 1_000,
      // At scale a full reconcile holds the event loop for seconds: keep job locks from lapsing meanwhile.
      ...(values.scale ? { JOB_LOCK_MS: 60_000, JOB_STALLED_CHECK_MS: 30_000 } : {}),
    }),
    logger: createLogger({ name: "worker", level: "error" }),
  });
  let connectionId = "";
  if (values.scale) {
    try {
      const figures = await runScale(
        {
          db,
          worker,
          run,
          meta: META,
          warehouse: WAREHOUSE,
          sql,
          urlFor,
          onConnection: (id) => {
            connectionId = id;
          },
        },
        {
          users: Number(values.users),
          schemas: Number(values.schemas),
          perSchema: Number(values["tables-per-schema"]),
          policies: Number(values.policies),
          changes: CHANGES,
          seed: Number(values.seed),
        },
      );
      console.log(`scale: commit → has_table_privilege p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms over ${CHANGES} changes`);
      console.log(JSON.stringify(figures));
    } finally {
      await worker.stop();
      await db.$disconnect();
      await cleanup({
        databases: [WAREHOUSE],
        rolePrefixes: [...(connectionId ? [scopePrefix(connectionId, WAREHOUSE)] : []), `ps${run}_`],
      });
      await sql("postgres", `DROP DATABASE IF EXISTS ${META} WITH (FORCE)`);
    }
    return;
  }
  const probe = new pg.Client({ connectionString: urlFor(WAREHOUSE) });
  try {
    const system = systemActor("bench");
    const gov = await createUser({ db }, system, {
      username: `p2-${run}-gov`,
      displayName: "Gov",
      email: `gov-${run}@example.com`,
      roles: ["GOVERNOR"],
    });
    const alice = await createUser({ db }, system, { username: USER, displayName: "Alice", email: `alice-${run}@example.com` });
    const governor = { kind: "USER" as const, userId: gov.id, username: gov.username, roles: new Set(["GOVERNOR" as const]) };
    const created = await createConnection({ db, secretBox: worker.context.secretBox }, system, {
      name: "bench",
      kind: "POSTGRES",
      config: { host: "127.0.0.1", port: 5432, user: "postgres", databases: [WAREHOUSE] },
      autoRegister: true,
    });
    connectionId = created.connection.id;
    while ((await db.syncRun.findUniqueOrThrow({ where: { id: created.syncRun.id } })).status !== "SUCCEEDED")
      await new Promise((r) => setTimeout(r, 50));
    const source = await db.dataSource.findFirstOrThrow({ where: { connectionId } });
    const definition = (userIds: string[]) => ({
      restriction: { kind: "users", userIds },
      scope: { kind: "sources", sourceIds: [source.id] },
    });
    const { policy } = await createPolicy({ db }, governor, { name: "p2", accessType: "READ", ...definition([gov.id]) });
    // Let the first reconcile create the roles so every measured change is a grant/revoke.
    await new Promise((r) => setTimeout(r, 3_000));
    await probe.connect();
    const has = async () =>
      (
        await probe.query(
          "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AND has_table_privilege($1, 'sales.orders', 'SELECT') AS ok",
          [USER],
        )
      ).rows[0].ok as boolean;
    const latencies: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const grant = i % 2 === 0;
      const started = performance.now();
      await updatePolicy({ db }, governor, {
        id: policy.id,
        name: "p2",
        accessType: "READ",
        ...definition(grant ? [gov.id, alice.id] : [gov.id]),
      });
      const committed = performance.now();
      while ((await has()) !== grant) {
        if (performance.now() - committed > 30_000) throw new Error(`change ${i} did not propagate in 30 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
      latencies.push(performance.now() - committed);
      void started;
    }
    const figures = {
      benchmark: "policy-propagation",
      changes: CHANGES,
      p50Ms: Math.round(percentile(latencies, 50)),
      p90Ms: Math.round(percentile(latencies, 90)),
      p99Ms: Math.round(percentile(latencies, 99)),
      maxMs: Math.round(Math.max(...latencies)),
      goal: "p50 ≤ 300 ms, p99 ≤ 1000 ms",
      cpus: os.cpus().length,
      loadAvg1m: Number(os.loadavg()[0]!.toFixed(2)),
    };
    console.log(`commit → has_table_privilege: p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms over ${CHANGES} changes`);
    console.log(JSON.stringify(figures));
  } finally {
    await probe.end().catch(() => {});
    await worker.stop();
    await db.$disconnect();
    await cleanup({
      databases: [WAREHOUSE],
      rolePrefixes: connectionId ? [scopePrefix(connectionId, WAREHOUSE)] : [],
      roles: [USER, `p2-${run}-gov`],
    });
    await sql("postgres", `DROP DATABASE IF EXISTS ${META} WITH (FORCE)`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
