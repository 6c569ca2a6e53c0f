import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadEnv } from "./env";

const base = { DATABASE_URL: "postgresql://localhost/steward", STEWARD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}` };

describe("decisions env", () => {
  it("has production defaults", () => {
    expect(loadEnv(base)).toMatchObject({
      DECISIONS_PORT: 4002,
      DECISIONS_ON_OUTAGE: "serve-last",
      DECISIONS_STALE_AFTER_MS: 10_000,
      DECISIONS_POLL_MS: 2_000,
      DECISIONS_AUDIT_RETENTION_DAYS: 30,
    });
  });

  it("lists every problem, including partial TLS settings and an unknown outage mode", () => {
    expect(() =>
      loadEnv({ ...base, DECISIONS_ON_OUTAGE: "allow-all", DECISIONS_TLS_CERT: "/etc/hostname", DECISIONS_PORT: "70000" }),
    ).toThrow(/DECISIONS_ON_OUTAGE[\s\S]*DECISIONS_PORT|DECISIONS_PORT[\s\S]*DECISIONS_ON_OUTAGE/);
    expect(() => loadEnv({ ...base, DECISIONS_TLS_CERT: "/etc/hostname" })).toThrow(/DECISIONS_TLS_KEY and DECISIONS_TLS_CA together/);
    expect(() => loadEnv({ ...base, DECISIONS_TLS_CERT: "/nope", DECISIONS_TLS_KEY: "/nope", DECISIONS_TLS_CA: "/nope" })).toThrow(
      /file not found/,
    );
  });
});
