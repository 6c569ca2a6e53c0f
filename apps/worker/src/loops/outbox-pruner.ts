import { pruneProcessedOutbox } from "@steward/events";
import type { WorkerContext } from "../context";
import type { PassResult } from "./poll-loop";

const DAY_MS = 86_400_000;

/**
 * Removes processed outbox rows older than OUTBOX_RETENTION_DAYS, one batch per pass; a full batch
 * means more is waiting, so the loop runs again at once until the backlog is gone.
 */
export async function outboxPrunePass(ctx: WorkerContext, now = new Date()): Promise<PassResult> {
  const processedBefore = new Date(now.getTime() - ctx.config.OUTBOX_RETENTION_DAYS * DAY_MS);
  const deleted = await pruneProcessedOutbox(ctx.db, { processedBefore, batchSize: ctx.config.OUTBOX_PRUNE_BATCH_SIZE });
  if (deleted > 0) ctx.logger.info({ deleted, processedBefore }, "pruned processed outbox events");
  return deleted >= ctx.config.OUTBOX_PRUNE_BATCH_SIZE ? "more" : "idle";
}
