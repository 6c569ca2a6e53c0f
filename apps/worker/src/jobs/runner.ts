import { UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { WorkerContext } from "../context";
import { JOB_NAMES, type JobName, jobDefinition } from "./catalog";

/**
 * Starts one BullMQ worker per catalog entry. The processor validates the payload (malformed → failed
 * at once via UnrecoverableError), gives the handler a child logger carrying the job id, and records
 * metrics; retries and backoff are BullMQ's, configured per job when it is added.
 */
export function startJobWorkers(ctx: WorkerContext, connection: Redis): Worker[] {
  return JOB_NAMES.map((name) => startJobWorker(ctx, connection, name));
}

function startJobWorker(ctx: WorkerContext, connection: Redis, name: JobName): Worker {
  const def = jobDefinition(name);
  const worker = new Worker(
    name,
    async (job) => {
      const attempt = job.attemptsMade + 1;
      const log = ctx.logger.child({ job: name, jobId: job.id, attempt });
      const parsed = def.schema.safeParse(job.data);
      if (!parsed.success) {
        ctx.metrics.jobs.inc({ job: name, result: "invalid" });
        log.error({ issues: parsed.error.issues }, "malformed job payload; failing without retry");
        throw new UnrecoverableError(
          `malformed payload: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
        );
      }
      const finalAttempt = attempt >= (job.opts.attempts ?? 1);
      const stopTimer = ctx.metrics.jobDuration.startTimer({ job: name });
      try {
        await def.handle(ctx, parsed.data, { job, log, finalAttempt });
        ctx.metrics.jobs.inc({ job: name, result: "completed" });
      } catch (err) {
        const gaveUp = finalAttempt || err instanceof UnrecoverableError;
        ctx.metrics.jobs.inc({ job: name, result: gaveUp ? "exhausted" : "failed" });
        log[gaveUp ? "error" : "warn"]({ err: (err as Error).message }, gaveUp ? "job failed for good" : "job attempt failed; will retry");
        throw err;
      } finally {
        stopTimer();
      }
    },
    {
      connection,
      prefix: ctx.config.QUEUE_PREFIX,
      concurrency: def.concurrency(ctx.config),
      lockDuration: ctx.config.JOB_LOCK_MS,
      stalledInterval: ctx.config.JOB_STALLED_CHECK_MS,
      // A job whose worker died is moved back to waiting by the stalled check; allow a few crashes
      // before BullMQ gives up on it (the delivery sweep still revives a PENDING delivery after that).
      maxStalledCount: 3,
    },
  );
  worker.on("error", (err) => ctx.logger.error({ job: name, err: err.message }, "queue worker error"));
  return worker;
}
