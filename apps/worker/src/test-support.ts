import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import type { WorkerConfig } from "./context";

export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A queue prefix no other test file (or developer's worker) shares. */
export const uniquePrefix = (label: string) => `steward-test-${label}-${randomBytes(4).toString("hex")}`;

export const testKeyring = () => `k1:${randomBytes(32).toString("base64")}`;

/** Production defaults squeezed so that retries, staleness and sweeps happen within a test's time. */
export function testConfig(prefix: string, overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  return {
    QUEUE_PREFIX: prefix,
    WEBHOOK_TIMEOUT_MS: 1_000,
    WEBHOOK_MAX_ATTEMPTS: 3,
    WEBHOOK_BACKOFF_MS: 50,
    WEBHOOK_CONCURRENCY: 16,
    DISPATCH_CONCURRENCY: 4,
    OUTBOX_POLL_MS: 200,
    OUTBOX_BATCH_SIZE: 100,
    OUTBOX_STALE_MS: 2_000,
    DELIVERY_SWEEP_MS: 1_000,
    OUTBOX_RETENTION_DAYS: 7,
    OUTBOX_PRUNE_BATCH_SIZE: 1_000,
    OUTBOX_PRUNE_MS: 60_000,
    SYNC_SCHEDULER_MS: 1_000,
    ACCESS_SWEEP_MS: 500,
    DRIFT_CHECK_MS: 600_000,
    JOB_LOCK_MS: 3_000,
    JOB_STALLED_CHECK_MS: 1_000,
    ...overrides,
  };
}

/** What a Redis restart does to us (it keeps nothing on disk): every key of our prefix is gone. */
export async function flushPrefix(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL);
  try {
    let deleted = 0;
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== "0");
    return deleted;
  } finally {
    redis.disconnect();
  }
}

export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false>,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? "condition"}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
