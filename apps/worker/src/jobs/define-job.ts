import type { Logger } from "@steward/core";
import type { Job } from "bullmq";
import type { z } from "zod";
import type { WorkerContext } from "../context";

export type JobRun = { job: Job; log: Logger /** No retry follows if this attempt fails. */; finalAttempt: boolean };

/**
 * One entry of the job catalog. Payloads carry ids only and are validated again when the job runs
 * (a malformed payload fails without retry); `jobId` derives a deterministic id from the payload so
 * that every producer (relay, dispatcher, sweep) adding the same work collapses into one job.
 */
export type JobDefinition<S extends z.ZodType = z.ZodType> = {
  schema: S;
  jobId(data: z.output<S>): string;
  attempts(config: WorkerContext["config"]): number;
  /** Base delay of the exponential backoff between attempts. */
  backoffMs(config: WorkerContext["config"]): number;
  concurrency(config: WorkerContext["config"]): number;
  handle(ctx: WorkerContext, data: z.output<S>, run: JobRun): Promise<void>;
};

export const defineJob = <S extends z.ZodType>(def: JobDefinition<S>): JobDefinition<S> => def;
