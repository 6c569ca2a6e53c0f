/**
 * Policy views of one database, run in the grant reconciler's transaction before grants are read
 * (so the grants see the views): the system schemas, the salt, the profile rows, and one
 * security-barrier view per policied source. A view is rebuilt only when its spec changed or it
 * was changed by hand (its COMMENT holds the spec hash and the hash of `pg_get_viewdef` taken right
 * after creation); views of sources no longer policied are dropped. Profile changes never rebuild
 * a view.
 */
import type { PolicyViewSpec, ProfileRow } from "@steward/policy";
import type pg from "pg";
import { PolicyCompileError } from "../../sql/policy/dialect";
import { qualified } from "../../sql/quote";
import type { PreStepFinding, PreStepResult } from "../grants/types";
import { GrantsInputError } from "../grants/types";
import { postgresDialect, VIEWS_SCHEMA } from "../policy-dialect";
import { planProfiles } from "./profiles";
import { type BaseTable, commentStatement, type PolicyViewSql, parseViewComment, policyViewSql, sha256, viewComment } from "./sql";
import { readSystemState, SALT, systemDdl } from "./system";

export type ViewTarget = { spec: PolicyViewSpec; base: BaseTable };

export type DatabaseViews = {
  database: string;
  views: ViewTarget[];
  profiles: ProfileRow[];
  hashSalt: string;
  /** Delta path: only these accounts' profile rows; views are left alone. */
  scopeAccounts?: string[];
  /** Delta path: the system objects and salt are known current (DataPolicyDesiredState.systemCurrent). */
  systemCurrent?: boolean;
};

type ActualView = { name: string; comment: string | null; def: string; barrier: boolean };

// Read under a fixed search_path: pg_get_viewdef qualifies names relative to it, and the hash taken
// at creation must be comparable with the one taken at the next drift check.
const VIEWS_SQL = `
SELECT c.relname AS name, pg_catalog.obj_description(c.oid, 'pg_class') AS comment, pg_catalog.pg_get_viewdef(c.oid) AS def,
       COALESCE('security_barrier=true' = ANY (c.reloptions), false) AS barrier
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind = 'v' AND ($2::text[] IS NULL OR c.relname = ANY ($2::text[]))`;

// Columns of each base table (missing table → no row): a view is only built when all its columns exist.
const BASE_SQL = `
SELECT d.i::int AS i, array_agg(a.attname::text) AS columns
FROM unnest($1::text[]) WITH ORDINALITY AS d(q, i)
JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(d.q)
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
GROUP BY d.i`;

async function withFixedSearchPath<T>(client: pg.ClientBase, fn: () => Promise<T>): Promise<T> {
  const prev = (await client.query<{ p: string }>("SELECT pg_catalog.current_setting('search_path') AS p")).rows[0]!.p;
  await client.query("SELECT pg_catalog.set_config('search_path', 'pg_catalog', true)");
  try {
    return await fn();
  } finally {
    await client.query("SELECT pg_catalog.set_config('search_path', $1, true)", [prev]);
  }
}

async function readViews(client: pg.ClientBase, names: string[] | null): Promise<Map<string, ActualView>> {
  const res = await withFixedSearchPath(client, () => client.query<ActualView>(VIEWS_SQL, [VIEWS_SCHEMA, names]));
  return new Map(res.rows.map((r) => [r.name, r]));
}

function compileAll(targets: readonly ViewTarget[], warnings: string[]): { target: ViewTarget; sql: PolicyViewSql }[] {
  return targets.map((target) => {
    try {
      const sql = policyViewSql(target.spec, target.base);
      warnings.push(...sql.warnings.map((w) => `${target.base.schema}.${target.base.name}: ${w}`));
      return { target, sql };
    } catch (err) {
      // A spec the compiler refuses is a bug upstream: fail the run (INVALID_INPUT), never build half.
      if (err instanceof PolicyCompileError) throw new GrantsInputError(`policy view of source ${target.spec.sourceId}: ${err.message}`);
      throw err;
    }
  });
}

/** The pre-step: everything the policy views of `input.database` need, as statements it runs itself. */
export async function runPolicyViews(client: pg.ClientBase, input: DatabaseViews): Promise<PreStepResult> {
  const statements: string[] = [];
  const findings: PreStepFinding[] = [];
  const warnings: string[] = [];
  const run = async (sql: string, params?: unknown[], shown = sql) => {
    statements.push(shown);
    await client.query(sql, params);
  };

  const syncProfiles = async () => {
    const profiles = await planProfiles(client, input.profiles, input.scopeAccounts);
    if (profiles.statements.length)
      findings.push({
        kind: "PROFILE_ROWS_DIFFER",
        repairable: true,
        database: input.database,
        upserted: profiles.upserted,
        deleted: profiles.deleted,
      });
    for (const s of profiles.statements) await run(s);
  };
  // Delta path after a full reconcile that built this database's views (so also the system
  // objects) with this salt: a profile change needs its rows and nothing else — no system-object
  // check, no salt read. Views of a database without any are not known to have a profile table.
  if (input.scopeAccounts && input.systemCurrent && input.views.length > 0) {
    await syncProfiles();
    return { statements, findings, warnings };
  }

  const system = await readSystemState(client);
  if (input.views.length === 0 && !system.viewsSchema) return { statements, findings, warnings };
  if (!system.complete) {
    findings.push({ kind: "MISSING_SYSTEM_SCHEMA", repairable: true, database: input.database });
    for (const s of systemDdl()) await run(s);
  }

  const salt = await client.query<{ salt: string }>(`SELECT "salt" FROM ${SALT}`);
  if (salt.rows[0]?.salt !== input.hashSalt) {
    if (system.complete) findings.push({ kind: "SALT_CHANGED", repairable: true, database: input.database });
    // The salt travels as a parameter and is never shown: run records are readable by governors.
    await run(
      `INSERT INTO ${SALT} ("id", "salt") VALUES (true, $1) ON CONFLICT ("id") DO UPDATE SET "salt" = EXCLUDED."salt"`,
      [input.hashSalt],
      `INSERT INTO ${SALT} ("id", "salt") VALUES (true, $1 /* salt, not shown */) ON CONFLICT ("id") DO UPDATE SET "salt" = EXCLUDED."salt"`,
    );
  }

  await syncProfiles();
  // Delta path: identity changes only touch profile rows; views depend on policies, not people.
  if (input.scopeAccounts) return { statements, findings, warnings };

  const compiled = compileAll(input.views, warnings);
  const bases = await client.query<{ i: number; columns: string[] }>(BASE_SQL, [
    compiled.map((c) => qualified(c.target.base.schema, c.target.base.name)),
  ]);
  const baseColumns = new Map(bases.rows.map((r) => [r.i - 1, new Set(r.columns)]));
  const actual = await readViews(client, null);
  const wanted = new Set<string>();
  const build: { target: ViewTarget; sql: PolicyViewSql }[] = [];
  const drop: string[] = [];
  compiled.forEach((c, i) => {
    const { target, sql } = c;
    const where = { database: input.database, objectId: target.spec.sourceId, view: sql.viewName };
    const columns = baseColumns.get(i);
    const lacking = columns ? target.spec.columns.filter((col) => !columns.has(col.name)).map((col) => col.name) : null;
    if (lacking === null || lacking.length) {
      // Built next time the catalog sync catches up; an existing view is left as it is.
      findings.push({ kind: "VIEW_BASE_MISSING", repairable: false, ...where, ...(lacking ? { columns: lacking } : {}) });
      warnings.push(
        `${target.base.schema}.${target.base.name}: ${lacking ? `columns ${lacking.join(", ")} missing` : "table missing"}; policy view not built`,
      );
      wanted.add(sql.viewName);
      return;
    }
    wanted.add(sql.viewName);
    const have = actual.get(sql.viewName);
    if (!have) {
      findings.push({ kind: "MISSING_VIEW", repairable: true, ...where });
      build.push(c);
      return;
    }
    const stored = parseViewComment(have.comment);
    if (!stored || stored.def !== sha256(have.def) || !have.barrier) {
      findings.push({ kind: "VIEW_CHANGED", repairable: true, ...where });
    } else if (stored.spec !== sql.specHash) {
      findings.push({ kind: "VIEW_OUTDATED", repairable: true, ...where });
    } else return;
    drop.push(sql.view);
    build.push(c);
  });
  for (const [name, view] of actual) {
    if (wanted.has(name)) continue;
    if (parseViewComment(view.comment)) {
      findings.push({ kind: "EXTRA_VIEW", repairable: true, database: input.database, view: name });
      drop.push(qualified(VIEWS_SCHEMA, name));
    } else {
      findings.push({ kind: "UNMANAGED_VIEW", repairable: false, database: input.database, view: name });
    }
  }

  for (const view of drop) await run(postgresDialect.dropView(view));
  for (const { sql } of build) await run(sql.create);
  if (build.length) {
    const created = await readViews(
      client,
      build.map((b) => b.sql.viewName),
    );
    for (const { target, sql } of build) {
      const def = created.get(sql.viewName)?.def ?? "";
      await run(commentStatement(sql.view, viewComment(target.spec.sourceId, sql.specHash, sha256(def))));
    }
  }
  return { statements, findings, warnings };
}
