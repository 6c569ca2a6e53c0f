/**
 * The platform-neutral access contract between libs/access and every adapter: what Steward wants a
 * connection to look like, and what plan / apply / drift report back. Nothing here is specific to a
 * platform; each adapter maps it to its own model (PostgreSQL: one desired state per database).
 */
import type { PolicyViewSpec, ProfileRow } from "@steward/policy";
import type { DecisionExtras, DecisionSnapshotStore } from "./decisions";
import type { ErrorClass } from "./error-class";

export type AccessLevel = "READ" | "WRITE";

/** A governed object; `path` is the catalog path as the adapter's crawl reported it. */
export type AccessObject = { id: string; path: string[]; objectType: string };

export type AccessEntry = { objectId: string; accountName: string; level: AccessLevel };

/** What to do with grants on governed objects that Steward did not make. */
export type UnmanagedGrants = "REPORT" | "REVOKE";

export type AccessDesiredState = {
  connectionId: string;
  /** Monotonic desired-state version; echoed in results. */
  version: number;
  objects: AccessObject[];
  /** Platform accounts Steward manages on this connection (including those with no access now). */
  accounts: string[];
  /** Access absent from this list means NONE. */
  access: AccessEntry[];
  /** Delta path: when set, the state is authoritative only for these accounts. */
  scope?: { accounts: string[] };
  settings: { unmanagedGrants: UnmanagedGrants };
  /** Column masks and row filters, for adapters with the `dataPolicies` capability (absent: none). */
  dataPolicies?: DataPolicyDesiredState;
  /** For adapters with the `decisions` capability (query-time platforms): see decisions.ts. */
  decisions?: DecisionExtras;
};

/**
 * How a connection enforces data policies. `views`: one policy view per source that has a data
 * policy (or per governed source when `viewsForEverything`), joined to the per-user profile; users
 * read the view, never the base table. The profile rows change without rebuilding any view.
 */
export type DataPolicyDesiredState = {
  viewsForEverything: boolean;
  /** Keyed by `AccessObject.id` (= data source id). Sources without a spec keep direct grants. */
  views: PolicyViewSpec[];
  /** Every managed account's profile (scoped to `scope.accounts` on the delta path). */
  profiles: ProfileRow[];
  /** Per-deployment salt for hash masks; stored on the platform where only Steward's role reads it. */
  hashSalt: string;
  /**
   * Delta path only (with `scope`): a full reconcile of this connection, by this same process and
   * with this same salt, has applied the system objects, the salt and the views, and every change
   * since is user-scoped. The adapter may then write only the scope's profile rows (and grants),
   * without checking the system objects or reading the salt back; a hand-made drop there fails the
   * delta, and the retry (or the drift check) takes the checking path. Absent: check everything.
   */
  systemCurrent?: boolean;
};

export type AccessError = {
  /** The adapter's own code (e.g. UNREACHABLE); `errorClass` is what the engine acts on. */
  code: string;
  errorClass: ErrorClass;
  /** Human-readable, already naming where it happened. */
  message: string;
};

/**
 * One difference between the platform and the desired state. `repairable` says whether the next
 * apply changes it (the sweeper repairs only those); adapters may add platform detail fields, which
 * are stored with the drift check and shown as they are.
 */
export type AccessFinding = {
  kind: string;
  repairable: boolean;
  accountName?: string;
  objectId?: string;
  [detail: string]: unknown;
};

/** Counts of an apply or a plan, by effect. */
export type AccessCounts = { granted: number; revoked: number; accountsCreated: number; other: number };

export type AccessApplyResult =
  | { kind: "applied"; version: number; statements: string[]; counts: AccessCounts; warnings: string[]; durationMs: number }
  | { kind: "unchanged"; version: number; warnings: string[]; durationMs: number }
  | {
      kind: "failed";
      version: number;
      error: AccessError;
      /** Committed before the failure (e.g. earlier databases of the same connection). */
      statements: string[];
      /** Sent in the failed unit of work and rolled back. */
      statementsAttempted: string[];
      durationMs: number;
    };

export type AccessPlanResult =
  | {
      kind: "planned";
      version: number;
      statements: string[];
      counts: AccessCounts;
      findings: AccessFinding[];
      warnings: string[];
      durationMs: number;
    }
  | { kind: "failed"; version: number; error: AccessError; durationMs: number };

export type AccessDriftResult =
  | { kind: "drift"; version: number; findings: AccessFinding[]; durationMs: number }
  | { kind: "failed"; version: number; error: AccessError; durationMs: number };

/**
 * Which grants Steward made on a platform that records no grantor (so Steward's grants cannot be told
 * from hand-made ones by reading the platform). Keys are the adapter's own and opaque to the store.
 * The adapter records after each platform write succeeds, so the ledger never runs ahead of the
 * platform and lags it by at most the request in flight.
 */
export type GrantLedger = {
  read(connectionId: string): Promise<Set<string>>;
  /** Removes `removed` and adds `added`, atomically. */
  record(connectionId: string, change: { added: string[]; removed: string[] }): Promise<void>;
};

/** A stored connection as an adapter needs it: config as saved, credentials already decrypted. */
export type AccessConnection = {
  config: unknown;
  credentials: unknown;
  /** Where decision adapters publish their snapshots (given to every adapter; only they use it). */
  decisionSnapshots?: DecisionSnapshotStore;
  /** The metadata DB's grant ledger (given to every adapter; only platforms without a grantor use it). */
  grantLedger?: GrantLedger;
};

/**
 * Object-level access on a platform. Never throws for platform problems: failures come back as a
 * `failed` result whose error carries its class. The dry run (`plan`) takes the same path as `apply`.
 */
export type AccessPort = {
  plan(connection: AccessConnection, desired: AccessDesiredState): Promise<AccessPlanResult>;
  apply(connection: AccessConnection, desired: AccessDesiredState): Promise<AccessApplyResult>;
  drift(connection: AccessConnection, desired: AccessDesiredState): Promise<AccessDriftResult>;
};

export const emptyCounts = (): AccessCounts => ({ granted: 0, revoked: 0, accountsCreated: 0, other: 0 });
