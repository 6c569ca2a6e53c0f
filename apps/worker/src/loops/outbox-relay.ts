import { Prisma, transaction } from "@steward/db";
import type { WorkerContext } from "../context";
import { jobDefinition } from "../jobs/catalog";
import type { Queues } from "../queues";
import type { PassResult } from "./poll-loop";

/** Must match the trigger in the outbox NOTIFY migration. */
export const OUTBOX_NOTIFY_CHANNEL = "steward_outbox";

type Claimed = { id: bigint; stale: boolean; age_seconds: number };

/**
 * One relay pass: claims up to a batch of outbox rows not yet processed (in id order, skipping rows
 * another relay holds), queues a `dispatch-event` job per row (id `event-<id>`, so re-adding is a
 * no-op) and stamps `enqueuedAt`. A row still unprocessed long after its hand-over lost its job
 * (Redis restarted, or the job gave up) and is handed over again; the row, not Redis, is the truth.
 */
export async function relayOutboxBatch(ctx: WorkerContext, queues: Queues): Promise<PassResult> {
  const batch = ctx.config.OUTBOX_BATCH_SIZE;
  const claimed = await transaction(ctx.db, async (tx) => {
    const rows = await tx.$queryRaw<Claimed[]>`
      SELECT id,
             "enqueuedAt" IS NOT NULL AS stale,
             EXTRACT(EPOCH FROM clock_timestamp() - "createdAt")::float8 AS age_seconds
        FROM "OutboxEvent"
       WHERE "processedAt" IS NULL
         AND ("enqueuedAt" IS NULL OR "enqueuedAt" < now() - (${ctx.config.OUTBOX_STALE_MS}::int * interval '1 millisecond'))
       ORDER BY id
       LIMIT ${batch}
         FOR UPDATE SKIP LOCKED`;
    if (rows.length === 0) return rows;
    await reviveDeadJobs(
      ctx,
      queues,
      rows.filter((r) => r.stale),
    );
    await ctx.enqueue(rows.map((r) => ({ name: "dispatch-event" as const, data: { eventId: r.id.toString() } })));
    await tx.$executeRaw`UPDATE "OutboxEvent" SET "enqueuedAt" = now() WHERE id IN (${Prisma.join(rows.map((r) => r.id))})`;
    return rows;
  });
  for (const row of claimed) {
    if (row.stale) ctx.metrics.relayed.inc({ kind: "rehandover" });
    else {
      ctx.metrics.relayed.inc({ kind: "handover" });
      ctx.metrics.relayLatency.observe(row.age_seconds);
    }
  }
  if (claimed.length > 0) {
    const fresh = claimed.filter((r) => !r.stale);
    ctx.logger.debug(
      {
        events: claimed.length,
        rehandedOver: claimed.length - fresh.length,
        maxLagMs: Math.round(Math.max(0, ...fresh.map((r) => r.age_seconds)) * 1000),
      },
      "outbox rows handed to the queue",
    );
  }
  return claimed.length === batch ? "more" : "idle";
}

/**
 * A stale row whose job still waits or runs is left alone (the add below is a no-op). A job that
 * finished without marking the row processed (it gave up, e.g. the database was down through all its
 * attempts) is removed so the add below creates a fresh one.
 */
async function reviveDeadJobs(ctx: WorkerContext, queues: Queues, stale: Claimed[]): Promise<void> {
  const def = jobDefinition("dispatch-event");
  const queue = queues["dispatch-event"];
  for (const row of stale) {
    const jobId = def.jobId({ eventId: row.id.toString() });
    const state = await queue.getJobState(jobId);
    if (state === "failed" || state === "completed") {
      await queue.remove(jobId);
      ctx.logger.warn({ eventId: row.id.toString(), jobId, state }, "outbox row outlived its job; queueing it again");
    }
  }
}
