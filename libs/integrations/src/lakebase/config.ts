import { z } from "zod";
import { PostgresConfig } from "../postgres/config";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * The workspace's own URL (its origin; the token endpoint hangs off it). HTTPS is required because the
 * client secret travels in the token request; plain HTTP is accepted only on the loopback interface,
 * where a local token endpoint (tests, a developer's proxy) never leaves the machine.
 */
const workspaceUrl = z
  .url({ protocol: /^https?$/, error: "must be the workspace URL, e.g. https://dbc-1234.cloud.databricks.com" })
  .max(2048)
  .refine((u) => {
    const url = new URL(u);
    return url.protocol === "https:" || LOOPBACK.has(url.hostname);
  }, "must use https://")
  .refine((u) => {
    const url = new URL(u);
    return !url.username && !url.password && !url.search && !url.hash;
  }, "must be the workspace URL alone, without credentials, query or fragment");

export const LakebaseConfig = PostgresConfig.omit({ user: true, sslMode: true }).extend({
  workspaceUrl,
  /**
   * The service principal's application (client) id. Lakebase names the principal's PostgreSQL role
   * after it, so it is also the user Steward connects as.
   */
  clientId: z.guid("must be the service principal's application id (a UUID)"),
  // Lakebase accepts token logins only over TLS; `disable` is for local test servers.
  sslMode: z.enum(["disable", "require", "verify-full"]).default("require"),
});
export type LakebaseConfig = z.infer<typeof LakebaseConfig>;

/** Sealed like every credential and never returned; the OAuth tokens made from it are never stored. */
export const LakebaseCredentials = z.object({ clientSecret: z.string().min(1, "enter the service principal's OAuth secret").max(1024) });
export type LakebaseCredentials = z.infer<typeof LakebaseCredentials>;
