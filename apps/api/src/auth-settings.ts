import { ClaimMappingSchema, type OidcSettings } from "@steward/identity";
import { z } from "zod";

const bool = (def: "true" | "false") =>
  z
    .enum(["true", "false"])
    .default(def)
    .transform((v) => v === "true");

/**
 * Sign-in settings of one deployment: single sign-on through one OpenID Provider (enabled by
 * OIDC_ISSUER) and whether Steward passwords may be used at all (STEWARD_LOCAL_PASSWORDS).
 */
export const AuthEnvSchema = z
  .object({
    STEWARD_LOCAL_PASSWORDS: z.enum(["on", "off"]).default("on"),
    OIDC_ISSUER: z.string().url().optional(),
    OIDC_CLIENT_ID: z.string().min(1).max(500).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).max(2000).optional(),
    /** The web app's callback as the browser reaches it, e.g. https://steward.example.com/auth/oidc/callback. */
    OIDC_REDIRECT_URI: z.string().url().optional(),
    OIDC_SCOPES: z.string().default("openid profile email"),
    OIDC_PROVIDER_NAME: z.string().min(1).max(100).default("single sign-on"),
    OIDC_JIT: bool("true"),
    OIDC_MATCH_VERIFIED_EMAIL: bool("true"),
    OIDC_CLAIM_MAPPING: z.string().default("{}"),
    OIDC_ALLOW_INSECURE_HTTP: bool("false"),
    OIDC_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(120).default(10),
  })
  .superRefine((env, ctx) => {
    if (env.OIDC_ISSUER) {
      if (!env.OIDC_CLIENT_ID) ctx.addIssue({ code: "custom", path: ["OIDC_CLIENT_ID"], message: "required when OIDC_ISSUER is set" });
      if (!env.OIDC_REDIRECT_URI)
        ctx.addIssue({ code: "custom", path: ["OIDC_REDIRECT_URI"], message: "required when OIDC_ISSUER is set (…/auth/oidc/callback)" });
      if (new URL(env.OIDC_ISSUER).protocol !== "https:" && !env.OIDC_ALLOW_INSECURE_HTTP)
        ctx.addIssue({
          code: "custom",
          path: ["OIDC_ISSUER"],
          message: "must be https (OIDC_ALLOW_INSECURE_HTTP=true for local testing only)",
        });
      if (!env.OIDC_SCOPES.split(/\s+/).includes("openid"))
        ctx.addIssue({ code: "custom", path: ["OIDC_SCOPES"], message: "must include openid" });
    }
    if (env.OIDC_REDIRECT_URI && !new URL(env.OIDC_REDIRECT_URI).pathname.endsWith("/auth/oidc/callback"))
      ctx.addIssue({ code: "custom", path: ["OIDC_REDIRECT_URI"], message: "must end in /auth/oidc/callback" });
    if (env.STEWARD_LOCAL_PASSWORDS === "off" && !env.OIDC_ISSUER)
      ctx.addIssue({ code: "custom", path: ["STEWARD_LOCAL_PASSWORDS"], message: "off needs single sign-on (set OIDC_ISSUER…)" });
  });

export type AuthEnv = z.infer<typeof AuthEnvSchema>;

export type AuthSettings = { localPasswords: boolean; oidc: OidcSettings | null };

/** Turns the parsed env into settings; the claim mapping JSON is checked here, so a bad one stops the boot. */
export function authSettingsFrom(env: AuthEnv): { settings: AuthSettings } | { issues: string[] } {
  let oidc: OidcSettings | null = null;
  if (env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_REDIRECT_URI) {
    let json: unknown;
    try {
      json = JSON.parse(env.OIDC_CLAIM_MAPPING);
    } catch (err) {
      return { issues: [`OIDC_CLAIM_MAPPING: not JSON (${(err as Error).message})`] };
    }
    const mapping = ClaimMappingSchema.safeParse(json);
    if (!mapping.success)
      return { issues: mapping.error.issues.map((i) => `OIDC_CLAIM_MAPPING${i.path.length ? `.${i.path.join(".")}` : ""}: ${i.message}`) };
    oidc = {
      issuer: new URL(env.OIDC_ISSUER),
      clientId: env.OIDC_CLIENT_ID,
      clientSecret: env.OIDC_CLIENT_SECRET,
      redirectUri: new URL(env.OIDC_REDIRECT_URI),
      scopes: env.OIDC_SCOPES.split(/\s+/).filter(Boolean),
      providerName: env.OIDC_PROVIDER_NAME,
      jit: env.OIDC_JIT,
      matchVerifiedEmail: env.OIDC_MATCH_VERIFIED_EMAIL,
      mapping: mapping.data,
      allowInsecureHttp: env.OIDC_ALLOW_INSECURE_HTTP,
      timeoutSeconds: env.OIDC_TIMEOUT_SECONDS,
    };
  }
  return { settings: { localPasswords: env.STEWARD_LOCAL_PASSWORDS === "on", oidc } };
}
