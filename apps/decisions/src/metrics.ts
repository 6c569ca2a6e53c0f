import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * One registry per service instance (tests run several replicas in one process). Snapshot and queue
 * gauges read the service's memory when scraped: nothing on the request path updates them.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "steward_decisions_" });
  return {
    registry,
    requests: new Counter({
      name: "steward_decision_requests_total",
      help: "Decision requests by kind, endpoint and HTTP status",
      labelNames: ["kind", "endpoint", "status"] as const,
      registers: [registry],
    }),
    decisions: new Counter({
      name: "steward_decisions_total",
      help: "Individual decisions by result (allowed, denied, fail_closed = denied because the metadata database is unreachable)",
      labelNames: ["result"] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: "steward_decision_latency_seconds",
      help: "Time from a decision request's complete body to its answer",
      labelNames: ["endpoint"] as const,
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25],
      registers: [registry],
    }),
    reloads: new Counter({
      name: "steward_decision_snapshot_reloads_total",
      help: "Snapshot loads by trigger (start, notify, poll) and result",
      labelNames: ["trigger", "result"] as const,
      registers: [registry],
    }),
    auditWritten: new Counter({
      name: "steward_decision_audit_written_total",
      help: "Decision records written to the query audit",
      registers: [registry],
    }),
    auditDropped: new Counter({
      name: "steward_decision_audit_dropped_total",
      help: "Decision records dropped because the audit queue was full (allowed first, denied only when no allowed remain)",
      labelNames: ["allowed"] as const,
      registers: [registry],
    }),
    gauge: (name: string, help: string, labelNames: readonly string[], collect: (g: Gauge<string>) => void) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        collect() {
          collect(this);
        },
      }),
  };
}
