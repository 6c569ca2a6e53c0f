/**
 * Issue #3 goal: first sync of a PostgreSQL database holding 50,000 tables across 50 schemas ≤ 30 s;
 * a re-sync with no change ≤ 5 s. Runs against the real local PostgreSQL: the scratch warehouse is
 * generated once (and reused by later runs while it still holds the expected tables); the metadata
 * database is created fresh and migrated for every run.
 *
 *   npm run bench -- catalog-sync [--schemas 50] [--tables-per-schema 1000] [--register]
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
import { parseArgs } from "node:util";
import { createConnection, requestSync, runSync } from "@steward/catalog";
import { parseKeyring, SecretBox, systemActor } from "@steward/core";
import { createDb } from "@steward/db";
import pg from "pg";

const { values } = parseArgs({
  options: {
    schemas: { type: "string", default: "50" },
    "tables-per-schema": { type: "string", default: "1000" },
    register: { type: "boolean", default: false },
  },
});
const SCHEMAS = Number(values.schemas);
const PER_SCHEMA = Number(values["tables-per-schema"]);
const TOTAL = SCHEMAS * PER_SCHEMA;
const ADMIN_URL = process.env.BENCH_ADMIN_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const WAREHOUSE = `steward_bench_wh_${SCHEMAS}x${PER_SCHEMA}`;

const urlFor = (db: string) => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${db}`;
  return u.toString();
};

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function ensureWarehouse(): Promise<number> {
  const exists = await withClient(ADMIN_URL, (c) => c.query("SELECT 1 FROM pg_database WHERE datname = $1", [WAREHOUSE]));
  if (exists.rowCount) {
    const n = await withClient(urlFor(WAREHOUSE), (c) =>
      c.query("SELECT count(*)::int AS n FROM pg_class WHERE relkind = 'r' AND relnamespace::regnamespace::text LIKE 'bench\\_%'"),
    );
    if (n.rows[0].n === TOTAL) return 0;
    await withClient(ADMIN_URL, (c) => c.query(`DROP DATABASE "${WAREHOUSE}" WITH (FORCE)`));
  }
  const started = performance.now();
  await withClient(ADMIN_URL, (c) => c.query(`CREATE DATABASE "${WAREHOUSE}"`));
  await withClient(urlFor(WAREHOUSE), async (c) => {
    for (let s = 0; s < SCHEMAS; s++) {
      // One transaction per schema keeps lock usage below max_locks_per_transaction × max_connections.
      await c.query(`
        DO $$ BEGIN
          CREATE SCHEMA bench_${s};
          FOR i IN 1..${PER_SCHEMA} LOOP
            EXECUTE format('CREATE TABLE bench_${s}.%I (id bigint PRIMARY KEY, customer_email text, amount numeric(12,2), created_at timestamptz)', 'table_' || i);
          END LOOP;
        END $$;`);
    }
  });
  return (performance.now() - started) / 1000;
}

async function main() {
  const generatedSeconds = await ensureWarehouse();
  const metaName = `steward_bench_meta_${randomBytes(4).toString("hex")}`;
  await withClient(ADMIN_URL, (c) => c.query(`CREATE DATABASE "${metaName}"`));
  const migrated = spawnSync(
    process.execPath,
    ["--experimental-wasm-modules", "--no-warnings", "--import", "tsx", "libs/db/src/migrate/cli.ts", "deploy"],
    {
      env: { ...process.env, DATABASE_URL: urlFor(metaName) },
      encoding: "utf8",
    },
  );
  if (migrated.status !== 0) throw new Error(migrated.stderr);
  const db = createDb({ url: urlFor(metaName), poolSize: 4 });
  const deps = { db, secretBox: new SecretBox(parseKeyring(`k1:${randomBytes(32).toString("base64")}`)) };
  const actor = systemActor("bench");
  try {
    const u = new URL(ADMIN_URL);
    const { connection, syncRun } = await createConnection(deps, actor, {
      name: "bench",
      kind: "POSTGRES",
      config: {
        host: u.hostname,
        port: Number(u.port || 5432),
        user: decodeURIComponent(u.username) || "postgres",
        databases: [WAREHOUSE],
      },
      autoRegister: values.register,
    });
    let t0 = performance.now();
    const first = await runSync(deps, syncRun.id);
    const firstSyncSeconds = (performance.now() - t0) / 1000;
    const second = await requestSync(deps, actor, connection.id);
    t0 = performance.now();
    const resync = await runSync(deps, second.id);
    const resyncSeconds = (performance.now() - t0) / 1000;
    console.log(
      `first sync: ${first.added} objects${values.register ? `, ${first.registered} registered` : ""} in ${firstSyncSeconds.toFixed(2)} s (goal ≤ 30 s)`,
    );
    console.log(
      `re-sync with no change: ${resync.added + resync.updated + resync.disabled} changes in ${resyncSeconds.toFixed(2)} s (goal ≤ 5 s)`,
    );
    console.log(
      JSON.stringify({
        benchmark: "catalog-sync",
        tables: TOTAL,
        schemas: SCHEMAS,
        autoRegister: values.register,
        firstSyncSeconds: Number(firstSyncSeconds.toFixed(3)),
        resyncNoChangeSeconds: Number(resyncSeconds.toFixed(3)),
        objectsAdded: first.added,
        registered: first.registered,
        resyncChanges: resync.added + resync.updated + resync.disabled + resync.reenabled,
        warehouseGeneratedSeconds: Number(generatedSeconds.toFixed(1)),
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
      }),
    );
  } finally {
    await db.$disconnect();
    await withClient(ADMIN_URL, (c) => c.query(`DROP DATABASE IF EXISTS "${metaName}" WITH (FORCE)`));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
