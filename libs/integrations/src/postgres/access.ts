/**
 * The PostgreSQL side of the neutral access contract: one connection-wide desired state becomes one
 * `DesiredState` per database (grants are per database, roles cluster-wide), each run through the
 * grant reconciler in postgres/grants; results come back neutral.
 */
import type { AccessConnection, AccessCounts, AccessDesiredState, AccessError, AccessFinding, AccessPort } from "../access-types";
import { emptyCounts } from "../access-types";
import type { ErrorClass } from "../error-class";
import { PostgresConfig, PostgresCredentials } from "./config";
import { detectDrift, planReconcile, reconcile } from "./grants/reconcile";
import type {
  DesiredState,
  DriftFinding,
  GrantObjectType,
  GrantsTarget,
  PreStep,
  PreStepFinding,
  ReconcileCounts,
  ReconcileError,
  ReconcileErrorCode,
} from "./grants/types";
import { VIEWS_SCHEMA } from "./policy-dialect";
import { policyViewName } from "./views/naming";
import { type DatabaseViews, runPolicyViews } from "./views/step";

const CLASS: Record<ReconcileErrorCode, ErrorClass> = {
  UNREACHABLE: "TRANSIENT",
  TIMEOUT: "TRANSIENT",
  CONFLICT: "TRANSIENT",
  AUTH_FAILED: "CONFIGURATION",
  NOT_FOUND: "CONFIGURATION",
  MISSING_PRIVILEGE: "CONFIGURATION",
  INVALID_CONFIG: "CONFIGURATION",
  INVALID_INPUT: "PERMANENT",
  SQL_ERROR: "PERMANENT",
  INTERNAL: "PERMANENT",
};

export function classifyPostgresError(code: string): ErrorClass {
  return CLASS[code as ReconcileErrorCode] ?? "PERMANENT";
}

/**
 * Where a PostgreSQL-family connection's reconciler and previews connect. Each kind supplies its own
 * (PostgreSQL: `grantsTarget`; Lakebase: its service principal with a token provider).
 */
export type TargetResolver = (connection: AccessConnection) => { target: GrantsTarget; databases: string[] } | { error: AccessError };

export const invalidStoredConfig = (): { error: AccessError } => ({
  error: { code: "INVALID_CONFIG", errorClass: "CONFIGURATION", message: "INVALID_CONFIG: the stored connection config is not valid" },
});

/** Where the reconciler connects: the connection's own host and user, with its sealed password. */
export const grantsTarget: TargetResolver = (connection) => {
  const config = PostgresConfig.safeParse(connection.config);
  const credentials = PostgresCredentials.safeParse(connection.credentials ?? {});
  if (!config.success || !credentials.success) return invalidStoredConfig();
  const c = config.data;
  return {
    target: { host: c.host, port: c.port, user: c.user, password: credentials.data.password, sslMode: c.sslMode },
    databases: c.databases,
  };
};

/**
 * Suffix of the grant-object id of a policied source's base table (the source's own id names its
 * policy view). Findings on it are reported under the source id.
 */
export const BASE_OBJECT_SUFFIX = "#base";

export type PerDatabase = { states: DesiredState[]; views: Map<string, DatabaseViews>; warnings: string[] };

/**
 * Neutral → one desired state per database: every configured database (so revokes reach empty ones)
 * plus any registered. A source with a policy view spec is granted through its view: READ → SELECT
 * on the view; WRITE → SELECT on the view + INSERT/UPDATE/DELETE/TRUNCATE on the base table, never
 * SELECT on it. The view lives in `steward_views`, so its readers get USAGE there.
 */
export function perDatabase(desired: AccessDesiredState, configured: readonly string[]): PerDatabase {
  const byDatabase = new Map<string, DesiredState>();
  const views = new Map<string, DatabaseViews>();
  const warnings: string[] = [];
  const policies = desired.dataPolicies;
  const specs = new Map((policies?.views ?? []).map((v) => [v.sourceId, v]));
  const stateFor = (database: string) =>
    byDatabase.get(database) ??
    byDatabase
      .set(database, {
        connectionId: desired.connectionId,
        version: desired.version,
        database,
        objects: [],
        users: desired.accounts.map((accountName) => ({ accountName })),
        access: [],
        ...(desired.scope ? { onlyAccounts: desired.scope.accounts } : {}),
        unmanagedGrants: desired.settings.unmanagedGrants,
      })
      .get(database)!;
  const viewsFor = (database: string) =>
    views.get(database) ??
    views
      .set(database, {
        database,
        views: [],
        profiles: policies?.profiles ?? [],
        hashSalt: policies?.hashSalt ?? "",
        ...(desired.scope ? { scopeAccounts: desired.scope.accounts } : {}),
        ...(desired.scope && policies?.systemCurrent ? { systemCurrent: true } : {}),
      })
      .get(database)!;
  const databaseOf = new Map<string, string>();
  const viaView = new Set<string>();
  for (const o of desired.objects) {
    const [database, schema, name, ...rest] = o.path;
    if (!database || !schema || !name || rest.length) {
      warnings.push(`object ${o.id}: path ${JSON.stringify(o.path)} is not [database, schema, object]; skipped`);
      continue;
    }
    const spec = specs.get(o.id);
    databaseOf.set(o.id, database);
    if (!spec) {
      stateFor(database).objects.push({ id: o.id, schema, name, objectType: o.objectType as GrantObjectType });
      continue;
    }
    viaView.add(o.id);
    viewsFor(database).views.push({ spec, base: { schema, name } });
    stateFor(database).objects.push(
      { id: o.id, schema: VIEWS_SCHEMA, name: policyViewName(schema, name), objectType: "VIEW" },
      { id: `${o.id}${BASE_OBJECT_SUFFIX}`, schema, name, objectType: o.objectType as GrantObjectType, selectWithheld: true },
    );
  }
  for (const a of desired.access) {
    const database = databaseOf.get(a.objectId);
    if (!database) continue;
    const state = stateFor(database);
    if (!viaView.has(a.objectId)) {
      state.access.push(a);
      continue;
    }
    state.access.push({ ...a, level: "READ" });
    if (a.level === "WRITE") state.access.push({ ...a, objectId: `${a.objectId}${BASE_OBJECT_SUFFIX}`, level: "WRITE" });
  }
  for (const database of configured) stateFor(database);
  // Profiles go to every database that has or had policy views (the step finds out which had).
  if (policies) for (const database of byDatabase.keys()) viewsFor(database);
  return { states: [...byDatabase.values()], views, warnings };
}

/** The pre-step of one database's reconcile: its policy views and profile rows (none without data policies). */
export function viewsStep(per: PerDatabase, database: string): PreStep | undefined {
  const input = per.views.get(database);
  return input ? (client) => runPolicyViews(client, input) : undefined;
}

function neutralError(database: string, e: ReconcileError): AccessError {
  return { code: e.code, errorClass: classifyPostgresError(e.code), message: `${database}: ${e.code}: ${e.message}` };
}

function addCounts(into: AccessCounts, c: ReconcileCounts): void {
  into.granted += c.privilegesGranted + c.membershipsGranted;
  into.revoked += c.privilegesRevoked + c.membershipsRevoked;
  into.accountsCreated += c.usersCreated;
  into.other += c.rolesCreated + c.rolesDropped;
}

const ACCOUNT_OF: Partial<Record<DriftFinding["kind"], (f: DriftFinding) => string | undefined>> = {
  MISSING_USER: (f) => (f.kind === "MISSING_USER" ? f.user : undefined),
  UNMANAGED_GRANT: (f) => (f.kind === "UNMANAGED_GRANT" ? f.grantee : undefined),
  MISSING_MEMBERSHIP: (f) => (f.kind === "MISSING_MEMBERSHIP" ? f.member : undefined),
  EXTRA_MEMBERSHIP: (f) => (f.kind === "EXTRA_MEMBERSHIP" ? f.member : undefined),
};

export function neutralFinding(f: DriftFinding, desired: AccessDesiredState, revokeUnmanaged: boolean): AccessFinding {
  const repairable =
    f.kind === "UNMANAGED_GRANT" ? revokeUnmanaged && desired.settings.unmanagedGrants === "REVOKE" : f.kind !== "MISSING_OBJECT";
  const accountName = ACCOUNT_OF[f.kind]?.(f);
  const objectId = "objectId" in f && f.objectId.endsWith(BASE_OBJECT_SUFFIX) ? f.objectId.slice(0, -BASE_OBJECT_SUFFIX.length) : undefined;
  return { ...f, repairable, ...(accountName ? { accountName } : {}), ...(objectId ? { objectId, baseTable: true } : {}) };
}

const viewFinding = (f: PreStepFinding): AccessFinding => ({ ...f });

const started = () => performance.now();
const since = (t: number) => Math.round((performance.now() - t) * 100) / 100;

/**
 * `revokeUnmanaged`: whether the planner under postgres/grants revokes unmanaged grants when asked;
 * `resolve`: where the kind's connections sign in.
 */
export function postgresAccess(revokeUnmanaged: boolean, resolve: TargetResolver = grantsTarget): AccessPort {
  return {
    async apply(connection, desired) {
      const t = started();
      const resolved = resolve(connection);
      if ("error" in resolved)
        return {
          kind: "failed",
          version: desired.version,
          error: resolved.error,
          statements: [],
          statementsAttempted: [],
          durationMs: since(t),
        };
      const per = perDatabase(desired, resolved.databases);
      const { states, warnings } = per;
      const statements: string[] = [];
      const counts = emptyCounts();
      for (const state of states) {
        const result = await reconcile(resolved.target, state, {}, viewsStep(per, state.database));
        if (result.kind === "failed") {
          const error = neutralError(state.database, result.error);
          return {
            kind: "failed",
            version: desired.version,
            error,
            statements,
            statementsAttempted: result.statementsAttempted,
            durationMs: since(t),
          };
        }
        warnings.push(...result.warnings);
        if (result.kind === "applied") {
          statements.push(...result.statements);
          addCounts(counts, result.counts);
        }
      }
      if (statements.length === 0) return { kind: "unchanged", version: desired.version, warnings, durationMs: since(t) };
      return { kind: "applied", version: desired.version, statements, counts, warnings, durationMs: since(t) };
    },

    async plan(connection, desired) {
      const t = started();
      const resolved = resolve(connection);
      if ("error" in resolved) return { kind: "failed", version: desired.version, error: resolved.error, durationMs: since(t) };
      const per = perDatabase(desired, resolved.databases);
      const { states, warnings } = per;
      const statements: string[] = [];
      const findings: AccessFinding[] = [];
      const counts = emptyCounts();
      for (const state of states) {
        const plan = await planReconcile(resolved.target, state, {}, viewsStep(per, state.database));
        if (plan.kind === "failed")
          return { kind: "failed", version: desired.version, error: neutralError(state.database, plan.error), durationMs: since(t) };
        statements.push(...plan.statements);
        addCounts(counts, plan.counts);
        warnings.push(...plan.warnings);
        findings.push(
          ...(plan.extraFindings ?? []).map(viewFinding),
          ...plan.findings.map((f) => neutralFinding(f, desired, revokeUnmanaged)),
        );
      }
      return { kind: "planned", version: desired.version, statements, counts, findings, warnings, durationMs: since(t) };
    },

    async drift(connection, desired) {
      const t = started();
      const resolved = resolve(connection);
      if ("error" in resolved) return { kind: "failed", version: desired.version, error: resolved.error, durationMs: since(t) };
      const findings: AccessFinding[] = [];
      const per = perDatabase(desired, resolved.databases);
      for (const state of per.states) {
        const result = await detectDrift(resolved.target, state, {}, viewsStep(per, state.database));
        if (result.kind === "failed")
          return { kind: "failed", version: desired.version, error: neutralError(state.database, result.error), durationMs: since(t) };
        findings.push(
          ...(result.extraFindings ?? []).map(viewFinding),
          ...result.findings.map((f) => neutralFinding(f, desired, revokeUnmanaged)),
        );
      }
      return { kind: "drift", version: desired.version, findings, durationMs: since(t) };
    },
  };
}
