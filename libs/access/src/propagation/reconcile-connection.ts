import type { Logger, SecretBox } from "@steward/core";
import type { Db } from "@steward/db";
import {
  type DesiredState,
  type DriftFinding,
  detectDrift,
  type GrantsTarget,
  planReconcile,
  type ReconcileResult,
  reconcile,
} from "@steward/integrations/grants";
import type { SubscriptionPolicy } from "@steward/policy";
import { withConnectionLock } from "./connection-lock";
import { prunePendingScopes } from "./delta-scope";
import { computeDesiredAccess, type DesiredConnectionAccess } from "./desired-access";
import { deltaDesiredStates, forgetDeltaCache, primeDeltaCache } from "./reconcile-delta";

export type ReconcileDeps = { db: Db; secretBox: SecretBox; logger?: Logger; now?: () => Date };

export type ReconcileOutcome =
  | { kind: "skipped"; reason: "already-applied" | "connection-gone" }
  | { kind: "applied" | "unchanged"; runId: string; version: number; statements: number }
  | { kind: "failed"; runId: string; version: number; transient: boolean; error: string };

const TRANSIENT = new Set(["UNREACHABLE", "TIMEOUT", "CONFLICT"]);

type ConnectionRow = { id: string; kind: string; config: unknown; credentialsCiphertext: string | null; deletedAt: Date | null };

export function grantsTarget(secretBox: SecretBox, connection: ConnectionRow): GrantsTarget {
  const config = connection.config as { host: string; port: number; user: string; sslMode?: GrantsTarget["sslMode"] };
  const credentials = connection.credentialsCiphertext
    ? (JSON.parse(secretBox.open(connection.credentialsCiphertext)) as { password?: string })
    : {};
  return { host: config.host, port: config.port, user: config.user, password: credentials.password, sslMode: config.sslMode };
}

function desiredStates(connectionId: string, version: number, desired: DesiredConnectionAccess): DesiredState[] {
  return desired.databases.map((d) => ({
    connectionId,
    version,
    database: d.database,
    objects: d.objects.map((o) => ({ ...o, objectType: o.objectType as DesiredState["objects"][number]["objectType"] })),
    users: desired.accounts.map((accountName) => ({ accountName })),
    access: d.access,
  }));
}

/**
 * Brings one connection's grants to its current desired state (reconcile, never replay). A job for a
 * version already applied does nothing; every attempt is recorded as a ReconcileRun. Transient platform
 * errors leave the version unapplied for the sweeper to retry; nothing is ever dead-lettered for them.
 */
export async function reconcileConnection(deps: ReconcileDeps, connectionId: string, version: number): Promise<ReconcileOutcome> {
  // Several worker processes may hold jobs for one connection: they take turns, and each re-reads
  // the applied version under the lock, so a later job finds the earlier one's work done.
  return withConnectionLock(deps.db, connectionId, () => reconcileLocked(deps, connectionId, version));
}

async function reconcileLocked(deps: ReconcileDeps, connectionId: string, version: number): Promise<ReconcileOutcome> {
  const now = deps.now?.() ?? new Date();
  const state = await deps.db.connectionAccessState.findUnique({ where: { connectionId } });
  if (state && state.appliedVersion >= version) return { kind: "skipped", reason: "already-applied" };
  const connection = await deps.db.connection.findUnique({ where: { id: connectionId } });
  if (!connection) return { kind: "skipped", reason: "connection-gone" };
  // Everything committed up to now is in this desired state, so it applies the latest version.
  const target = state?.desiredVersion ?? version;
  const run = await deps.db.reconcileRun.create({ data: { connectionId, desiredVersion: target } });
  const started = Date.now();
  const statements: string[] = [];
  let failure: { message: string; transient: boolean } | null = null;
  let desired: DesiredConnectionAccess | null = null;
  try {
    // Delta first: only the users the pending versions name; null means a full reconcile is needed.
    const delta = connection.deletedAt ? null : await deltaDesiredStates(deps.db, connectionId, state?.appliedVersion ?? 0, target, now);
    if (!delta) desired = await computeDesiredAccess(deps.db, connectionId, now);
    deps.logger?.debug({ connectionId, version: target, path: delta ? "delta" : "full", users: delta?.users }, "reconcile planned");
    const grantsTargetConfig = grantsTarget(deps.secretBox, connection);
    for (const state of delta ? delta.states : desiredStates(connectionId, target, desired!)) {
      const result: ReconcileResult = await reconcile(grantsTargetConfig, state);
      if (result.kind === "applied") statements.push(...result.statements);
      if (result.kind === "failed") {
        failure = {
          message: `${state.database}: ${result.error.code}: ${result.error.message}`,
          transient: TRANSIENT.has(result.error.code),
        };
        statements.push(...result.statementsAttempted.map((s) => `-- rolled back: ${s}`));
        break;
      }
    }
  } catch (err) {
    failure = { message: err instanceof Error ? err.message : String(err), transient: false };
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
          statements: statements.slice(0, 5000),
          statementCount: statements.length,
          durationMs,
          finishedAt: new Date(),
        },
      }),
      deps.db.connectionAccessState.upsert({
        where: { connectionId },
        create: { connectionId, desiredVersion: target, failureStreak: 1, lastAttemptAt: new Date() },
        update: { failureStreak: { increment: 1 }, lastAttemptAt: new Date() },
      }),
    ]);
    deps.logger?.warn({ connectionId, version: target, error: failure.message }, "reconcile failed");
    return { kind: "failed", runId: run.id, version: target, transient: failure.transient, error: failure.message };
  }
  const unmapped = desired?.unmappedUsers ?? [];
  await deps.db.$transaction([
    deps.db.reconcileRun.update({
      where: { id: run.id },
      data: {
        status: statements.length ? "APPLIED" : "UNCHANGED",
        statements: statements.slice(0, 5000),
        statementCount: statements.length,
        durationMs,
        finishedAt: new Date(),
        error: unmapped.length
          ? `users without a platform account (no grants): ${unmapped.map((u) => u.username).join(", ")}`.slice(0, 4000)
          : null,
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
      },
      update: {
        appliedVersion: { set: target },
        lastReconciledAt: new Date(),
        failureStreak: 0,
        lastAttemptAt: new Date(),
        // A delta leaves the connection's next expiry as the last full evaluation found it.
        ...(desired ? { nextExpiryAt: desired.nextExpiryAt } : {}),
      },
    }),
  ]);
  await prunePendingScopes(deps.db, connectionId, target, now);
  if (desired && !connection.deletedAt) {
    // Grants are in; now give the next delta its starting point. A failure only costs that delta.
    await primeDeltaCache(deps.db, connectionId, target, now).catch((err: unknown) =>
      deps.logger?.warn({ connectionId, err: err instanceof Error ? err.message : String(err) }, "delta cache not primed"),
    );
  }
  return { kind: statements.length ? "applied" : "unchanged", runId: run.id, version: target, statements: statements.length };
}

/** Compares the platform with the desired state; stores findings; with `enforce`, asks for a repair. */
export async function checkDrift(deps: ReconcileDeps, connectionId: string): Promise<DriftFinding[]> {
  const connection = await deps.db.connection.findUniqueOrThrow({ where: { id: connectionId } });
  const desired = await computeDesiredAccess(deps.db, connectionId, deps.now?.() ?? new Date());
  const state = await deps.db.connectionAccessState.findUnique({ where: { connectionId } });
  const findings: DriftFinding[] = [];
  for (const s of desiredStates(connectionId, state?.appliedVersion ?? 0, desired)) {
    const result = await detectDrift(grantsTarget(deps.secretBox, connection), s);
    if (result.kind === "failed") throw new Error(`${s.database}: ${result.error.code}: ${result.error.message}`);
    findings.push(...result.findings);
  }
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
  policies: SubscriptionPolicy[],
): Promise<{ statements: string[]; error: string | null }> {
  const connection = await deps.db.connection.findUniqueOrThrow({ where: { id: connectionId } });
  const desired = await computeDesiredAccess(deps.db, connectionId, deps.now?.() ?? new Date(), { policies });
  const state = await deps.db.connectionAccessState.findUnique({ where: { connectionId } });
  const statements: string[] = [];
  for (const s of desiredStates(connectionId, (state?.desiredVersion ?? 0) + 1, desired)) {
    const plan = await planReconcile(grantsTarget(deps.secretBox, connection), s);
    if (plan.kind === "failed") return { statements, error: `${s.database}: ${plan.error.code}: ${plan.error.message}` };
    statements.push(...plan.statements);
  }
  return { statements, error: null };
}
