/**
 * A Trino (or Starburst) connection: where Steward reaches the coordinator for catalog sync, and the
 * decision settings its `opa` access control is answered with. Names match the connection form
 * (CONNECTION_FIELDS in adapter.ts).
 */
import { z } from "zod";

/** What a user may do on an object, as Trino operations are grouped (see opa/operations.ts). */
export const TRINO_PERMISSIONS = ["READ", "WRITE", "OWN", "CREATE"] as const;
export type TrinoPermission = (typeof TRINO_PERMISSIONS)[number];

const hostname = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.\-:[\]_]+$/, "must be a host name or IP address");

const permissionList = z.array(z.enum(TRINO_PERMISSIONS)).max(4);

/** Trino catalog names are lower-case identifiers; anything else cannot be a catalog. */
const catalogName = z
  .string()
  .min(1)
  .max(255)
  .refine((s) => !/\p{Cc}/u.test(s), "must not contain control characters");

export const TrinoConfig = z.object({
  host: hostname,
  port: z.coerce.number().int().min(1).max(65535).default(8080),
  /** https to the coordinator. */
  ssl: z.boolean().default(false),
  /** The Trino user Steward crawls catalogs as (Steward's own identity: every decision allows it). */
  user: z
    .string()
    .min(1)
    .max(255)
    .refine((s) => !/\p{Cc}/u.test(s), "must not contain control characters"),
  /** Catalogs to sync; empty: every catalog except `system`. */
  catalogs: z.array(catalogName).max(200).default([]),
  userMapping: z
    .object({ mode: z.enum(["USERNAME", "ATTRIBUTE", "MANUAL"]).default("USERNAME"), attribute: z.string().min(1).max(100).optional() })
    .refine((m) => m.mode !== "ATTRIBUTE" || !!m.attribute, "name the attribute for ATTRIBUTE mapping")
    .default({ mode: "USERNAME" }),
  /** What a WRITE subscription lets a user do on a registered object. */
  writeGrants: permissionList.default(["READ", "WRITE"]),
  /** What a READ subscription lets a user do on a registered object. */
  readGrants: permissionList.default(["READ"]),
  /** Permissions that may be used at all on objects registered in Steward (a ceiling over the grants). */
  registeredOperations: permissionList.default(["READ", "WRITE"]),
  /** What everyone may do on objects Steward does not govern (not registered as data sources). */
  unregisteredOperations: permissionList.default(["READ", "WRITE", "CREATE", "OWN"]),
  /** Users Steward does not know: denied, or decided by the subscription policies over their Trino groups. */
  unknownUsers: z.enum(["DENY", "TRINO_GROUPS"]).default("DENY"),
  /** Share of allowed decisions kept in the query audit (denials are always kept). */
  auditSamplePercent: z.coerce.number().min(0).max(100).default(100),
});
export type TrinoConfig = z.infer<typeof TrinoConfig>;

export const TrinoCredentials = z.object({ password: z.string().max(1024).default("") });
export type TrinoCredentials = z.infer<typeof TrinoCredentials>;
