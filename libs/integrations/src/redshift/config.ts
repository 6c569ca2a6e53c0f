import { z } from "zod";
import { REDSHIFT_MAX_IDENTIFIER_BYTES } from "./sql";

const hostname = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.\-:[\]_]+$/, "must be a host name or IP address");

// Redshift folds ASCII letters of every identifier (quoted or not) to lower case by default, so a
// name Steward creates is written lower-case from the start: what we send is what the catalog shows.
const identifier = z
  .string()
  .min(1)
  .refine((s) => Buffer.byteLength(s, "utf8") <= REDSHIFT_MAX_IDENTIFIER_BYTES, `must be at most ${REDSHIFT_MAX_IDENTIFIER_BYTES} bytes`)
  .refine((s) => !/\p{Cc}/u.test(s), "must not contain control characters");

const schemaName = identifier
  .refine((s) => s === s.replace(/[A-Z]/g, (c) => c.toLowerCase()), "must be lower case (Redshift folds identifiers to lower case)")
  .refine((s) => !s.startsWith("pg_"), "the pg_ prefix is reserved by Redshift");

/** The schema holding the profile table, the salt and `user_profile`; fixed so every view can name it. */
export const SYSTEM_SCHEMA = "steward_system";

export const RedshiftConfig = z
  .object({
    host: hostname,
    port: z.coerce.number().int().min(1).max(65535).default(5439),
    /** A database user with CREATE on each database and SELECT on the tables it governs (it owns the views). */
    user: identifier,
    /** Databases to crawl and govern; each gets its own system and policy-view schemas. */
    databases: z.array(identifier).min(1, "name at least one database").max(100),
    // Redshift clusters accept TLS by default and many require it.
    sslMode: z.enum(["disable", "require", "verify-full"]).default("require"),
    /** Where the policy views live (one per governed source); users query these, never the base tables. */
    viewSchema: schemaName.default("steward_views"),
    /** Schemas never crawled (system schemas and Steward's own are always skipped). */
    excludeSchemas: z.array(z.string().max(REDSHIFT_MAX_IDENTIFIER_BYTES)).max(200).default([]),
    userMapping: z
      .object({ mode: z.enum(["USERNAME", "ATTRIBUTE", "MANUAL"]).default("USERNAME"), attribute: z.string().min(1).max(100).optional() })
      .refine((m) => m.mode !== "ATTRIBUTE" || !!m.attribute, "name the attribute for ATTRIBUTE mapping")
      .default({ mode: "USERNAME" }),
  })
  .refine((c) => c.viewSchema !== SYSTEM_SCHEMA, { message: `must differ from ${SYSTEM_SCHEMA}`, path: ["viewSchema"] });
export type RedshiftConfig = z.infer<typeof RedshiftConfig>;

export const RedshiftCredentials = z.object({ password: z.string().max(1024).default("") });
export type RedshiftCredentials = z.infer<typeof RedshiftCredentials>;
