import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** Prometheus metrics for the API process (scraped at /metrics). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "steward_api_" });
  const httpDuration = new Histogram({
    name: "steward_api_http_request_duration_seconds",
    help: "HTTP request duration by route and status",
    labelNames: ["route", "method", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const graphqlOperations = new Counter({
    name: "steward_api_graphql_operations_total",
    help: "GraphQL operations by name, type and outcome",
    labelNames: ["operation", "type", "outcome"],
    registers: [registry],
  });
  const graphqlErrors = new Counter({
    name: "steward_api_graphql_errors_total",
    help: "GraphQL errors by code",
    labelNames: ["code"],
    registers: [registry],
  });
  return { registry, httpDuration, graphqlOperations, graphqlErrors };
}

export type Metrics = ReturnType<typeof createMetrics>;
