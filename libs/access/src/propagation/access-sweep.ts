import { transaction } from "@steward/db";
import { bumpDesiredVersions } from "./desired-version";
import { checkDrift, type ReconcileDeps } from "./reconcile-connection";
import { isRetryDue, repairableFindings } from "./sweep-rules";

/** Connections whose time-bound access has ended get a new version, so the revokes happen on time. */
export async function bumpExpiredAccess(deps: Pick<ReconcileDeps, "db">, now: Date): Promise<string[]> {
  const expired = await deps.db.connectionAccessState.findMany({ where: { nextExpiryAt: { lte: now } }, select: { connectionId: true } });
  if (!expired.length) return [];
  const ids = expired.map((e) => e.connectionId);
  await transaction(deps.db, async (tx) => {
    await tx.connectionAccessState.updateMany({ where: { connectionId: { in: ids } }, data: { nextExpiryAt: null } });
    await bumpDesiredVersions(tx, ids);
  });
  return ids;
}

export type ReconcileRequest = { connectionId: string; version: number; attempt: number };

/** Unapplied versions whose retry is due now (see `isRetryDue`). */
export async function dueReconciles(deps: Pick<ReconcileDeps, "db">, now: Date, sweepIntervalMs: number): Promise<ReconcileRequest[]> {
  const behind = await deps.db.$queryRaw<
    { connectionId: string; desiredVersion: number; failureStreak: number; lastAttemptAt: Date | null; lastErrorClass: string | null }[]
  >`
    SELECT "connectionId", "desiredVersion", "failureStreak", "lastAttemptAt", "lastErrorClass"
    FROM "ConnectionAccessState" WHERE "appliedVersion" < "desiredVersion"`;
  return behind
    .filter((s) => isRetryDue(s, now, sweepIntervalMs))
    .map((s) => ({ connectionId: s.connectionId, version: s.desiredVersion, attempt: s.failureStreak }));
}

export type DriftSweepResult =
  | { connectionId: string; repairable: number; repairRequested: boolean }
  | { connectionId: string; error: string };

/**
 * Periodic drift checks on up to `limit` connections not checked for `intervalMs`: stores the findings
 * and, where enforcement is on and something repairable drifted, bumps the version so reconcile repairs it.
 */
export async function sweepDrift(deps: ReconcileDeps, now: Date, intervalMs: number, limit = 5): Promise<DriftSweepResult[]> {
  const stale = new Date(now.getTime() - intervalMs);
  const due = await deps.db.connectionAccessState.findMany({
    where: { OR: [{ driftCheckedAt: null }, { driftCheckedAt: { lt: stale } }], appliedVersion: { gt: 0 } },
    select: { connectionId: true, enforce: true, appliedVersion: true, desiredVersion: true },
    take: limit,
  });
  const out: DriftSweepResult[] = [];
  for (const s of due) {
    if (s.appliedVersion < s.desiredVersion) continue; // a reconcile is pending anyway
    try {
      const repairable = repairableFindings(await checkDrift(deps, s.connectionId));
      const repairRequested = repairable.length > 0 && s.enforce;
      if (repairRequested) await transaction(deps.db, (tx) => bumpDesiredVersions(tx, [s.connectionId]));
      out.push({ connectionId: s.connectionId, repairable: repairable.length, repairRequested });
    } catch (err) {
      // Checked (and failed): wait a full interval instead of retrying on every pass.
      await deps.db.connectionAccessState.update({ where: { connectionId: s.connectionId }, data: { driftCheckedAt: now } });
      out.push({ connectionId: s.connectionId, error: (err as Error).message });
    }
  }
  return out;
}
