import { runSync, SyncBusyError } from "@steward/catalog";
import { ConnectorError } from "@steward/integrations";
import { UnrecoverableError } from "bullmq";
import { z } from "zod";
import { defineJob } from "./define-job";

/**
 * Crawls one connection and writes the catalog difference (libs/catalog runSync). The run row is the
 * unit of work: its id is the job id, so every producer (dispatch, recovery sweep) collapses into one
 * job, and a finished run is skipped. Unreachable platforms and a concurrent run of the same
 * connection are retried with backoff; bad configuration is not.
 */
export const syncConnectionJob = defineJob({
  schema: z.object({ syncRunId: z.uuid() }),
  jobId: (data) => `sync-${data.syncRunId}`,
  attempts: () => 6,
  backoffMs: () => 2_000,
  concurrency: () => 1,
  async handle(ctx, data, { job, log }) {
    try {
      const outcome = await runSync({ db: ctx.db, secretBox: ctx.secretBox, logger: log }, data.syncRunId, (seen, total) => {
        void job.updateProgress({ seen, total }).catch(() => {});
      });
      log.info({ ...outcome }, "sync finished");
    } catch (err) {
      if (err instanceof SyncBusyError) throw err;
      if (err instanceof ConnectorError && err.problem.code !== "UNREACHABLE") throw new UnrecoverableError(err.message);
      throw err;
    }
  },
});
