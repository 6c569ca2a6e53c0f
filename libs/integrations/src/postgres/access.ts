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
  ReconcileCounts,
  ReconcileError,
  ReconcileErrorCode,
} from "./grants/types";

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

/** Where the reconciler connects: the connection's own host and user, with its sealed password. */
export function grantsTarget(connection: AccessConnection): { target: GrantsTarget; databases: string[] } | { error: AccessError } {
  const config = PostgresConfig.safeParse(connection.config);
  const credentials = PostgresCredentials.safeParse(connection.credentials ?? {});
  if (!config.success || !credentials.success) {
    return {
      error: { code: "INVALID_CONFIG", errorClass: "CONFIGURATION", message: "INVALID_CONFIG: the stored connection config is not valid" },
    };
  }
  const c = config.data;
  return {
    target: { host: c.host, port: c.port, user: c.user, password: credentials.data.password, sslMode: c.sslMode },
    databases: c.databases,
  };
}

/** Neutral → one desired state per database: every configured database (so revokes reach empty ones) plus any registered. */
export function perDatabase(desired: AccessDesiredState, configured: readonly string[]): { states: DesiredState[]; warnings: string[] } {
  const byDatabase = new Map<string, DesiredState>();
  const warnings: string[] = [];
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
  const databaseOf = new Map<string, string>();
  for (const o of desired.objects) {
    const [database, schema, name, ...rest] = o.path;
    if (!database || !schema || !name || rest.length) {
      warnings.push(`object ${o.id}: path ${JSON.stringify(o.path)} is not [database, schema, object]; skipped`);
      continue;
    }
    stateFor(database).objects.push({ id: o.id, schema, name, objectType: o.objectType as GrantObjectType });
    databaseOf.set(o.id, database);
  }
  for (const a of desired.access) {
    const database = databaseOf.get(a.objectId);
    if (database) stateFor(database).access.push(a);
  }
  for (const database of configured) stateFor(database);
  return { states: [...byDatabase.values()], warnings };
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
  return { ...f, repairable, ...(accountName ? { accountName } : {}) };
}

const started = () => performance.now();
const since = (t: number) => Math.round((performance.now() - t) * 100) / 100;

/** `revokeUnmanaged`: whether the planner under postgres/grants revokes unmanaged grants when asked. */
export function postgresAccess(revokeUnmanaged: boolean): AccessPort {
  return {
    async apply(connection, desired) {
      const t = started();
      const resolved = grantsTarget(connection);
      if ("error" in resolved)
        return {
          kind: "failed",
          version: desired.version,
          error: resolved.error,
          statements: [],
          statementsAttempted: [],
          durationMs: since(t),
        };
      const { states, warnings } = perDatabase(desired, resolved.databases);
      const statements: string[] = [];
      const counts = emptyCounts();
      for (const state of states) {
        const result = await reconcile(resolved.target, state);
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
      const resolved = grantsTarget(connection);
      if ("error" in resolved) return { kind: "failed", version: desired.version, error: resolved.error, durationMs: since(t) };
      const { states, warnings } = perDatabase(desired, resolved.databases);
      const statements: string[] = [];
      const findings: AccessFinding[] = [];
      const counts = emptyCounts();
      for (const state of states) {
        const plan = await planReconcile(resolved.target, state);
        if (plan.kind === "failed")
          return { kind: "failed", version: desired.version, error: neutralError(state.database, plan.error), durationMs: since(t) };
        statements.push(...plan.statements);
        addCounts(counts, plan.counts);
        warnings.push(...plan.warnings);
        findings.push(...plan.findings.map((f) => neutralFinding(f, desired, revokeUnmanaged)));
      }
      return { kind: "planned", version: desired.version, statements, counts, findings, warnings, durationMs: since(t) };
    },

    async drift(connection, desired) {
      const t = started();
      const resolved = grantsTarget(connection);
      if ("error" in resolved) return { kind: "failed", version: desired.version, error: resolved.error, durationMs: since(t) };
      const findings: AccessFinding[] = [];
      for (const state of perDatabase(desired, resolved.databases).states) {
        const result = await detectDrift(resolved.target, state);
        if (result.kind === "failed")
          return { kind: "failed", version: desired.version, error: neutralError(state.database, result.error), durationMs: since(t) };
        findings.push(...result.findings.map((f) => neutralFinding(f, desired, revokeUnmanaged)));
      }
      return { kind: "drift", version: desired.version, findings, durationMs: since(t) };
    },
  };
}
