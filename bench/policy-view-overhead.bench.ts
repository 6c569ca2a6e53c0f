/**
 * Issue #8 goal: a policy view with one mask and one row filter over a 1,000,000-row table — full
 * scan ≤ 1.2× the base table's time, measured in the same run.
 *
 * The view is built by the real reconciler (postgresAccess.apply). Its row filter keeps every row
 * for the bench user (region ∈ the user's `region` attribute values, all rows are EU), its mask is
 * computed on every row (the user is not under the exception). The query aggregates over the masked
 * column so the mask cannot be skipped: `SELECT count(*), sum(length(c))` (no max(): comparing
 * masked strings under the database collation costs more than comparing the clear ones, which
 * would measure strcoll, not the view). Base and view
 * queries alternate; medians are compared. Parallel query is off for both (2 shared cores make
 * parallel timings noise). Other mask kinds are measured the same way over views compiled from the
 * same IR, to show which masks cost what.
 *
 *   npm run bench -- policy-view-overhead [--rows 1000000] [--runs 7] [--mask showLast]
 */
import os from "node:os";
import { parseArgs } from "node:util";
import { adapterFor, policyViewSql } from "@steward/integrations";
import type { Mask, PolicyViewSpec, ViewColumn } from "@steward/policy";
import pg from "pg";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    runs: { type: "string", default: "7" },
    mask: { type: "string", default: "showLast" },
  },
});
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);
const DB = `steward_bench_pview_${ROWS}`;
const USER = "steward_bench_pview_user";
const ADMIN = { host: "127.0.0.1", port: 5432, user: "postgres" };

const MASKS: Record<string, { mask: Mask; column: string; type: ViewColumn["type"]; dataType: string }> = {
  showLast: { mask: { kind: "showLast", count: 4 }, column: "email", type: "text", dataType: "text" },
  hash: { mask: { kind: "hash" }, column: "email", type: "text", dataType: "text" },
  regexReplace: { mask: { kind: "regexReplace", pattern: "[a-z]", replacement: "x" }, column: "email", type: "text", dataType: "text" },
  constant: { mask: { kind: "constant", value: "***" }, column: "email", type: "text", dataType: "text" },
  null: { mask: { kind: "null" }, column: "email", type: "text", dataType: "text" },
  roundNumber: { mask: { kind: "roundNumber", bucket: 1000 }, column: "amount", type: "integer", dataType: "integer" },
};

function spec(kind: string): PolicyViewSpec {
  const m = MASKS[kind];
  if (!m) throw new Error(`unknown mask ${kind}; one of ${Object.keys(MASKS).join(", ")}`);
  const col = (name: string, type: ViewColumn["type"], dataType: string): ViewColumn => ({
    name,
    type,
    dataType,
    expr: { k: "column", name },
  });
  const columns = [
    col("id", "integer", "integer"),
    col("email", "text", "text"),
    col("region", "text", "text"),
    col("amount", "integer", "integer"),
  ].map((c) =>
    c.name === m.column
      ? {
          ...c,
          expr: {
            k: "case" as const,
            when: {
              k: "inProfileSet" as const,
              value: { k: "literal" as const, value: { k: "text" as const, value: "hr" } },
              set: { k: "groups" as const },
            },
            // biome-ignore lint/suspicious/noThenProperty: the IR's CASE node (@steward/policy Expr) names its branch `then`
            then: c.expr,
            else: { k: "mask" as const, mask: m.mask, arg: c.expr, type: m.type },
          },
        }
      : c,
  );
  return {
    sourceId: "bench-src",
    columns,
    rowFilter: { k: "inProfileSet", value: { k: "column", name: "region" }, set: { k: "attributeValues", key: "region" } },
    policyIds: ["bench"],
    conflicts: [],
  };
}

async function client(database: string, user = ADMIN.user): Promise<pg.Client> {
  const c = new pg.Client({ ...ADMIN, user, database });
  await c.connect();
  return c;
}

async function ensureTable(): Promise<void> {
  const admin = await client("postgres");
  try {
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [DB]);
    if (!exists.rowCount) await admin.query(`CREATE DATABASE "${DB}"`);
  } finally {
    await admin.end();
  }
  const c = await client(DB);
  try {
    const exists = await c.query("SELECT to_regclass('bench.t') IS NOT NULL AS e");
    if (exists.rows[0].e && (await c.query("SELECT count(*)::int AS n FROM bench.t")).rows[0].n === ROWS) return;
    await c.query("DROP SCHEMA IF EXISTS bench CASCADE; CREATE SCHEMA bench");
    await c.query("CREATE TABLE bench.t (id int, email text, region text, amount int)");
    await c.query(
      `INSERT INTO bench.t SELECT g, 'user' || g || '@example.com', 'EU', (g::bigint * 7919 % 100000)::int FROM generate_series(1, $1::int) g`,
      [ROWS],
    );
    await c.query("VACUUM ANALYZE bench.t");
  } finally {
    await c.end();
  }
}

const QUERY = (rel: string, column: string) =>
  column === "amount" ? `SELECT count(*), sum(amount) FROM ${rel}` : `SELECT count(*), sum(length(email)) FROM ${rel}`;

async function time(c: pg.Client, sql: string): Promise<number> {
  const t = performance.now();
  await c.query(sql);
  return performance.now() - t;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(baseConn: pg.Client, viewConn: pg.Client, view: string, column: string) {
  await time(baseConn, QUERY("bench.t", column)); // warm the cache
  await time(viewConn, QUERY(view, column));
  const base: number[] = [];
  const viewMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    base.push(await time(baseConn, QUERY("bench.t", column)));
    viewMs.push(await time(viewConn, QUERY(view, column)));
  }
  return {
    baseMs: Math.round(median(base)),
    viewMs: Math.round(median(viewMs)),
    ratio: Math.round((median(viewMs) / median(base)) * 100) / 100,
  };
}

async function main() {
  await ensureTable();
  const desired = (kind: string) => ({
    connectionId: "bench-pview",
    version: 1,
    objects: [{ id: "bench-src", path: [DB, "bench", "t"], objectType: "TABLE" }],
    accounts: [USER],
    access: [{ objectId: "bench-src", accountName: USER, level: "READ" as const }],
    settings: { unmanagedGrants: "REPORT" as const },
    dataPolicies: {
      viewsForEverything: false,
      views: [spec(kind)],
      profiles: [
        {
          accountName: USER,
          userId: "u",
          username: USER,
          groups: [],
          attributes: { region: ["EU"] },
          projectId: null,
          purposes: [],
          sources: ["bench-src"],
        },
      ],
      hashSalt: "bench-salt",
    },
  });
  const connection = { config: { ...ADMIN, databases: [DB] }, credentials: { password: "" } };
  const results: Record<string, { baseMs: number; viewMs: number; ratio: number }> = {};
  const kinds = [values.mask!, ...Object.keys(MASKS).filter((k) => k !== values.mask)];
  for (const kind of kinds) {
    const applied = await adapterFor("POSTGRES").access!.apply(connection, desired(kind));
    if (applied.kind === "failed") throw new Error(applied.error.message);
    const view = policyViewSql(spec(kind), { schema: "bench", name: "t" }).view;
    const baseConn = await client(DB);
    const viewConn = await client(DB, USER);
    try {
      for (const c of [baseConn, viewConn]) await c.query("SET max_parallel_workers_per_gather = 0");
      results[kind] = await measure(baseConn, viewConn, view, MASKS[kind]!.column);
    } finally {
      await baseConn.end();
      await viewConn.end();
    }
    console.log(`${kind.padEnd(13)} base ${results[kind]!.baseMs} ms  view ${results[kind]!.viewMs} ms  ratio ${results[kind]!.ratio}`);
  }
  const primary = results[values.mask!]!;
  console.log(
    JSON.stringify({
      benchmark: "policy-view-overhead",
      rows: ROWS,
      runs: RUNS,
      mask: values.mask,
      rowFilter: "region ∈ attributeValues(region) (keeps all rows)",
      ...primary,
      byMask: results,
      goals: { ratioAtMost1_2: primary.ratio <= 1.2 },
      machine: { nproc: os.availableParallelism(), cpu: os.cpus()[0]?.model, load1: Math.round(os.loadavg()[0]! * 100) / 100 },
    }),
  );
}

await main();
