import { assertNever } from "@steward/core";
import { deliverWebhook } from "@steward/webhooks";
import { UnrecoverableError } from "bullmq";
import { z } from "zod";
import { defineJob } from "./define-job";

/**
 * Sends one webhook delivery. A failed attempt throws so BullMQ retries with exponential backoff; the
 * last allowed attempt marks the delivery FAILED. The job id includes the delivery's round, so a
 * redelivery gets a fresh job while duplicates of the current round collapse.
 */
export const deliverWebhookJob = defineJob({
  schema: z.object({ deliveryId: z.uuid(), round: z.number().int().min(1) }),
  jobId: (data) => `delivery-${data.deliveryId}-r${data.round}`,
  attempts: (config) => config.WEBHOOK_MAX_ATTEMPTS,
  backoffMs: (config) => config.WEBHOOK_BACKOFF_MS,
  concurrency: (config) => config.WEBHOOK_CONCURRENCY,
  async handle(ctx, data, { log, finalAttempt }) {
    const outcome = await deliverWebhook(
      { db: ctx.db, secretBox: ctx.secretBox, timeoutMs: ctx.config.WEBHOOK_TIMEOUT_MS, logger: log },
      data.deliveryId,
      { round: data.round, finalAttempt },
    );
    ctx.metrics.deliveries.inc({ result: outcome.kind });
    switch (outcome.kind) {
      case "skipped":
        log.debug({ reason: outcome.reason }, "delivery skipped");
        return;
      case "succeeded":
        return;
      case "failed":
        // A final outcome (endpoint disabled, or attempts used up) must not be retried by BullMQ.
        if (outcome.final) throw new UnrecoverableError(outcome.error);
        throw new Error(outcome.error);
      default:
        assertNever(outcome, "delivery outcome");
    }
  },
});
