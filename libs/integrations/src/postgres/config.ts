import { z } from "zod";

const hostname = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.\-:[\]_]+$/, "must be a host name or IP address");
const databaseName = z
  .string()
  .min(1)
  .max(63)
  .refine((s) => !s.includes("\0"), "must not contain NUL");

export const PostgresConfig = z.object({
  host: hostname,
  port: z.coerce.number().int().min(1).max(65535).default(5432),
  user: z.string().min(1).max(63),
  /** Databases to crawl; each is one level of the catalog hierarchy. */
  databases: z.array(databaseName).min(1, "name at least one database").max(100),
  sslMode: z.enum(["disable", "require", "verify-full"]).default("disable"),
  /** Schemas never crawled (system schemas are always skipped). */
  excludeSchemas: z.array(z.string().max(63)).max(200).default([]),
  /**
   * How Steward users map to PostgreSQL roles: by username, by the value of a user attribute, or only
   * by an explicit per-user platform account. An explicit account always wins; users without any
   * mapping get no grants (and are listed in the reconcile run).
   */
  userMapping: z
    .object({ mode: z.enum(["USERNAME", "ATTRIBUTE", "MANUAL"]).default("USERNAME"), attribute: z.string().min(1).max(100).optional() })
    .refine((m) => m.mode !== "ATTRIBUTE" || !!m.attribute, "name the attribute for ATTRIBUTE mapping")
    .default({ mode: "USERNAME" }),
});
export type PostgresConfig = z.infer<typeof PostgresConfig>;

export const PostgresCredentials = z.object({ password: z.string().max(1024).default("") });
export type PostgresCredentials = z.infer<typeof PostgresCredentials>;
