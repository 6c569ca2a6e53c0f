import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadEnv } from "./env";

const base = {
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/steward",
  STEWARD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
};

describe("worker env", () => {
  it("applies defaults", () => {
    expect(loadEnv(base)).toMatchObject({
      REDIS_URL: "redis://127.0.0.1:6379",
      WORKER_PORT: 4001,
      QUEUE_PREFIX: "steward",
      LOG_LEVEL: "info",
      WEBHOOK_TIMEOUT_MS: 10_000,
      WEBHOOK_MAX_ATTEMPTS: 8,
      OUTBOX_POLL_MS: 200,
      OUTBOX_STALE_MS: 30_000,
    });
  });
  it("coerces numbers from strings", () => {
    expect(loadEnv({ ...base, WORKER_PORT: "5000", WEBHOOK_MAX_ATTEMPTS: "3" })).toMatchObject({
      WORKER_PORT: 5000,
      WEBHOOK_MAX_ATTEMPTS: 3,
    });
  });
  it("lists every problem at once, without echoing the keys", () => {
    const secretish = "k1:c2hvcnQ=";
    const run = () =>
      loadEnv({ DATABASE_URL: "mysql://x", STEWARD_ENCRYPTION_KEYS: secretish, WEBHOOK_MAX_ATTEMPTS: "0", QUEUE_PREFIX: "a:b" });
    expect(run).toThrow(
      /DATABASE_URL[\s\S]*STEWARD_ENCRYPTION_KEYS: key 'k1' must decode to 32 bytes[\s\S]*QUEUE_PREFIX[\s\S]*WEBHOOK_MAX_ATTEMPTS/,
    );
    expect(run).not.toThrow(/c2hvcnQ/);
  });
});
