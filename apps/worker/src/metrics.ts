import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * One registry per worker instance (not prom-client's global one) so several workers can run in a
 * test process. Gauges that need a query register their `collect` in the code that owns the query.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "steward_worker_" });
  return {
    registry,
    jobs: new Counter({
      name: "steward_jobs_processed_total",
      help: "Job attempts by job name and result (completed, failed = will retry, exhausted = gave up, invalid = malformed payload)",
      labelNames: ["job", "result"] as const,
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: "steward_job_duration_seconds",
      help: "Job attempt duration",
      labelNames: ["job"] as const,
      buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    relayLatency: new Histogram({
      name: "steward_outbox_relay_latency_seconds",
      help: "Time from an outbox row's creation to its hand-over to the queue",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120],
      registers: [registry],
    }),
    relayed: new Counter({
      name: "steward_outbox_relayed_total",
      help: "Outbox rows handed to the queue (handover = first time, rehandover = stale row handed over again)",
      labelNames: ["kind"] as const,
      registers: [registry],
    }),
    deliveries: new Counter({
      name: "steward_webhook_deliveries_total",
      help: "Webhook delivery attempts by outcome",
      labelNames: ["result"] as const,
      registers: [registry],
    }),
    recovered: new Counter({
      name: "steward_webhook_deliveries_requeued_total",
      help: "PENDING deliveries the sweep queued again (job missing after a Redis loss, dead job, or redelivery)",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
    gauge: (name: string, help: string, collect: (g: Gauge) => Promise<void>) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        async collect() {
          await collect(this);
        },
      }),
  };
}
