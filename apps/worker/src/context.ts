import type { Logger, SecretBox } from "@steward/core";
import type { Db } from "@steward/db";
import type { WorkerEnv } from "./env";
import type { JobRequest } from "./jobs/catalog";
import type { Metrics } from "./metrics";

/** The tunables the worker's parts read (a subset of the environment, so tests can build it directly). */
export type WorkerConfig = Pick<
  WorkerEnv,
  | "QUEUE_PREFIX"
  | "WEBHOOK_TIMEOUT_MS"
  | "WEBHOOK_MAX_ATTEMPTS"
  | "WEBHOOK_BACKOFF_MS"
  | "WEBHOOK_CONCURRENCY"
  | "DISPATCH_CONCURRENCY"
  | "OUTBOX_POLL_MS"
  | "OUTBOX_BATCH_SIZE"
  | "OUTBOX_STALE_MS"
  | "DELIVERY_SWEEP_MS"
  | "OUTBOX_RETENTION_DAYS"
  | "OUTBOX_PRUNE_BATCH_SIZE"
  | "OUTBOX_PRUNE_MS"
  | "SYNC_SCHEDULER_MS"
  | "ACCESS_SWEEP_MS"
  | "DRIFT_CHECK_MS"
  | "JOB_LOCK_MS"
  | "JOB_STALLED_CHECK_MS"
>;

/** Everything a job handler or loop may use. Handlers get ids in their payload and read state from `db`. */
export type WorkerContext = {
  db: Db;
  secretBox: SecretBox;
  logger: Logger;
  metrics: Metrics;
  config: WorkerConfig;
  /** Adds jobs with their catalog-derived deterministic ids: adding the same work twice is a no-op. */
  enqueue(requests: readonly JobRequest[]): Promise<void>;
};
