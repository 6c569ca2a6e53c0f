import { transaction } from "@steward/db";
import { z } from "zod";
import { eventConsumers } from "../consumers";
import type { JobRequest } from "./catalog";
import { defineJob } from "./define-job";

/**
 * Hands one outbox event to every consumer. The consumers' writes and `processedAt` commit together,
 * so a dispatch that crashes is simply run again; follow-up jobs are queued after commit and carry
 * deterministic ids (if queueing is lost, the delivery sweep re-creates them from the database).
 */
export const dispatchEventJob = defineJob({
  schema: z.object({ eventId: z.string().regex(/^\d{1,19}$/, "must be a bigint id") }),
  jobId: (data) => `event-${data.eventId}`,
  attempts: () => 10,
  backoffMs: () => 1_000,
  concurrency: (config) => config.DISPATCH_CONCURRENCY,
  async handle(ctx, data, { log }) {
    const id = BigInt(data.eventId);
    const followUps = await transaction(ctx.db, async (tx): Promise<JobRequest[]> => {
      // Serialises duplicate dispatches of one event (e.g. re-handed over after a Redis loss).
      const locked = await tx.$queryRaw<{ processed: boolean }[]>`
        SELECT "processedAt" IS NOT NULL AS processed FROM "OutboxEvent" WHERE id = ${id} FOR UPDATE`;
      const row = locked[0];
      if (!row) {
        log.warn("outbox event not found; nothing to dispatch");
        return [];
      }
      if (row.processed) return [];
      const event = await tx.outboxEvent.findUniqueOrThrow({ where: { id } });
      const requests: JobRequest[] = [];
      for (const consumer of eventConsumers) {
        requests.push(...(await consumer.consume(tx, event, log.child({ consumer: consumer.name }))));
      }
      await tx.outboxEvent.update({ where: { id }, data: { processedAt: new Date() } });
      log.debug({ type: event.type, followUps: requests.length }, "event dispatched");
      return requests;
    });
    await ctx.enqueue(followUps);
  },
});
