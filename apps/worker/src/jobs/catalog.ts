import type { z } from "zod";
import type { JobDefinition } from "./define-job";
import { deliverWebhookJob } from "./deliver-webhook.job";
import { dispatchEventJob } from "./dispatch-event.job";
import { reconcileConnectionJob } from "./reconcile-connection.job";
import { syncConnectionJob } from "./sync-connection.job";

/**
 * Every job the worker runs: name → payload schema → handler. Each name is its own BullMQ queue, so
 * slow webhook receivers never hold up event dispatch. Adding a job = a `<name>.job.ts` + a line here.
 */
export const jobCatalog = {
  "dispatch-event": dispatchEventJob,
  "deliver-webhook": deliverWebhookJob,
  "sync-connection": syncConnectionJob,
  "reconcile-connection": reconcileConnectionJob,
} as const satisfies Record<string, JobDefinition>;

export type JobName = keyof typeof jobCatalog;
export type JobPayload<N extends JobName> = z.input<(typeof jobCatalog)[N]["schema"]>;
/** A typed request to run a job: the name picks the payload type. */
export type JobRequest = { [N in JobName]: { name: N; data: JobPayload<N> } }[JobName];

export const JOB_NAMES = Object.keys(jobCatalog) as JobName[];

export function jobDefinition(name: JobName): JobDefinition {
  return jobCatalog[name] as unknown as JobDefinition;
}
