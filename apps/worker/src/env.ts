import { parseAddressList, parseKeyring } from "@steward/core";
import { z } from "zod";

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

const schema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL"),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// URL")
    .default("redis://127.0.0.1:6379"),
  STEWARD_ENCRYPTION_KEYS: z.string().superRefine((spec, ctx) => {
    try {
      parseKeyring(spec);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: `${(err as Error).message} (format: k1:<base64 32 bytes>[,k0:...])` });
    }
  }),
  WORKER_PORT: int(4001).pipe(z.number().max(65_535)),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, "letters, digits, '_', '.', '-'")
    .default("steward"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  WEBHOOK_TIMEOUT_MS: int(10_000, 100),
  WEBHOOK_MAX_ATTEMPTS: int(8, 1),
  // Tuning knobs, with production defaults; tests shorten them.
  WEBHOOK_BACKOFF_MS: int(5_000, 1),
  WEBHOOK_CONCURRENCY: int(16, 1),
  DISPATCH_CONCURRENCY: int(4, 1),
  OUTBOX_POLL_MS: int(200, 10),
  OUTBOX_BATCH_SIZE: int(100, 1),
  OUTBOX_STALE_MS: int(30_000, 100),
  DELIVERY_SWEEP_MS: int(5_000, 50),
  /** Processed outbox rows are kept this many days (for debugging a dispatch), then deleted. */
  OUTBOX_RETENTION_DAYS: int(7, 1),
  OUTBOX_PRUNE_BATCH_SIZE: int(1_000, 1),
  /** Pause between prune passes once the backlog is gone. */
  OUTBOX_PRUNE_MS: int(600_000, 50),
  /** How often due scheduled syncs are requested and lost sync jobs re-queued. */
  SYNC_SCHEDULER_MS: int(10_000, 50),
  /** How often unapplied access versions, expiries and drift checks are looked at. */
  ACCESS_SWEEP_MS: int(1_000, 50),
  /** Interval between drift checks of one connection. */
  DRIFT_CHECK_MS: int(300_000, 1_000),
  JOB_LOCK_MS: int(30_000, 1_000),
  JOB_STALLED_CHECK_MS: int(15_000, 500),
  SHUTDOWN_TIMEOUT_MS: int(25_000, 100),
  /** Clients allowed to read /metrics without a token (comma-separated IPs, CIDRs or `loopback`). */
  METRICS_ALLOW: z
    .string()
    .default("loopback")
    .superRefine((spec, ctx) => {
      try {
        parseAddressList(spec);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
      }
    }),
  /** Optional bearer token that also opens /metrics (for scrapers on other hosts). */
  METRICS_TOKEN: z.string().min(32, "use at least 32 characters").optional(),
});

export type WorkerEnv = z.infer<typeof schema>;

/** Parsed once at start-up; a bad environment stops the process with every problem listed. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
  throw new Error(`Invalid worker environment:\n${problems}`);
}
