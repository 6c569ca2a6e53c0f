import { requestDueSyncs } from "@steward/catalog";
import type { WorkerContext } from "../context";
import type { PassResult } from "./poll-loop";

/**
 * Requests scheduled syncs that are due, and re-queues sync runs whose job vanished (a Redis restart
 * loses jobs; the SyncRun row is the durable record). Re-adding is a no-op while the job still exists.
 */
export async function syncSchedulerPass(ctx: WorkerContext, now = new Date()): Promise<PassResult> {
  const requested = await requestDueSyncs({ db: ctx.db, secretBox: ctx.secretBox }, now);
  if (requested > 0) ctx.logger.info({ requested }, "scheduled syncs requested");
  const open = await ctx.db.syncRun.findMany({
    where: { status: { in: ["QUEUED", "RUNNING"] }, requestedAt: { lt: new Date(now.getTime() - 5_000) } },
    select: { id: true },
    take: 500,
  });
  if (open.length) await ctx.enqueue(open.map((r) => ({ name: "sync-connection" as const, data: { syncRunId: r.id } })));
  return "idle";
}
