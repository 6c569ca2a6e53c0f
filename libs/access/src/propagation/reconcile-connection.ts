import type { Logger, SecretBox } from "@steward/core";
import type { Db } from "@steward/db";
import {
  type AccessConnection,
  type AccessDesiredState,
  type AccessFinding,
  type AccessPort,
  type AdapterLookup,
  adapterFor,
  type ErrorClass,
  type PlatformKind,
  type UnmanagedGrants,
} from "@steward/integrations";
import type { DataPolicy, SubscriptionPolicy } from "@steward/policy";
import { dataPolicyDesiredState, deltaDataPolicyState, HASH_SALT_LABEL, resolveConnectionViews } from "../data-policies/data-desired";
import { decisionExtras } from "../decisions/extras";
import { prismaDecisionSnapshotStore } from "../decisions/snapshot-store";
import { withConnectionLock } from "./connection-lock";
import { prunePendingScopes } from "./delta-scope";
import { computeDesiredAccess, type DesiredConnectionAccess } from "./desired-access";
import { prismaGrantLedger } from "./grant-ledger";
import { type DeltaState, deltaDesiredState, forgetDeltaCache, primeDeltaCache, rememberDeltaViews } from "./reconcile-delta";

/** `adapterFor` is injectable so engine-level tests can run a connection through the in-memory adapter. */
export type ReconcileDeps = { db: Db; secretBox: SecretBox; logger?: Logger; now?: () => Date; adapterFor?: AdapterLookup };

export type ReconcileOutcome =
  | { kind: "skipped"; reason: "already-applied" | "connection-gone" }
  | { kind: "applied" | "unchanged"; runId: string; version: number; statements: number }
  | { kind: "failed"; runId: string; version: number; transient: boolean; errorClass: ErrorClass; error: string };

type ConnectionRow = { id: string; kind: PlatformKind; config: unknown; credentialsCiphertext: string | null };

class NoAccessPortError extends Error {}

/** The connection's access port and how it connects (credentials opened only here, never stored). */
export function accessFor(deps: ReconcileDeps, connection: ConnectionRow): { port: AccessPort; connection: AccessConnection } {
  const adapter = (deps.adapterFor ?? adapterFor)(connection.kind);
  if (!adapter.access) throw new NoAccessPortError(`${adapter.label} connections have no access management`);
  const credentials = connection.credentialsCiphertext
    ? (JSON.parse(deps.secretBox.open(connection.credentialsCiphertext)) as unknown)
    : {};
  // Every adapter gets both stores; only query-time (decision) platforms publish snapshots, and only
  // platforms that record no grantor keep a grant ledger.
  return {
    port: adapter.access,
    connection: {
      config: connection.config,
      credentials,
      decisionSnapshots: prismaDecisionSnapshotStore(deps.db),
      grantLedger: prismaGrantLedger(deps.db),
    },
  };
}

/** The run's note for admins: who got no grants because they have no usable platform account. */
function leftOutNote(desired: DesiredConnectionAccess | null): string | null {
  const notes: string[] = [];
  const unmapped = desired?.unmappedUsers ?? [];
  if (unmapped.length) notes.push(`users without a platform account (no grants): ${unmapped.map((u) => u.username).join(", ")}`);
  const problems = desired?.accountProblems ?? [];
  if (problems.length) notes.push(`users left out (no grants): ${problems.map((p) => `${p.username}: ${p.problem}`).join("; ")}`);
  return notes.length ? notes.join(". ").slice(0, 4000) : null;
}

/** Connection-level access settings (stored on ConnectionAccessState); the one place that reads them. */
export function accessSettings(state: { unmanagedGrants?: string | null } | null): { unmanagedGrants: UnmanagedGrants } {
  return { unmanagedGrants: state?.unmanagedGrants === "REVOKE" ? "REVOKE" : "REPORT" };
}

/** `scope` (delta path): the state is authoritative only for these accounts; omitted, for all of them. */
export function toDesiredState(
  connectionId: string,
  version: number,
  desired: DesiredConnectionAccess,
  settings: AccessDesiredState["settings"],
  scope?: { accounts: string[] },
): AccessDesiredState {
  return {
    connectionId,
    version,
    objects: desired.objects,
    accounts: desired.accounts,
    access: desired.access,
    ...(scope ? { scope } : {}),
    settings,
  };
}

/**
 * Adds the data policy part (views, profiles, salt) for adapters with the `dataPolicies`
 * capability; other platforms get the state unchanged. `dataPolicies` replaces the stored ones
 * (planning a data policy change).
 */
async function withDataPolicies(
  deps: ReconcileDeps,
  connection: { id: string; kind: PlatformKind },
  state: AccessDesiredState,
  accountUsers: readonly { userId: string; accountName: string }[],
  dataPolicies?: DataPolicy[],
): Promise<AccessDesiredState> {
  if (!(deps.adapterFor ?? adapterFor)(connection.kind).capabilities.dataPolicies) return state;
  return {
    ...state,
    dataPolicies: await dataPolicyDesiredState(deps.db, deps.secretBox, connection.id, accountUsers, state.access, dataPolicies),
  };
}

/**
 * Adds what query-time platforms need (privileged accounts, the unknown-user policies) for adapters
 * with the `decisions` capability. `accountUsers` is the whole connection's mapping even on the delta
 * path: a decision snapshot is always complete, and a role change is a user-scoped delta.
 */
async function withDecisions(
  deps: ReconcileDeps,
  connection: { id: string; kind: PlatformKind },
  state: AccessDesiredState,
  accountUsers: () => readonly { userId: string; accountName: string }[],
): Promise<AccessDesiredState> {
  if (!(deps.adapterFor ?? adapterFor)(connection.kind).capabilities.decisions) return state;
  return { ...state, decisions: await decisionExtras(deps.db, connection.id, accountUsers()) };
}

/** The full path's complete desired state: neutral access plus each capability's part. */
async function completeState(
  deps: ReconcileDeps,
  connection: { id: string; kind: PlatformKind },
  state: AccessDesiredState,
  accountUsers: readonly { userId: string; accountName: string }[],
  dataPolicies?: DataPolicy[],
): Promise<AccessDesiredState> {
  const withData = await withDataPolicies(deps, connection, state, accountUsers, dataPolicies);
  return withDecisions(deps, connection, withData, () => accountUsers);
}

/**
 * The delta path's data policy part: the cached view specs (resolved once per cache entry) and the
 * scope's profile rows from the facts the delta loaded; nothing else is read.
 */
async function withDeltaDataPolicies(
  deps: ReconcileDeps,
  connection: { id: string; kind: PlatformKind },
  delta: DeltaState,
): Promise<AccessDesiredState> {
  const adapter = (deps.adapterFor ?? adapterFor)(connection.kind);
  if (!adapter.capabilities.dataPolicies) return withDecisions(deps, connection, delta.state, delta.allAccountUsers);
  let views = delta.views;
  if (!views) {
    views = await resolveConnectionViews(deps.db, connection.id);
    rememberDeltaViews(deps.db, connection.id, delta.state.version, views);
  }
  const systemCurrent = delta.appliedSalt !== undefined && delta.appliedSalt === deps.secretBox.derive(HASH_SALT_LABEL);
  const state = {
    ...delta.state,
    dataPolicies: deltaDataPolicyState(deps.secretBox, views, delta.accountUsers, delta.profileFacts, delta.state.access, systemCurrent),
  };
  return withDecisions(deps, connection, state, delta.allAccountUsers);
}

/**
 * Brings one connection's access to its current desired state (reconcile, never replay). A job for a
 * version already applied does nothing; every attempt is recorded as a ReconcileRun with the error's
 * class. A failed version stays unapplied for the sweeper to retry; nothing is ever dead-lettered.
 */
export async function reconcileConnection(deps: ReconcileDeps, connectionId: string, version: number): Promise<ReconcileOutcome> {
  // Several worker processes may hold jobs for one connection: they take turns, and each re-reads
  // the applied version under the lock, so a later job finds the earlier one's work done.
  return withConnectionLock(deps.db, connectionId, () => reconcileLocked(deps, connectionId, version));
}

async function reconcileLocked(deps: ReconcileDeps, connectionId: string, version: number): Promise<ReconcileOutcome> {
  const now = deps.now?.() ?? new Date();
  // Both reads at once: every reconcile waits for them before its first useful step.
  const [state, connection] = await Promise.all([
    deps.db.connectionAccessState.findUnique({ where: { connectionId } }),
    deps.db.connection.findUnique({ where: { id: connectionId } }),
  ]);
  if (state && state.appliedVersion >= version) return { kind: "skipped", reason: "already-applied" };
  if (!connection) return { kind: "skipped", reason: "connection-gone" };
  // Everything committed up to now is in this desired state, so it applies the latest version.
  const target = state?.desiredVersion ?? version;
  const run = await deps.db.reconcileRun.create({ data: { connectionId, desiredVersion: target } });
  const started = Date.now();
  // Per-phase wall time (ms), logged with the outcome: where a slow propagation spends its time.
  const phases: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await work();
    } finally {
      phases[name] = Math.round((performance.now() - t) * 100) / 100;
    }
  };
  const statements: string[] = [];
  let failure: { message: string; errorClass: ErrorClass } | null = null;
  let desired: DesiredConnectionAccess | null = null;
  let applied: AccessDesiredState["dataPolicies"];
  try {
    const settings = accessSettings(state);
    // Delta first: only the users the pending versions name; null means a full reconcile is needed.
    const delta = connection.deletedAt
      ? null
      : await timed("delta", () => deltaDesiredState(deps, connection, state?.appliedVersion ?? 0, target, now, settings));
    if (!delta) desired = await timed("desired", () => computeDesiredAccess(deps.db, connectionId, now));
    deps.logger?.debug({ connectionId, version: target, path: delta ? "delta" : "full", users: delta?.users }, "reconcile planned");
    const access = accessFor(deps, connection);
    const complete = await timed("dataPolicies", () =>
      delta
        ? withDeltaDataPolicies(deps, connection, delta)
        : completeState(deps, connection, toDesiredState(connectionId, target, desired!, settings), desired!.accountUsers),
    );
    applied = complete.dataPolicies;
    const result = await timed("apply", () => access.port.apply(access.connection, complete));
    if (result.kind === "applied") statements.push(...result.statements);
    if (result.kind === "failed") {
      failure = { message: result.error.message, errorClass: result.error.errorClass };
      statements.push(...result.statements, ...result.statementsAttempted.map((s) => `-- rolled back: ${s}`));
    }
  } catch (err) {
    failure = {
      message: err instanceof Error ? err.message : String(err),
      errorClass: err instanceof NoAccessPortError ? "CONFIGURATION" : "PERMANENT",
    };
  }
  const durationMs = Date.now() - started;
  if (failure) {
    forgetDeltaCache(deps.db, connectionId);
    await deps.db.$transaction([
      deps.db.reconcileRun.update({
        where: { id: run.id },
        data: {
          status: "FAILED",
          error: failure.message.slice(0, 4000),
          errorClass: failure.errorClass,
          statements: statements.slice(0, 5000),
          statementCount: statements.length,
          durationMs,
          finishedAt: new Date(),
        },
      }),
      deps.db.connectionAccessState.upsert({
        where: { connectionId },
        create: { connectionId, desiredVersion: target, failureStreak: 1, lastAttemptAt: new Date(), lastErrorClass: failure.errorClass },
        update: { failureStreak: { increment: 1 }, lastAttemptAt: new Date(), lastErrorClass: failure.errorClass },
      }),
    ]);
    deps.logger?.warn({ connectionId, version: target, error: failure.message, errorClass: failure.errorClass }, "reconcile failed");
    return {
      kind: "failed",
      runId: run.id,
      version: target,
      transient: failure.errorClass === "TRANSIENT",
      errorClass: failure.errorClass,
      error: failure.message,
    };
  }
  const accountProblems = desired?.accountProblems ?? [];
  const recordStarted = performance.now();
  await deps.db.$transaction([
    deps.db.reconcileRun.update({
      where: { id: run.id },
      data: {
        status: statements.length ? "APPLIED" : "UNCHANGED",
        statements: statements.slice(0, 5000),
        statementCount: statements.length,
        durationMs,
        finishedAt: new Date(),
        error: leftOutNote(desired),
        accountProblems,
      },
    }),
    deps.db.connectionAccessState.upsert({
      where: { connectionId },
      create: {
        connectionId,
        desiredVersion: target,
        appliedVersion: target,
        lastReconciledAt: new Date(),
        nextExpiryAt: desired?.nextExpiryAt ?? null,
        accountProblems,
      },
      update: {
        appliedVersion: { set: target },
        lastReconciledAt: new Date(),
        failureStreak: 0,
        lastErrorClass: null,
        lastAttemptAt: new Date(),
        // A delta leaves the next expiry and the account problems as the last full evaluation found them.
        ...(desired ? { nextExpiryAt: desired.nextExpiryAt, accountProblems } : {}),
      },
    }),
  ]);
  await prunePendingScopes(deps.db, connectionId, target, now);
  phases.record = Math.round((performance.now() - recordStarted) * 100) / 100;
  deps.logger?.debug({ connectionId, version: target, path: desired ? "full" : "delta", durationMs, phases }, "reconcile finished");
  if (desired && !connection.deletedAt) {
    // Grants are in; now give the next delta its starting point. A failure only costs that delta.
    // The views and salt this run applied let the next deltas skip resolving and checking them.
    const primed = applied && {
      views: { views: applied.views, viewsForEverything: applied.viewsForEverything },
      hashSalt: applied.hashSalt,
    };
    await primeDeltaCache(deps, connection, target, now, primed || undefined).catch((err: unknown) =>
      deps.logger?.warn({ connectionId, err: err instanceof Error ? err.message : String(err) }, "delta cache not primed"),
    );
  }
  return { kind: statements.length ? "applied" : "unchanged", runId: run.id, version: target, statements: statements.length };
}

/** Compares the platform with the desired state and stores the findings (repairable or not). */
export async function checkDrift(deps: ReconcileDeps, connectionId: string): Promise<AccessFinding[]> {
  const connection = await deps.db.connection.findUniqueOrThrow({ where: { id: connectionId } });
  const desired = await computeDesiredAccess(deps.db, connectionId, deps.now?.() ?? new Date());
  const state = await deps.db.connectionAccessState.findUnique({ where: { connectionId } });
  const access = accessFor(deps, connection);
  const result = await access.port.drift(
    access.connection,
    await completeState(
      deps,
      connection,
      toDesiredState(connectionId, state?.appliedVersion ?? 0, desired, accessSettings(state)),
      desired.accountUsers,
    ),
  );
  if (result.kind === "failed") throw new Error(result.error.message);
  const findings = result.findings;
  await deps.db.connectionAccessState.upsert({
    where: { connectionId },
    create: { connectionId, drift: findings as object[], driftCheckedAt: new Date() },
    update: { drift: findings as object[], driftCheckedAt: new Date() },
  });
  return findings;
}

/**
 * The exact statements a reconcile of this connection would run if `policies` were in force — the
 * dry-run half of "plan a policy change". Same code path as reconcile; nothing is applied.
 */
export async function planConnectionStatements(
  deps: ReconcileDeps,
  connectionId: string,
  policies?: SubscriptionPolicy[],
  dataPolicies?: DataPolicy[],
): Promise<{ statements: string[]; error: string | null }> {
  const connection = await deps.db.connection.findUniqueOrThrow({ where: { id: connectionId } });
  const desired = await computeDesiredAccess(deps.db, connectionId, deps.now?.() ?? new Date(), { policies });
  const state = await deps.db.connectionAccessState.findUnique({ where: { connectionId } });
  const access = accessFor(deps, connection);
  const plan = await access.port.plan(
    access.connection,
    await completeState(
      deps,
      connection,
      toDesiredState(connectionId, (state?.desiredVersion ?? 0) + 1, desired, accessSettings(state)),
      desired.accountUsers,
      dataPolicies,
    ),
  );
  if (plan.kind === "failed") return { statements: [], error: plan.error.message };
  return { statements: plan.statements, error: null };
}
