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

describe("sign-in settings", () => {
  const oidc = {
    ...base,
    STEWARD_ENCRYPTION_KEYS: "k1:abc",
    OIDC_ISSUER: "https://idp.example.com/realms/corp",
    OIDC_CLIENT_ID: "steward",
    OIDC_CLIENT_SECRET: "s3cret",
    OIDC_REDIRECT_URI: "https://steward.example.com/auth/oidc/callback",
  };

  it("has passwords on and no single sign-on by default", () => {
    expect(parseEnv(base).auth).toEqual({ localPasswords: true, oidc: null });
  });

  it("reads an OpenID Provider with its claim mapping", () => {
    const { auth } = parseEnv({
      ...oidc,
      STEWARD_LOCAL_PASSWORDS: "off",
      OIDC_JIT: "false",
      OIDC_CLAIM_MAPPING: '{"groups":{"claim":"groups"},"attributes":{"department":"department"}}',
    });
    expect(auth.localPasswords).toBe(false);
    expect(auth.oidc).toMatchObject({
      clientId: "steward",
      scopes: ["openid", "profile", "email"],
      jit: false,
      matchVerifiedEmail: true,
      mapping: { groups: { claim: "groups", createMissing: false, rename: {} }, attributes: { department: "department" } },
    });
  });

  it("refuses bad configurations at boot with the variable named", () => {
    expect(() => parseEnv({ ...base, STEWARD_LOCAL_PASSWORDS: "off" })).toThrow(/STEWARD_LOCAL_PASSWORDS: off needs single sign-on/);
    expect(() => parseEnv({ ...oidc, OIDC_CLIENT_ID: undefined })).toThrow(/OIDC_CLIENT_ID: required/);
    expect(() => parseEnv({ ...oidc, OIDC_ISSUER: "http://idp.example.com" })).toThrow(/OIDC_ISSUER: must be https/);
    expect(parseEnv({ ...oidc, OIDC_ISSUER: "http://127.0.0.1:9999", OIDC_ALLOW_INSECURE_HTTP: "true" }).auth.oidc?.allowInsecureHttp).toBe(
      true,
    );
    expect(() => parseEnv({ ...oidc, OIDC_CLAIM_MAPPING: "{nope" })).toThrow(/OIDC_CLAIM_MAPPING: not JSON/);
    expect(() => parseEnv({ ...oidc, OIDC_CLAIM_MAPPING: '{"groups":{"claim":1}}' })).toThrow(/OIDC_CLAIM_MAPPING.groups.claim/);
    expect(() => parseEnv({ ...oidc, OIDC_SCOPES: "profile email" })).toThrow(/OIDC_SCOPES: must include openid/);
    expect(() => parseEnv({ ...oidc, OIDC_REDIRECT_URI: "https://steward.example.com/cb" })).toThrow(/OIDC_REDIRECT_URI/);
  });
});
