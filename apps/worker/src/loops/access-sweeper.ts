import { bumpDesiredVersions, checkDrift, repairableDrift } from "@steward/access";
import { transaction } from "@steward/db";
import type { WorkerContext } from "../context";
import type { PassResult } from "./poll-loop";

const MAX_RETRY_DELAY_MS = 10_000;

/**
 * Keeps every connection's grants converging:
 * - a version left unapplied (transient failure, or a job lost with Redis) is retried with capped
 *   exponential spacing — forever, since an outage ends eventually;
 * - time-bound access that has expired bumps the version so grants are revoked on time;
 * - a periodic drift check records changes made by hand and, for enforcing connections, repairs them.
 */
export async function accessSweepPass(ctx: WorkerContext, now = new Date()): Promise<PassResult> {
  const expired = await ctx.db.connectionAccessState.findMany({ where: { nextExpiryAt: { lte: now } }, select: { connectionId: true } });
  if (expired.length) {
    await transaction(ctx.db, async (tx) => {
      await tx.connectionAccessState.updateMany({
        where: { connectionId: { in: expired.map((e) => e.connectionId) } },
        data: { nextExpiryAt: null },
      });
      await bumpDesiredVersions(
        tx,
        expired.map((e) => e.connectionId),
      );
    });
  }
  const behind = await ctx.db.$queryRaw<
    { connectionId: string; desiredVersion: number; failureStreak: number; lastAttemptAt: Date | null }[]
  >`
    SELECT "connectionId", "desiredVersion", "failureStreak", "lastAttemptAt" FROM "ConnectionAccessState" WHERE "appliedVersion" < "desiredVersion"`;
  const due = behind.filter((s) => {
    const wait = Math.min(MAX_RETRY_DELAY_MS, 500 * 2 ** Math.max(0, s.failureStreak - 1));
    return !s.lastAttemptAt || now.getTime() - s.lastAttemptAt.getTime() >= (s.failureStreak > 0 ? wait : ctx.config.ACCESS_SWEEP_MS);
  });
  if (due.length) {
    await ctx.enqueue(
      due.map((s) => ({
        name: "reconcile-connection" as const,
        data: { connectionId: s.connectionId, version: s.desiredVersion, attempt: s.failureStreak },
      })),
    );
  }
  await driftChecks(ctx, now);
  return "idle";
}

async function driftChecks(ctx: WorkerContext, now: Date): Promise<void> {
  const stale = new Date(now.getTime() - ctx.config.DRIFT_CHECK_MS);
  const dueForCheck = await ctx.db.connectionAccessState.findMany({
    where: { OR: [{ driftCheckedAt: null }, { driftCheckedAt: { lt: stale } }], appliedVersion: { gt: 0 } },
    select: { connectionId: true, enforce: true, unmanagedGrants: true, appliedVersion: true, desiredVersion: true },
    take: 5,
  });
  for (const s of dueForCheck) {
    if (s.appliedVersion < s.desiredVersion) continue; // a reconcile is pending anyway
    try {
      const findings = await checkDrift({ db: ctx.db, secretBox: ctx.secretBox, logger: ctx.logger }, s.connectionId);
      const repairable = repairableDrift(findings, s.unmanagedGrants);
      if (repairable.length) {
        ctx.logger.warn({ connectionId: s.connectionId, findings: repairable.length, enforce: s.enforce }, "grant drift detected");
        if (s.enforce) await transaction(ctx.db, (tx) => bumpDesiredVersions(tx, [s.connectionId]));
      }
    } catch (err) {
      ctx.logger.warn({ connectionId: s.connectionId, err: (err as Error).message }, "drift check failed");
      await ctx.db.connectionAccessState.update({ where: { connectionId: s.connectionId }, data: { driftCheckedAt: now } });
    }
  }
}
