/**
 * The real Trino stack the Trino benchmarks share (not a benchmark itself): a migrated metadata
 * database, a PostgreSQL warehouse behind Trino's postgresql catalog, the worker and the decision
 * service in this process, and Trino 476 governed by Steward through the generated opa properties —
 * registered while open, then restarted with the decision token, as an operator would.
 *
 * Warehouse: hr.employees (PII email masked by a hash, rows filtered by the reader's region),
 * sales.orders (READ, no data policy), finance.budgets (the table policy changes flip).
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createDataPolicy, createPolicy, issueDecisionToken } from "@steward/access";
import { createConnection, tagColumn } from "@steward/catalog";
import { type Actor, createLogger, parseAddressList, systemActor } from "@steward/core";
import { createDb, type Db } from "@steward/db";
import { createUser, setUserAttribute } from "@steward/identity";
import { createTrinoClient, type RunningTrino, startTrino, type TrinoQueryResult } from "@steward/integrations/trino/testing";
import pg from "pg";
import { type RunningDecisionService, startDecisionService } from "../apps/decisions/src/service";
import { testConfig } from "../apps/worker/src/test-support";
import { type RunningWorker, startWorker } from "../apps/worker/src/worker";

const ADMIN_URL = process.env.BENCH_ADMIN_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
export const urlFor = (db: string) => Object.assign(new URL(ADMIN_URL), { pathname: `/${db}` }).toString();

export async function sql(db: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: urlFor(db) });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

export type TrinoStack = {
  run: string;
  db: Db;
  governor: Actor & { kind: "USER" };
  alice: { id: string; username: string };
  connectionId: string;
  ids: { employees: string; orders: string; budgets: string };
  worker: RunningWorker;
  service: RunningDecisionService;
  /** Trino with `access-control.name=opa` pointed at the decision service. */
  trino: RunningTrino;
  warehouseUrl: string;
  /** Runs `sql` as `user` through `server`; resolves the result or the error text. */
  query(server: RunningTrino, user: string, sql: string): Promise<TrinoQueryResult | string>;
  /** The decision service serves the newest published snapshot of the connection. */
  settled(): Promise<boolean>;
  stop(): Promise<void>;
};

export async function startTrinoStack(label: string): Promise<TrinoStack> {
  const run = randomBytes(4).toString("hex");
  const meta = `steward_bench_${label}_${run}`;
  const warehouse = `stw_bench_${label}_${run}`;
  await sql("postgres", `CREATE DATABASE ${meta}`);
  await sql("postgres", `CREATE DATABASE ${warehouse}`);
  await sql(
    warehouse,
    `CREATE SCHEMA hr; CREATE TABLE hr.employees (id int, name text, email text, region text);
     INSERT INTO hr.employees SELECT g, 'name ' || g, 'user' || g || '@example.com', CASE WHEN g % 2 = 0 THEN 'EU' ELSE 'US' END FROM generate_series(1, 200) g;
     CREATE SCHEMA sales; CREATE TABLE sales.orders (id int, amount numeric(10,2));
     INSERT INTO sales.orders SELECT g, g * 1.5 FROM generate_series(1, 200) g;
     CREATE SCHEMA finance; CREATE TABLE finance.budgets (id int, code text); INSERT INTO finance.budgets VALUES (1, 'B-1')`,
  );
  const migrated = spawnSync(
    process.execPath,
    ["--experimental-wasm-modules", "--no-warnings", "--import", "tsx", "libs/db/src/migrate/cli.ts", "deploy"],
    { env: { ...process.env, DATABASE_URL: urlFor(meta) }, encoding: "utf8" },
  );
  if (migrated.status !== 0) throw new Error(migrated.stderr);
  const db = createDb({ url: urlFor(meta), poolSize: 4 });
  const keys = `k1:${randomBytes(32).toString("base64")}`;
  const logger = createLogger({ name: "bench", level: "error" });
  const worker = await startWorker({
    databaseUrl: urlFor(meta),
    redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    encryptionKeys: keys,
    port: 0,
    config: testConfig(`bench-${label}-${run}`),
    logger,
  });
  const service = await startDecisionService({
    databaseUrl: urlFor(meta),
    encryptionKeys: keys,
    port: 0,
    config: {
      DECISIONS_ON_OUTAGE: "serve-last",
      DECISIONS_STALE_AFTER_MS: 10_000,
      DECISIONS_POLL_MS: 2_000,
      DECISIONS_BODY_LIMIT_BYTES: 64 * 1024 * 1024,
      DECISIONS_AUDIT_RETENTION_DAYS: 30,
      DECISIONS_AUDIT_FLUSH_MS: 250,
      DECISIONS_AUDIT_BATCH_SIZE: 1_000,
      DECISIONS_AUDIT_QUEUE_MAX: 100_000,
    },
    logger,
    metricsAccess: { allow: parseAddressList("loopback") },
  });
  const system = systemActor("bench");
  const d = { db };
  const g = await createUser(d, system, {
    username: `b${run}-gov`,
    displayName: "Gov",
    email: `gov-${run}@example.com`,
    roles: ["GOVERNOR", "ADMIN"],
  });
  const governor = { kind: "USER" as const, userId: g.id, username: g.username, roles: new Set(["GOVERNOR" as const, "ADMIN" as const]) };
  const a = await createUser(d, system, { username: `b${run}-alice`, displayName: "Alice", email: `alice-${run}@example.com` });
  await setUserAttribute(d, system, { userId: a.id, key: "region", values: ["EU"] });

  const warehouseUrl = `postgresql://postgres@127.0.0.1:5432/${warehouse}`;
  const open = await startTrino({ accessControl: { kind: "allow-all" }, postgresql: { url: warehouseUrl } });
  const port = open.port;
  let connectionId = "";
  try {
    const created = await createConnection({ db, secretBox: worker.context.secretBox }, system, {
      name: "bench-trino",
      kind: "TRINO",
      config: { host: "127.0.0.1", port, user: "steward", catalogs: ["postgresql"] },
      autoRegister: true,
    });
    connectionId = created.connection.id;
    while ((await db.syncRun.findUniqueOrThrow({ where: { id: created.syncRun.id } })).status !== "SUCCEEDED")
      await new Promise((r) => setTimeout(r, 50));
  } finally {
    await open.stop();
  }
  const { token } = await issueDecisionToken({ db }, governor, connectionId);
  const trino = await startTrino({
    port,
    postgresql: { url: warehouseUrl },
    accessControl: { kind: "opa", baseUri: `http://127.0.0.1:${service.port}/decisions/TRINO/${connectionId}/${token}` },
  });
  const source = async (suffix: string) =>
    (await db.dataSource.findFirstOrThrow({ where: { connectionId, name: { endsWith: suffix } } })).id;
  const ids = { employees: await source("hr.employees"), orders: await source("sales.orders"), budgets: await source("finance.budgets") };
  await tagColumn(
    { db, secretBox: worker.context.secretBox },
    governor,
    { dataSourceId: ids.employees, column: "email", tag: "PII.Email" },
    true,
  );
  await createPolicy(d, governor, {
    name: "EU analysts read",
    accessType: "READ",
    restriction: { kind: "conditions", condition: { kind: "attribute", key: "region", match: "anyOf", values: ["EU"] } },
    scope: { kind: "sources", sourceIds: [ids.employees, ids.orders] },
  });
  await createDataPolicy(d, governor, {
    name: "hash PII",
    engineDefinition: {
      scope: { kind: "connection", connectionId },
      rule: { kind: "mask", columns: { kind: "tagged", tag: "PII" }, mask: { kind: "hash" } },
    },
  });
  await createDataPolicy(d, governor, {
    name: "own region",
    engineDefinition: {
      scope: { kind: "sources", sourceIds: [ids.employees] },
      rule: { kind: "rows", rule: { kind: "matchAttribute", column: "region", attribute: "region" } },
    },
  });

  const settled = async () => {
    const s = await db.connectionAccessState.findUnique({ where: { connectionId } });
    if (!(s && s.desiredVersion > 0 && s.appliedVersion >= s.desiredVersion)) return false;
    const published = await db.decisionSnapshot.findUnique({ where: { connectionId } });
    return !!published && service.cache.get(connectionId)?.served?.version === published.version;
  };
  const deadline = Date.now() + 60_000;
  while (!(await settled())) {
    if (Date.now() > deadline) throw new Error("the decision snapshot was not published within 60 s");
    await new Promise((r) => setTimeout(r, 50));
  }
  const clients = new Map<string, ReturnType<typeof createTrinoClient>>();
  const query = async (server: RunningTrino, user: string, text: string) => {
    const key = `${server.url}|${user}`;
    let client = clients.get(key);
    if (!client) {
      client = createTrinoClient({ server: server.url, user, timeoutMs: 60_000 });
      clients.set(key, client);
    }
    try {
      return await client.query(text);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  };
  return {
    run,
    db,
    governor,
    alice: { id: a.id, username: a.username },
    connectionId,
    ids,
    worker,
    service,
    trino,
    warehouseUrl,
    query,
    settled,
    stop: async () => {
      await trino.stop();
      await service.stop();
      await worker.stop();
      await db.$disconnect();
      await sql("postgres", `DROP DATABASE IF EXISTS ${warehouse} WITH (FORCE)`);
      await sql("postgres", `DROP DATABASE IF EXISTS ${meta} WITH (FORCE)`);
    },
  };
}

export const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))]!;
export const median = (xs: number[]) => percentile(xs, 50);
