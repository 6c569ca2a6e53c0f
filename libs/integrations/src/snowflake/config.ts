import { z } from "zod";
import { SNOWFLAKE_MAX_IDENTIFIER_CHARS } from "../sql/quote";

// Names as Snowflake stores them: quoted everywhere Steward sends them, so case is kept exactly
// (an object created unquoted is stored, and must be named here, in upper case).
const identifier = z
  .string()
  .min(1)
  .refine((s) => [...s].length <= SNOWFLAKE_MAX_IDENTIFIER_CHARS, `must be at most ${SNOWFLAKE_MAX_IDENTIFIER_CHARS} characters`)
  .refine((s) => !/\p{Cc}/u.test(s), "must not contain control characters");

export const SnowflakeConfig = z.object({
  /** Account identifier (`orgname-account` or the locator form); names the endpoint unless `host` is set. */
  account: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .regex(/^[A-Za-z0-9_.-]+$/, "must be an account identifier such as myorg-myaccount"),
  /**
   * Full endpoint URL overriding `<account>.snowflakecomputing.com` (private link, or the local wire
   * emulator in tests: `http://127.0.0.1:PORT`).
   */
  host: z
    .string()
    .trim()
    .url()
    .refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL")
    .optional(),
  /** The user Steward signs in as; its role needs MANAGE GRANTS and CREATE ROLE on the account. */
  user: identifier,
  /** The role Steward works as (owner of the roles it creates). */
  role: identifier,
  /** Needed for the information_schema reads of the crawl. */
  warehouse: identifier,
  /** Databases to crawl and govern. */
  databases: z.array(identifier).min(1, "name at least one database").max(100),
  /**
   * Database holding Steward's data-policy objects (schema STEWARD_SYSTEM: profile table, salt,
   * masking and row access policies). Required once any source has a data policy; a standard
   * (not shared) database where Steward's role may create a schema.
   */
  policyDatabase: identifier.optional(),
  /** Schemas never crawled (INFORMATION_SCHEMA is always skipped). */
  excludeSchemas: z.array(z.string().max(SNOWFLAKE_MAX_IDENTIFIER_CHARS)).max(200).default([]),
  /** Login attempts the driver retries on network errors before Steward reports UNREACHABLE. */
  loginRetries: z.coerce.number().int().min(0).max(7).default(3),
  userMapping: z
    .object({ mode: z.enum(["USERNAME", "ATTRIBUTE", "MANUAL"]).default("USERNAME"), attribute: z.string().min(1).max(100).optional() })
    .refine((m) => m.mode !== "ATTRIBUTE" || !!m.attribute, "name the attribute for ATTRIBUTE mapping")
    .default({ mode: "USERNAME" }),
});
export type SnowflakeConfig = z.infer<typeof SnowflakeConfig>;

/** A password, or a key pair (PEM private key, optionally encrypted): exactly one of them. */
export const SnowflakeCredentials = z
  .object({
    password: z.string().max(1024).optional(),
    privateKey: z.string().max(20_000).optional(),
    privateKeyPassphrase: z.string().max(1024).optional(),
  })
  .refine((c) => !!c.password !== !!c.privateKey, "give either a password or a private key");
export type SnowflakeCredentials = z.infer<typeof SnowflakeCredentials>;
