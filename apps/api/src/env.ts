import { parseAddressList } from "@steward/core";
import { z } from "zod";
import { AuthEnvSchema, type AuthSettings, authSettingsFrom } from "./auth-settings";

const addressList = (def: string) =>
  z
    .string()
    .default(def)
    .transform((spec, ctx) => {
      try {
        return parseAddressList(spec);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
        return z.NEVER;
      }
    });

/** The API's configuration, parsed once at start-up; a bad value stops the process with a clear message. */
const EnvSchema = z.object({
  DATABASE_URL: z.string().url(),
  REDIS_URL: z.string().url().default("redis://127.0.0.1:6379"),
  API_PORT: z.coerce.number().int().min(1).max(65535).default(4000),
  API_HOST: z.string().default("0.0.0.0"),
  STEWARD_ENCRYPTION_KEYS: z.string().min(1, "set STEWARD_ENCRYPTION_KEYS=k1:<base64 of 32 random bytes>"),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** Secure cookies need HTTPS; default on in production only. */
  SESSION_COOKIE_SECURE: z.enum(["true", "false"]).optional(),
  STEWARD_DEMO_SEED: z.enum(["0", "1"]).default("0"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  RATE_LIMIT_PREFIX: z.string().default("steward:rl"),
  /** Proxies allowed to name the client in X-Forwarded-For (comma-separated IPs, CIDRs or `loopback`); none by default. */
  TRUSTED_PROXIES: addressList(""),
  /** Clients allowed to read /metrics without a token; loopback only by default. */
  METRICS_ALLOW: addressList("loopback"),
  /** Optional bearer token that also opens /metrics (for scrapers on other hosts). */
  METRICS_TOKEN: z.string().min(32, "use at least 32 characters").optional(),
  /** Segregation of duties: off by default, nobody approves their own access request or subscribes themselves. */
  STEWARD_ALLOW_SELF_APPROVAL: z.enum(["true", "false"]).default("false"),
  /** The decision service as platforms reach it (shown in their generated config, e.g. Trino's access-control.properties). */
  DECISIONS_PUBLIC_URL: z.string().url().default("http://127.0.0.1:4002"),
});

export type ApiEnv = z.infer<typeof EnvSchema> & { auth: AuthSettings };

export function parseEnv(env: NodeJS.ProcessEnv = process.env): ApiEnv {
  const result = EnvSchema.safeParse(env);
  const auth = AuthEnvSchema.safeParse(env);
  const issues = [...(result.error?.issues ?? []), ...(auth.error?.issues ?? [])].map((i) => `${i.path.join(".")}: ${i.message}`);
  const settings = auth.success ? authSettingsFrom(auth.data) : null;
  if (settings && "issues" in settings) issues.push(...settings.issues);
  if (!result.success || !settings || "issues" in settings || issues.length) {
    throw new Error(`Invalid API configuration:\n${issues.map((l) => `  ${l}`).join("\n")}`);
  }
  return { ...result.data, auth: settings.settings };
}
