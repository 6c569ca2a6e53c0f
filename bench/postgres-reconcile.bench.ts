/**
 * PostgreSQL grant reconcile: initial reconcile of 10,000 users × 2,000 tables whose access comes
 * from ~50 policy-like audiences (seeded PRNG), timed against PostgreSQL alone running the minimal
 * GRANT script that reaches the same end state on a fresh database (goal: ratio ≤ 1.5); then a
 * reconcile with nothing changed (goal: 0 statements, ≤ 2 s). Everything it creates (two databases,
 * the users, Steward's and the baseline's roles) carries this run's id and is dropped at the end.
 *
 *   npm run bench -- postgres-reconcile [--users 10000] [--schemas 20] [--tables-per-schema 100] [--policies 50]
 */
import os from "node:os";
import { parseArgs } from "node:util";
import pg from "pg";
import { type DesiredState, MANAGED_MARKER, reconcile, scopePrefix } from "../libs/integrations/src/postgres/grants/index";
import { cleanup, LOCAL_TARGET, query, runId } from "../libs/integrations/src/postgres/grants/testing";
import { quoteIdent, quoteLiteral } from "../libs/integrations/src/sql/quote";
import { prng } from "../libs/policy/src/testing";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "10000" },
    schemas: { type: "string", default: "20" },
    "tables-per-schema": { type: "string", default: "100" },
    policies: { type: "string", default: "50" },
    seed: { type: "string", default: "42" },
  },
});
const USERS = Number(values.users);
const SCHEMAS = Number(values.schemas);
const PER_SCHEMA = Number(values["tables-per-schema"]);
const POLICIES = Number(values.policies);

const run = runId();
const STEWARD_DB = `stw_bench_rec_${run}`;
const BASELINE_DB = `stw_bench_base_${run}`;
const CONNECTION = `bench-${run}`;
const USER_PREFIX = `bu${run}_`;
const BASE_PREFIX = `bb${run}_`;

type Policy = { readers: string[]; writers: string[]; tables: { schema: string; name: string }[] };

function generate(): { users: string[]; policies: Policy[]; desired: DesiredState } {
  const rand = prng(Number(values.seed));
  const users = Array.from({ length: USERS }, (_, i) => `${USER_PREFIX}${String(i).padStart(5, "0")}`);
  const sample = (share: number) => users.filter(() => rand() < share);
  const policies: Policy[] = Array.from({ length: POLICIES }, () => {
    const writers = sample(0.005 + rand() * 0.025); // 0.5–3 % of users write
    const w = new Set(writers);
    const readers = sample(0.02 + rand() * 0.18).filter((u) => !w.has(u)); // 2–20 % read
    return { readers, writers, tables: [] };
  });
  const objects: DesiredState["objects"] = [];
  const access: DesiredState["access"] = [];
  for (let s = 0; s < SCHEMAS; s++) {
    for (let t = 0; t < PER_SCHEMA; t++) {
      const table = { schema: `bench_s${s}`, name: `t${t}` };
      const p = policies[Math.floor(rand() * POLICIES)]!;
      p.tables.push(table);
      const id = `${s}.${t}`;
      objects.push({ id, ...table, objectType: "TABLE" });
      for (const u of p.readers) access.push({ objectId: id, accountName: u, level: "READ" });
      for (const u of p.writers) access.push({ objectId: id, accountName: u, level: "WRITE" });
    }
  }
  const desired = {
    connectionId: CONNECTION,
    version: 1,
    database: STEWARD_DB,
    objects,
    users: users.map((accountName) => ({ accountName })),
    access,
  };
  return { users, policies, desired };
}

async function withClient<T>(database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ host: LOCAL_TARGET.host, port: LOCAL_TARGET.port, user: LOCAL_TARGET.user, database });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function createWarehouse(db: string): Promise<void> {
  await query(`CREATE DATABASE ${quoteIdent(db)}`);
  await withClient(db, async (c) => {
    for (let s = 0; s < SCHEMAS; s++) {
      const stmts = [`CREATE SCHEMA ${quoteIdent(`bench_s${s}`)}`];
      for (let t = 0; t < PER_SCHEMA; t++) stmts.push(`CREATE TABLE ${quoteIdent(`bench_s${s}`)}.${quoteIdent(`t${t}`)} (id int)`);
      await c.query(stmts.join(";\n"));
    }
  });
}

/** The script a DBA would write knowing the answer: same role layout, no reads, same batching. */
function minimalScript(policies: Policy[]): string[] {
  const marker = quoteLiteral(MANAGED_MARKER);
  const out: string[] = [];
  const role = (name: string) => out.push(`CREATE ROLE ${quoteIdent(name)} NOLOGIN`, `COMMENT ON ROLE ${quoteIdent(name)} IS ${marker}`);
  const db = `${BASE_PREFIX}db`;
  role(db);
  out.push(`GRANT CONNECT ON DATABASE ${quoteIdent(BASELINE_DB)} TO ${quoteIdent(db)}`);
  for (let s = 0; s < SCHEMAS; s++) {
    role(`${BASE_PREFIX}s${s}`);
    out.push(
      `GRANT USAGE ON SCHEMA ${quoteIdent(`bench_s${s}`)} TO ${quoteIdent(`${BASE_PREFIX}s${s}`)}`,
      `GRANT ${quoteIdent(db)} TO ${quoteIdent(`${BASE_PREFIX}s${s}`)}`,
    );
  }
  policies.forEach((p, i) => {
    for (const [level, members, privs] of [
      ["r", p.readers, "SELECT"],
      ["w", p.writers, "SELECT, INSERT, UPDATE, DELETE, TRUNCATE"],
    ] as const) {
      if (members.length === 0 || p.tables.length === 0) continue;
      const name = quoteIdent(`${BASE_PREFIX}${level}${i}`);
      role(`${BASE_PREFIX}${level}${i}`);
      for (let k = 0; k < p.tables.length; k += 500) {
        out.push(
          `GRANT ${privs} ON TABLE ${p.tables
            .slice(k, k + 500)
            .map((t) => `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`)
            .join(", ")} TO ${name}`,
        );
      }
      const schemas = [...new Set(p.tables.map((t) => t.schema))];
      out.push(`GRANT ${schemas.map((s) => quoteIdent(`${BASE_PREFIX}s${s.slice("bench_s".length)}`)).join(", ")} TO ${name}`);
      for (let k = 0; k < members.length; k += 1000)
        out.push(
          `GRANT ${name} TO ${members
            .slice(k, k + 1000)
            .map((m) => quoteIdent(m))
            .join(", ")}`,
        );
    }
  });
  return out;
}

async function runBaseline(script: string[]): Promise<number> {
  return withClient(BASELINE_DB, async (c) => {
    const started = performance.now();
    await c.query("BEGIN");
    for (let k = 0; k < script.length; k += 200) await c.query(script.slice(k, k + 200).join(";\n"));
    await c.query("COMMIT");
    return performance.now() - started;
  });
}

const round = (n: number) => Math.round(n * 10) / 10;

async function main(): Promise<void> {
  const { users, policies, desired } = generate();
  console.log(`users ${USERS}, tables ${SCHEMAS * PER_SCHEMA}, policies ${POLICIES}, access entries ${desired.access.length}`);
  try {
    for (let k = 0; k < users.length; k += 1000) {
      await query(
        users
          .slice(k, k + 1000)
          .map((u) => `CREATE ROLE ${quoteIdent(u)} LOGIN`)
          .join(";\n"),
      );
    }
    await createWarehouse(BASELINE_DB);
    await createWarehouse(STEWARD_DB);

    const script = minimalScript(policies);
    const baselineMs = await runBaseline(script);
    console.log(`baseline: ${script.length} statements in ${round(baselineMs)} ms`);
    // Users are shared (cluster-wide): drop the baseline's roles so Steward's run meets the same
    // pg_auth_members the baseline did (each GRANT role checks the member's existing memberships).
    await cleanup({ databases: [BASELINE_DB], rolePrefixes: [BASE_PREFIX] });

    const first = await reconcile(LOCAL_TARGET, desired, { statementTimeoutMs: 300_000 });
    if (first.kind !== "applied") throw new Error(`initial reconcile: ${JSON.stringify(first).slice(0, 500)}`);
    console.log(`steward initial: ${first.statements.length} statements in ${round(first.durationMs)} ms`, first.counts);

    const second = await reconcile(LOCAL_TARGET, desired);
    if (second.kind === "failed") throw new Error(`second reconcile: ${second.error.message}`);
    const secondStatements = second.kind === "applied" ? second.statements.length : 0;
    console.log(`steward unchanged: ${secondStatements} statements in ${round(second.durationMs)} ms`);

    // Churn: one user joins one audience (all tables of policy 0), then one table moves to
    // another policy. Stable roles make these a membership and a few grants, not role rebuilds.
    const p0 = policies[0]!;
    const inP0 = new Set([...p0.readers, ...p0.writers]);
    const joiner = users.find((u) => !inP0.has(u))!;
    const p0Ids = new Set(p0.tables.map((t) => `${t.schema.slice("bench_s".length)}.${t.name.slice(1)}`));
    const joined: DesiredState = {
      ...desired,
      version: 2,
      access: [...desired.access, ...[...p0Ids].map((objectId) => ({ objectId, accountName: joiner, level: "READ" as const }))],
    };
    const userJoins = await reconcile(LOCAL_TARGET, joined);
    const moved = policies.find((p) => p !== p0 && p.tables.length > 0)!.tables[0]!;
    const movedId = `${moved.schema.slice("bench_s".length)}.${moved.name.slice(1)}`;
    const p0Access = desired.access.filter((a) => a.objectId === [...p0Ids][0]);
    const tableMoves = await reconcile(LOCAL_TARGET, {
      ...joined,
      version: 3,
      access: [
        ...joined.access.filter((a) => a.objectId !== movedId),
        ...p0Access.map((a) => ({ ...a, objectId: movedId })),
        { objectId: movedId, accountName: joiner, level: "READ" as const },
      ],
    });
    const churn = {
      userJoinsAudience: {
        kind: userJoins.kind,
        statements: userJoins.kind === "applied" ? userJoins.statements.length : 0,
        ms: round(userJoins.durationMs),
      },
      tableMovesPolicy: {
        kind: tableMoves.kind,
        statements: tableMoves.kind === "applied" ? tableMoves.statements.length : 0,
        ms: round(tableMoves.durationMs),
      },
    };
    console.log("churn", churn);

    const memberships = await query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_auth_members am JOIN pg_roles r ON r.oid = am.roleid WHERE starts_with(r.rolname, $1)",
      [scopePrefix(CONNECTION, STEWARD_DB)],
    );
    const ratio = first.durationMs / baselineMs;
    const result = {
      users: USERS,
      tables: SCHEMAS * PER_SCHEMA,
      policies: POLICIES,
      accessEntries: desired.access.length,
      stewardRoles: first.counts.rolesCreated,
      memberships: memberships.rows[0]!.n,
      baseline: { statements: script.length, ms: round(baselineMs) },
      initial: { statements: first.statements.length, ms: round(first.durationMs), ...first.timings, counts: first.counts },
      ratio: Math.round(ratio * 100) / 100,
      unchanged: {
        kind: second.kind,
        statements: secondStatements,
        ms: round(second.durationMs),
        ...second.timings,
      },
      churn,
      goals: { ratioAtMost1_5: ratio <= 1.5, unchangedZeroStatements: secondStatements === 0, unchangedUnder2s: second.durationMs <= 2000 },
      machine: { nproc: os.availableParallelism(), cpu: os.cpus()[0]?.model ?? "?", load1: round(os.loadavg()[0] ?? 0) },
    };
    console.log(JSON.stringify(result));
  } finally {
    await cleanup({ databases: [STEWARD_DB, BASELINE_DB], rolePrefixes: [scopePrefix(CONNECTION, STEWARD_DB), BASE_PREFIX, USER_PREFIX] });
  }
}

await main();
