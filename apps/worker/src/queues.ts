import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { WorkerConfig } from "./context";
import { JOB_NAMES, type JobName, type JobRequest, jobDefinition } from "./jobs/catalog";

export type Queues = Record<JobName, Queue>;

/** Completed jobs are only kept for inspection; failed ones stay visible for two weeks. */
const KEEP_COMPLETED = { age: 24 * 3600, count: 5_000 };
const KEEP_FAILED = { age: 14 * 24 * 3600, count: 50_000 };

/** One queue per job name, all under the configured key prefix. */
export function createQueues(connection: Redis, config: WorkerConfig): Queues {
  const queues = {} as Queues;
  for (const name of JOB_NAMES) queues[name] = new Queue(name, { connection, prefix: config.QUEUE_PREFIX });
  return queues;
}

/**
 * Adds jobs with catalog-derived ids, validating payloads on the way in as well as when they run.
 * BullMQ ignores an add whose job id already exists, which is what makes every producer idempotent.
 */
export async function enqueue(queues: Queues, config: WorkerConfig, requests: readonly JobRequest[]): Promise<void> {
  const byName = new Map<JobName, Parameters<Queue["addBulk"]>[0]>();
  for (const request of requests) {
    const def = jobDefinition(request.name);
    const data = def.schema.parse(request.data);
    const jobs = byName.get(request.name) ?? [];
    jobs.push({
      name: request.name,
      data: request.data,
      opts: {
        jobId: def.jobId(data),
        attempts: def.attempts(config),
        backoff: { type: "exponential", delay: def.backoffMs(config) },
        removeOnComplete: KEEP_COMPLETED,
        removeOnFail: KEEP_FAILED,
      },
    });
    byName.set(request.name, jobs);
  }
  await Promise.all([...byName].map(([name, jobs]) => queues[name].addBulk(jobs)));
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}
