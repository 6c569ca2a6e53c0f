/**
 * A Unity Catalog connection: a Databricks workspace or an OSS Unity Catalog server, reached over the
 * UC REST API with a bearer token. Names match the connection form (CONNECTION_FIELDS in adapter.ts).
 */
import { z } from "zod";

/** Which server speaks: they spell privileges differently (`USE_CATALOG` vs `USE CATALOG`). */
export const UC_FLAVORS = ["DATABRICKS", "OSS"] as const;
export type UcFlavor = (typeof UC_FLAVORS)[number];

const catalogName = z
  .string()
  .min(1)
  .max(255)
  .refine((s) => !/\p{Cc}/u.test(s), "must not contain control characters");

export const UcConfig = z.object({
  /** Workspace URL (https://adb-….azuredatabricks.net) or the OSS server (http://127.0.0.1:8080). */
  url: z
    .string()
    .trim()
    .url()
    .refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL")
    .transform((u) => u.replace(/\/+$/, "")),
  flavor: z.enum(UC_FLAVORS).default("DATABRICKS"),
  /** Catalogs to sync and govern; empty: every catalog the token can see. */
  catalogs: z.array(catalogName).max(200).default([]),
  /** Requests in flight at once (reads and permission updates). */
  concurrency: z.coerce.number().int().min(1).max(16).default(4),
  /** Per-request timeout. */
  timeoutMs: z.coerce.number().int().min(100).max(120_000).default(15_000),
  /**
   * Databricks only (Steward's groups, group-access.ts): the account whose SCIM API manages them.
   * Empty: the workspace's account proxy (`<url>/api/2.0/account/scim/v2`) with the workspace token.
   */
  accountId: z
    .string()
    .trim()
    .regex(/^[0-9A-Za-z-]{1,64}$/, "must be a Databricks account id (a UUID)")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  /** The account console (https://accounts.cloud.databricks.com, accounts.azuredatabricks.net…); derived from the URL when empty. */
  accountHost: z
    .string()
    .trim()
    .url()
    .refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL")
    .transform((u) => u.replace(/\/+$/, ""))
    .optional()
    .or(z.literal("").transform(() => undefined)),
  /**
   * The SQL warehouse that runs Steward's row-filter and mask DDL through the Statement Execution API
   * (statement-client.ts). Databricks only; needed once any source has a data policy.
   */
  warehouseId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]{1,64}$/, "must be a SQL warehouse id such as 1234567890abcdef")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  /**
   * The catalog holding Steward's schema `steward_system` (profile table, salt table, mask and
   * row-filter functions). Databricks only; needed once any source has a data policy.
   */
  policyCatalog: catalogName.optional().or(z.literal("").transform(() => undefined)),
  /** How long one SQL statement may run (polled) before Steward cancels it and reports TIMEOUT. */
  statementTimeoutMs: z.coerce.number().int().min(1_000).max(3_600_000).default(600_000),
});
export type UcConfig = z.infer<typeof UcConfig>;

export const UcCredentials = z.object({
  token: z.string().min(1).max(4096),
  /** For the account SCIM API when `accountId` is set (an account admin's token); absent: `token`. */
  accountToken: z.preprocess((v) => (v === "" ? undefined : v), z.string().min(1).max(4096).optional()),
});
export type UcCredentials = z.infer<typeof UcCredentials>;
