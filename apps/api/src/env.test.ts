import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

const base = { DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/x", STEWARD_ENCRYPTION_KEYS: "k1:abc" };

describe("API network settings", () => {
  it("trusts no proxy and serves metrics to loopback only by default", () => {
    const env = parseEnv(base);
    expect(env.TRUSTED_PROXIES.contains("127.0.0.1")).toBe(false);
    expect(env.METRICS_ALLOW.contains("127.0.0.1")).toBe(true);
    expect(env.METRICS_ALLOW.contains("10.0.0.5")).toBe(false);
    expect(env.METRICS_TOKEN).toBeUndefined();
  });

  it("reads address lists and refuses bad ones with the variable named", () => {
    const env = parseEnv({ ...base, TRUSTED_PROXIES: "loopback, 10.0.0.0/8", METRICS_ALLOW: "none" });
    expect(env.TRUSTED_PROXIES.contains("10.1.2.3")).toBe(true);
    expect(env.METRICS_ALLOW.contains("127.0.0.1")).toBe(false);
    expect(() => parseEnv({ ...base, TRUSTED_PROXIES: "proxy.example.com" })).toThrow(/TRUSTED_PROXIES/);
    expect(() => parseEnv({ ...base, METRICS_TOKEN: "short" })).toThrow(/METRICS_TOKEN/);
  });
});
