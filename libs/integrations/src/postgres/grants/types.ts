/** Types of the PostgreSQL grant reconciler: desired state in, plans / results / drift findings out. */
import type { Password } from "../password";

export type GrantObjectType = "TABLE" | "PARTITIONED_TABLE" | "VIEW" | "MATERIALIZED_VIEW" | "FOREIGN_TABLE";
export type AccessLevel = "READ" | "WRITE";

export type DesiredObject = {
  id: string;
  schema: string;
  name: string;
  objectType: GrantObjectType;
  /**
   * The base table of a source read through a policy view: WRITE grants INSERT, UPDATE, DELETE and
   * TRUNCATE but never SELECT (readers get SELECT on the view instead). UPDATE/DELETE with a WHERE
   * clause need SELECT on the columns they read, so on such tables they are effectively limited to
   * unconditional statements.
   */
  selectWithheld?: boolean;
};
export type DesiredAccess = { objectId: string; accountName: string; level: AccessLevel };

/** What Steward wants one database to look like. Access absent from `access` means NONE. */
export type DesiredState = {
  /** Namespaces the Steward-managed role names (together with `database`). */
  connectionId: string;
  /** Monotonically increasing desired-state version; echoed in results for the sync record. */
  version: number;
  /** One database per reconcile: grants are per database, roles are cluster-wide. */
  database: string;
  objects: DesiredObject[];
  /** Platform role names of the users Steward manages (created as LOGIN roles when missing). */
  users: { accountName: string }[];
  access: DesiredAccess[];
  /**
   * Privileges on desired objects held by anyone but the owner, the reconciling role and Steward's
   * managed roles (PUBLIC included): REPORT lists them as UNMANAGED_GRANT (the default), REVOKE also
   * revokes them.
   */
  unmanagedGrants?: UnmanagedGrantsMode;
  /** Delta path: when set, only these accounts' grants and memberships are authoritative. */
  onlyAccounts?: string[];
  /**
   * Whose LOGIN attribute this run may change (default: every login Steward created). The delta
   * path's scoped full plan sets it to the scope: `users` there lists only the accounts it could
   * rebuild from memberships, not everyone Steward manages.
   */
  loginScope?: string[];
};

export type UnmanagedGrantsMode = "REPORT" | "REVOKE";

/** Where to connect; the reconciling role needs CREATEROLE and grant rights on the objects. */
export type GrantsTarget = {
  host: string;
  port: number;
  user: string;
  /** Fixed, or a provider of short-lived passwords (Lakebase OAuth tokens): see postgres/password.ts. */
  password?: Password;
  sslMode?: "disable" | "require" | "verify-full";
};

export type ReconcileOptions = {
  /** Per statement (and per catalog read); a hung lock fails the run instead of blocking a worker. */
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Attempts for serialization failures, deadlocks and "tuple concurrently updated". */
  maxAttempts?: number;
};

/** Object privileges Steward manages; everything else on an object is left alone. */
export type TablePrivilege = "SELECT" | "INSERT" | "UPDATE" | "DELETE" | "TRUNCATE";
export type SchemaPrivilege = "USAGE";
export type DatabasePrivilege = "CONNECT";
export type Privilege = TablePrivilege | SchemaPrivilege | DatabasePrivilege | (string & {});

export type GrantTarget =
  | { kind: "relation"; schema: string; name: string }
  | { kind: "schema"; name: string }
  | { kind: "database"; name: string };

/**
 * A difference between desired and actual state. The first seven kinds and the two login kinds are
 * repaired by reconcile; UNMANAGED_GRANT only with `unmanagedGrants: "REVOKE"`.
 */
export type DriftFinding =
  | { kind: "MISSING_USER"; user: string }
  | { kind: "MISSING_ROLE"; role: string }
  | { kind: "EXTRA_ROLE"; role: string }
  | { kind: "MISSING_PRIVILEGE"; role: string; target: GrantTarget; privileges: Privilege[] }
  | { kind: "EXTRA_PRIVILEGE"; role: string; target: GrantTarget; privileges: Privilege[] }
  | { kind: "MISSING_MEMBERSHIP"; role: string; member: string }
  | { kind: "EXTRA_MEMBERSHIP"; role: string; member: string }
  /**
   * A grant on a managed object made outside Steward (grantee `PUBLIC` with `public: true` for the
   * PUBLIC pseudo-role): reported, and revoked when the desired state says `unmanagedGrants: "REVOKE"`.
   */
  | {
      kind: "UNMANAGED_GRANT";
      grantee: string;
      public?: true;
      objectId: string;
      schema: string;
      name: string;
      privileges: Privilege[];
    }
  /** A LOGIN role Steward created for a user it no longer manages: its login is disabled (never dropped). */
  | { kind: "STALE_LOGIN"; user: string }
  /** A managed user whose Steward-created role had its login disabled: login is restored. */
  | { kind: "DISABLED_LOGIN"; user: string }
  /** In the desired state but not in the database (dropped since the last catalog sync): skipped. */
  | { kind: "MISSING_OBJECT"; objectId: string; schema: string; name: string };

export type ReconcileCounts = {
  usersCreated: number;
  rolesCreated: number;
  rolesDropped: number;
  /** (target, role, privilege) triples. */
  privilegesGranted: number;
  privilegesRevoked: number;
  membershipsGranted: number;
  membershipsRevoked: number;
  /** ALTER ROLE … NOLOGIN / LOGIN on Steward-created user roles. */
  loginsDisabled?: number;
  loginsEnabled?: number;
  /** (target, grantee, privilege) triples revoked from grants made outside Steward. */
  unmanagedRevoked?: number;
};

export type ReconcileErrorCode =
  | "UNREACHABLE"
  | "AUTH_FAILED"
  | "NOT_FOUND"
  | "MISSING_PRIVILEGE"
  | "INVALID_CONFIG"
  | "INVALID_INPUT"
  | "TIMEOUT"
  | "CONFLICT"
  | "SQL_ERROR"
  /** A bug on Steward's side (not a database answer). */
  | "INTERNAL";

export type ReconcileError = { code: ReconcileErrorCode; message: string; sqlstate?: string };

/** Where a run spent its time (apply excludes COMMIT). */
export type ReconcileTimings = { readMs: number; planMs: number; applyMs: number };

export type ReconcileResult =
  | {
      kind: "applied";
      version: number;
      statements: string[];
      counts: ReconcileCounts;
      warnings: string[];
      durationMs: number;
      timings: ReconcileTimings;
    }
  | { kind: "unchanged"; version: number; warnings: string[]; durationMs: number; timings: ReconcileTimings }
  | { kind: "failed"; version: number; error: ReconcileError; statementsAttempted: string[]; durationMs: number };

export type PlanResult =
  | {
      kind: "planned";
      version: number;
      statements: string[];
      counts: ReconcileCounts;
      findings: DriftFinding[];
      /** Findings of the pre-step (e.g. MISSING_VIEW, VIEW_CHANGED), already neutral. */
      extraFindings?: PreStepFinding[];
      warnings: string[];
      durationMs: number;
    }
  | { kind: "failed"; version: number; error: ReconcileError; durationMs: number };

/**
 * Work another module does in the reconciler's transaction before grants are read and planned
 * (policy views: the grants then see the views it created). Runs on the real path in `plan` too;
 * the transaction is rolled back there. Statements it ran are reported before the grant statements.
 */
export type PreStep = (client: import("pg").ClientBase, mode: "apply" | "plan") => Promise<PreStepResult>;
export type PreStepFinding = { kind: string; repairable: boolean; [detail: string]: unknown };
export type PreStepResult = { statements: string[]; findings: PreStepFinding[]; warnings: string[] };

export type DriftResult =
  | { kind: "drift"; version: number; findings: DriftFinding[]; extraFindings?: PreStepFinding[]; durationMs: number }
  | { kind: "failed"; version: number; error: ReconcileError; durationMs: number };

/** Thrown by validation for names that cannot be sent safely; reconcile turns it into INVALID_INPUT. */
export class GrantsInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GrantsInputError";
  }
}
