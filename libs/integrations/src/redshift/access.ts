/**
 * The Redshift side of the neutral access contract. Read-only and view-based: every governed source
 * gets a late-binding policy view in the connection's view schema (whatever `viewsForEverything`
 * says — Redshift has no per-column grants Steward could use instead), subscribed accounts get SELECT
 * on the view, and the view itself checks the caller's profile row (`sources`), so a grant alone
 * shows nothing and a profile alone reaches nothing. WRITE is granted as READ with a warning. Users
 * are never created (Redshift identities come from the cluster or its IdP); accounts that do not
 * exist yet get their profile row and are reported. One transaction per database.
 */

import type { ProfileRow } from "@steward/policy";
import type pg from "pg";
import type { AccessConnection, AccessCounts, AccessDesiredState, AccessError, AccessFinding, AccessPort } from "../access-types";
import { emptyCounts } from "../access-types";
import { ConnectorError } from "../connector";
import { PolicyCompileError } from "../sql/policy/dialect";
import { UnsafeIdentifierError } from "../sql/quote";
import { redshiftAccountRulesFor } from "./accounts";
import type { PlatformReads } from "./catalog-reads";
import { withRedshift } from "./client";
import { RedshiftConfig, RedshiftCredentials, SYSTEM_SCHEMA } from "./config";
import { classifyRedshiftError, redshiftErrorCode } from "./errors";
import { type DbDesired, type DbPlan, planDatabase } from "./planner";
import { type StoredProfile, storedProfile } from "./profile";
import { rsLiteral, rsQualified } from "./sql";
import { readState } from "./state";
import { MANAGED_VIEW_TABLE } from "./system";
import { type DesiredView, desiredView, sha256 } from "./views";

type Resolved = { config: RedshiftConfig; credentials: RedshiftCredentials };
/** Per database: everything pure, computed before connecting (a bad spec fails before anything is sent). */
type DbInput = {
  database: string;
  views: DesiredView[];
  /** view name → accounts whose access entries ask for it (existence is checked against the platform). */
  requested: Map<string, Set<string>>;
  profiles: StoredProfile[];
};
type Prepared = { dbs: DbInput[]; managed: Set<string>; scope: Set<string> | null; warnings: string[] };

const started = () => performance.now();
const since = (t: number) => Math.round((performance.now() - t) * 100) / 100;

function configError(message: string): AccessError {
  return { code: "INVALID_CONFIG", errorClass: "CONFIGURATION", message: `INVALID_CONFIG: ${message}` };
}

function resolve(connection: AccessConnection): Resolved | { error: AccessError } {
  const config = RedshiftConfig.safeParse(connection.config);
  const credentials = RedshiftCredentials.safeParse(connection.credentials ?? {});
  if (!config.success || !credentials.success) return { error: configError("the stored connection config is not valid") };
  return { config: config.data, credentials: credentials.data };
}

/** Neutral desired state → per-database inputs. Throws PolicyCompileError / UnsafeIdentifierError on input no view can be built from. */
export function prepare(config: RedshiftConfig, desired: AccessDesiredState): Prepared {
  const warnings: string[] = [];
  const rules = redshiftAccountRulesFor({ reconcilingUser: config.user });
  // Canonical (folded) name → the spellings that map onto it; two spellings of one user are ambiguous.
  const spellings = new Map<string, string[]>();
  for (const a of desired.accounts) {
    const problem = rules.validate(a);
    if (problem) {
      warnings.push(`account ${JSON.stringify(a)} skipped: ${problem}`);
      continue;
    }
    const c = rules.canonical(a);
    spellings.set(c, [...(spellings.get(c) ?? []), a]);
  }
  const canonicalOf = new Map<string, string>();
  for (const [c, names] of spellings) {
    if (names.length > 1) warnings.push(`accounts ${names.map((n) => JSON.stringify(n)).join(", ")} are one Redshift user "${c}"; skipped`);
    else canonicalOf.set(names[0]!, c);
  }
  const managed = new Set(canonicalOf.values());
  const scope = desired.scope ? new Set(desired.scope.accounts.flatMap((a) => canonicalOf.get(a) ?? [])) : null;
  const specs = new Map((desired.dataPolicies?.views ?? []).map((v) => [v.sourceId, v]));
  const rows = new Map<string, ProfileRow>();
  for (const p of desired.dataPolicies?.profiles ?? []) {
    const c = canonicalOf.get(p.accountName);
    if (c) rows.set(c, p);
  }

  const dbs = new Map<string, DbInput>();
  const dbFor = (database: string) =>
    dbs.get(database) ?? dbs.set(database, { database, views: [], requested: new Map(), profiles: [] }).get(database)!;
  for (const database of config.databases) dbFor(database);
  const viewOf = new Map<string, { db: DbInput; view: DesiredView }>();
  for (const o of desired.objects) {
    const [database, schema, table, ...rest] = o.path;
    if (!database || !schema || !table || rest.length) {
      warnings.push(`object ${o.id}: path ${JSON.stringify(o.path)} is not [database, schema, table]; skipped`);
      continue;
    }
    if (viewOf.has(o.id)) throw new PolicyCompileError(`object ${o.id} is listed twice`, "objects");
    const db = dbFor(database);
    const view = desiredView(config.viewSchema, { sourceId: o.id, schema, table }, specs.get(o.id));
    if (db.views.some((v) => v.viewName === view.viewName))
      throw new PolicyCompileError(`two sources map to the view ${view.viewName} in ${database}`, "objects");
    warnings.push(...view.warnings.map((w) => `object ${o.id}: ${w}`));
    db.views.push(view);
    viewOf.set(o.id, { db, view });
  }
  const sourcesOf = new Map<string, Map<DbInput, string[]>>();
  let writes = 0;
  for (const a of desired.access) {
    const account = canonicalOf.get(a.accountName);
    const target = viewOf.get(a.objectId);
    if (!account || !target) continue;
    if (a.level === "WRITE") writes++;
    const set = target.db.requested.get(target.view.viewName) ?? new Set<string>();
    target.db.requested.set(target.view.viewName, set.add(account));
    const perDb = sourcesOf.get(account) ?? new Map<DbInput, string[]>();
    perDb.set(target.db, [...(perDb.get(target.db) ?? []), a.objectId]);
    sourcesOf.set(account, perDb);
  }
  if (writes > 0) warnings.push(`${writes} WRITE entries granted as READ: the Redshift integration is read-only`);
  for (const account of [...managed].sort()) {
    if (scope && !scope.has(account)) continue;
    const row = rows.get(account) ?? null;
    for (const db of dbs.values()) db.profiles.push(storedProfile(account, row, sourcesOf.get(account)?.get(db) ?? []));
  }
  return { dbs: [...dbs.values()], managed, scope, warnings };
}

function dbDesired(
  config: RedshiftConfig,
  desired: AccessDesiredState,
  p: Prepared,
  db: DbInput,
  users: Set<string>,
  warnings: string[],
): DbDesired {
  const viewGrants = new Map<string, Set<string>>();
  const missingUsers = new Set<string>();
  for (const [view, accounts] of db.requested) {
    for (const a of accounts) if (!users.has(a)) missingUsers.add(a);
    viewGrants.set(view, new Set([...accounts].filter((a) => users.has(a))));
  }
  if (missingUsers.size)
    warnings.push(
      `${db.database}: no Redshift user for ${[...missingUsers]
        .sort()
        .map((a) => JSON.stringify(a))
        .join(", ")}; their profile rows are written, their grants wait until the user exists`,
    );
  return {
    viewSchema: config.viewSchema,
    reconcilingUser: config.user.replace(/[A-Z]/g, (c) => c.toLowerCase()),
    views: db.views,
    profiles: db.profiles,
    managedAccounts: p.managed,
    scope: p.scope,
    viewGrants,
    salt: desired.dataPolicies?.hashSalt ?? null,
    unmanagedGrants: desired.settings.unmanagedGrants,
  };
}

function failure(err: unknown, database: string | null): AccessError {
  if (err instanceof PolicyCompileError || err instanceof UnsafeIdentifierError)
    return { code: "INVALID_INPUT", errorClass: "PERMANENT", message: `INVALID_INPUT: ${err.message}` };
  const code =
    err instanceof ConnectorError ? (err.problem.code === "INVALID_CONFIG" ? "INVALID_CONFIG" : err.problem.code) : redshiftErrorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  return { code, errorClass: classifyRedshiftError(code), message: `${database ?? "?"}: ${code}: ${message}` };
}

/** Records the server's own text of every view just (re)created, so a later edit by hand shows as drift. */
async function recordViews(client: pg.Client, plan: DbPlan): Promise<void> {
  const touched = [...plan.created, ...plan.dropped];
  if (touched.length === 0) return;
  const table = rsQualified(SYSTEM_SCHEMA, MANAGED_VIEW_TABLE);
  const schemas = [...new Set(touched.map((t) => t.schema))];
  const defs = new Map<string, string>();
  const res = await client.query<{ schemaname: string; viewname: string; definition: string | null }>(
    `SELECT schemaname, viewname, definition FROM pg_catalog.pg_views WHERE schemaname IN (${schemas.map(rsLiteral).join(", ")})`,
  );
  for (const r of res.rows) defs.set(`${r.schemaname}\u0000${r.viewname}`, r.definition ?? "");
  for (let i = 0; i < touched.length; i += 200) {
    const part = touched.slice(i, i + 200);
    const where = part.map((t) => `(schema_name = ${rsLiteral(t.schema)} AND view_name = ${rsLiteral(t.view)})`).join(" OR ");
    await client.query(`DELETE FROM ${table} WHERE ${where}`);
  }
  for (let i = 0; i < plan.created.length; i += 200) {
    const values = plan.created.slice(i, i + 200).map((c) => {
      const def = defs.get(`${c.schema}\u0000${c.view}`);
      return `(${[c.schema, c.view, c.sourceId, c.ddlHash].map(rsLiteral).join(", ")}, ${def === undefined ? "NULL" : rsLiteral(sha256(def))})`;
    });
    await client.query(`INSERT INTO ${table} (schema_name, view_name, source_id, ddl_hash, definition_hash) VALUES ${values.join(", ")}`);
  }
}

type DbOutcome = { plan: DbPlan; warnings: string[] };

async function planOne(
  r: Resolved,
  reads: PlatformReads,
  desired: AccessDesiredState,
  p: Prepared,
  db: DbInput,
  run?: (client: pg.Client, plan: DbPlan) => Promise<void>,
): Promise<DbOutcome> {
  return withRedshift(
    r.config,
    r.credentials,
    db.database,
    "steward-access",
    async (q, client) => {
      const state = await readState(q, reads, r.config.viewSchema);
      const warnings: string[] = [];
      const plan = planDatabase(dbDesired(r.config, desired, p, db, state.users, warnings), state);
      warnings.push(...plan.warnings.map((w) => `${db.database}: ${w}`));
      if (run && plan.statements.length) await run(client, plan);
      return { plan, warnings };
    },
    { rawQueryErrors: true },
  );
}

async function execute(reads: PlatformReads, client: pg.Client, plan: DbPlan, sent: string[]): Promise<void> {
  await client.query("BEGIN");
  try {
    for (const s of plan.statements) {
      sent.push(s.sql);
      await client.query(reads.adaptStatement(s.sql), s.params);
    }
    await recordViews(client, plan);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  }
}

function addCounts(into: AccessCounts, c: AccessCounts): void {
  into.granted += c.granted;
  into.revoked += c.revoked;
  into.accountsCreated += c.accountsCreated;
  into.other += c.other;
}

export function redshiftAccess(reads: PlatformReads): AccessPort {
  return {
    async plan(connection, desired) {
      const t = started();
      const r = resolve(connection);
      if ("error" in r) return { kind: "failed", version: desired.version, error: r.error, durationMs: since(t) };
      let database: string | null = null;
      try {
        const p = prepare(r.config, desired);
        const statements: string[] = [];
        const findings: AccessFinding[] = [];
        const warnings = [...p.warnings];
        const counts = emptyCounts();
        for (const db of p.dbs) {
          database = db.database;
          const out = await planOne(r, reads, desired, p, db);
          statements.push(...out.plan.statements.map((s) => s.sql));
          findings.push(...out.plan.findings);
          warnings.push(...out.warnings);
          addCounts(counts, out.plan.counts);
        }
        return { kind: "planned", version: desired.version, statements, counts, findings, warnings, durationMs: since(t) };
      } catch (err) {
        return { kind: "failed", version: desired.version, error: failure(err, database), durationMs: since(t) };
      }
    },

    async apply(connection, desired) {
      const t = started();
      const r = resolve(connection);
      const statements: string[] = [];
      if ("error" in r)
        return { kind: "failed", version: desired.version, error: r.error, statements, statementsAttempted: [], durationMs: since(t) };
      let database: string | null = null;
      let attempted: string[] = [];
      try {
        const p = prepare(r.config, desired);
        const warnings = [...p.warnings];
        const counts = emptyCounts();
        for (const db of p.dbs) {
          database = db.database;
          attempted = [];
          const out = await planOne(r, reads, desired, p, db, (client, plan) => execute(reads, client, plan, attempted));
          statements.push(...out.plan.statements.map((s) => s.sql));
          warnings.push(...out.warnings);
          addCounts(counts, out.plan.counts);
        }
        if (statements.length === 0) return { kind: "unchanged", version: desired.version, warnings, durationMs: since(t) };
        return { kind: "applied", version: desired.version, statements, counts, warnings, durationMs: since(t) };
      } catch (err) {
        return {
          kind: "failed",
          version: desired.version,
          error: failure(err, database),
          statements,
          statementsAttempted: attempted,
          durationMs: since(t),
        };
      }
    },

    async drift(connection, desired) {
      const t = started();
      const r = resolve(connection);
      if ("error" in r) return { kind: "failed", version: desired.version, error: r.error, durationMs: since(t) };
      let database: string | null = null;
      try {
        const p = prepare(r.config, desired);
        const findings: AccessFinding[] = [];
        for (const db of p.dbs) {
          database = db.database;
          findings.push(...(await planOne(r, reads, desired, p, db)).plan.findings);
        }
        return { kind: "drift", version: desired.version, findings, durationMs: since(t) };
      } catch (err) {
        return { kind: "failed", version: desired.version, error: failure(err, database), durationMs: since(t) };
      }
    },
  };
}
