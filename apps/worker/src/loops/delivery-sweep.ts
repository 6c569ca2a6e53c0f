import { DELIVERY_NOTIFY_CHANNEL } from "@steward/webhooks";
import type { WorkerContext } from "../context";
import type { JobRequest } from "../jobs/catalog";
import { jobDefinition } from "../jobs/catalog";
import type { Queues } from "../queues";
import type { PassResult } from "./poll-loop";

export { DELIVERY_NOTIFY_CHANNEL };

const PAGE = 500;
const CHECK_CONCURRENCY = 50;

/**
 * Makes the queue match the database: every PENDING delivery must have a live job for its current
 * round. A missing job (Redis lost its data, the dispatcher crashed between commit and queueing, or
 * the API asked for a redelivery) is added with its deterministic id; a job that finished while the
 * delivery is still PENDING (e.g. it stalled too often in crashes) is replaced by a new round.
 */
export async function sweepPendingDeliveries(ctx: WorkerContext, queues: Queues): Promise<PassResult> {
  const def = jobDefinition("deliver-webhook");
  const queue = queues["deliver-webhook"];
  let after: string | undefined;
  for (;;) {
    const rows = await ctx.db.webhookDelivery.findMany({
      where: { status: "PENDING", ...(after ? { id: { gt: after } } : {}) },
      select: { id: true, round: true },
      orderBy: { id: "asc" },
      take: PAGE,
    });
    const requests: JobRequest[] = [];
    for (let i = 0; i < rows.length; i += CHECK_CONCURRENCY) {
      const chunk = rows.slice(i, i + CHECK_CONCURRENCY);
      const states = await Promise.all(chunk.map((r) => queue.getJobState(def.jobId({ deliveryId: r.id, round: r.round }))));
      for (const [j, row] of chunk.entries()) {
        const state = states[j];
        if (state === "unknown") {
          requests.push({ name: "deliver-webhook", data: { deliveryId: row.id, round: row.round } });
          ctx.metrics.recovered.inc({ reason: "missing" });
        } else if (state === "completed" || state === "failed") {
          // Conditional: if the delivery settled meanwhile (the job finished just now), nothing changes.
          const bumped = await ctx.db.webhookDelivery.updateMany({
            where: { id: row.id, round: row.round, status: "PENDING" },
            data: { round: row.round + 1 },
          });
          if (bumped.count === 1) {
            requests.push({ name: "deliver-webhook", data: { deliveryId: row.id, round: row.round + 1 } });
            ctx.metrics.recovered.inc({ reason: "dead" });
          }
        }
      }
    }
    if (requests.length > 0) {
      await ctx.enqueue(requests);
      ctx.logger.info({ requeued: requests.length }, "pending deliveries without a live job queued again");
    }
    if (rows.length < PAGE) return "idle";
    after = rows.at(-1)?.id;
  }
}
