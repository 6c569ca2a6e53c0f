import { reconcileConnection } from "@steward/access";
import { z } from "zod";
import { defineJob } from "./define-job";

/**
 * Pushes one connection's desired grants to the platform. The job id is (connection, version,
 * attempt): duplicates collapse, a job for an applied version is a no-op, and a transient failure is
 * retried by the access sweeper as a new attempt, so no job is dead-lettered for a passing outage.
 */
export const reconcileConnectionJob = defineJob({
  schema: z.object({ connectionId: z.uuid(), version: z.number().int().min(0), attempt: z.number().int().min(0).default(0) }),
  jobId: (data) => `reconcile-${data.connectionId}-v${data.version}-a${data.attempt}`,
  attempts: () => 1,
  backoffMs: () => 1_000,
  concurrency: () => 1,
  async handle(ctx, data, { log }) {
    const outcome = await reconcileConnection({ db: ctx.db, secretBox: ctx.secretBox, logger: log }, data.connectionId, data.version);
    if (outcome.kind === "failed") log.warn({ ...outcome }, "reconcile failed; the access sweeper retries it");
    else if (outcome.kind === "skipped") log.debug({ ...outcome }, "reconcile skipped");
    else log.info({ ...outcome }, "reconcile finished");
  },
});
