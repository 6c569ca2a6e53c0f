import { bumpExpiredAccess, dueReconciles, sweepDrift } from "@steward/access";
import type { WorkerContext } from "../context";
import type { PassResult } from "./poll-loop";

/**
 * Keeps every connection's access converging; the rules (retry spacing, expiry bumps, which drift is
 * repaired) live in libs/access — this loop only runs them and queues the jobs they ask for.
 */
export async function accessSweepPass(ctx: WorkerContext, now = new Date()): Promise<PassResult> {
  await bumpExpiredAccess(ctx, now);
  const due = await dueReconciles(ctx, now, ctx.config.ACCESS_SWEEP_MS);
  if (due.length) await ctx.enqueue(due.map((data) => ({ name: "reconcile-connection" as const, data })));
  const deps = { db: ctx.db, secretBox: ctx.secretBox, logger: ctx.logger };
  for (const r of await sweepDrift(deps, now, ctx.config.DRIFT_CHECK_MS)) {
    if ("error" in r) ctx.logger.warn({ connectionId: r.connectionId, err: r.error }, "drift check failed");
    else if (r.repairable)
      ctx.logger.warn({ connectionId: r.connectionId, findings: r.repairable, repair: r.repairRequested }, "access drift detected");
  }
  return "idle";
}
