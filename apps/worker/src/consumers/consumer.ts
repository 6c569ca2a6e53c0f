import type { Logger } from "@steward/core";
import type { OutboxEventModel, Tx } from "@steward/db";
import type { JobRequest } from "../jobs/catalog";

/**
 * Reacts to one outbox event inside the dispatch transaction: it records its own durable state there
 * (so a retried dispatch is idempotent) and returns the jobs to queue once that transaction commits.
 */
export type EventConsumer = {
  name: string;
  consume(tx: Tx, event: OutboxEventModel, log: Logger): Promise<JobRequest[]>;
};
