/**
 * The privileges Steward issues in Unity Catalog and how each server spells them. Steward works with
 * one neutral spelling (Databricks REST: `USE_CATALOG`) and converts at the edge: the OSS server's
 * enum uses spaces (`USE CATALOG`) and answers 500 to the underscore form. Reading accepts both.
 */
import type { AccessLevel } from "../access-types";
import type { UcFlavor } from "./config";

export const STEWARD_PRIVILEGES = ["USE_CATALOG", "USE_SCHEMA", "SELECT", "MODIFY"] as const;
export type UcPrivilege = (typeof STEWARD_PRIVILEGES)[number];

/** The wire spelling for a server. */
export function spellPrivilege(p: UcPrivilege, flavor: UcFlavor): string {
  return flavor === "OSS" ? p.replaceAll("_", " ") : p;
}

/**
 * Any spelling → the neutral form (upper case, underscores), whether or not Steward issues it, so
 * unmanaged privileges can be reported too.
 */
export function normalizePrivilege(wire: string): string {
  return wire.trim().toUpperCase().replace(/\s+/g, "_");
}

export function isStewardPrivilege(p: string): p is UcPrivilege {
  return (STEWARD_PRIVILEGES as readonly string[]).includes(p);
}

/**
 * What a level means on a table-like object (the seed's table): only a MANAGED table (crawled as
 * TABLE) takes MODIFY; views, materialized views, streaming tables, external, foreign and shared
 * tables are read-only to Steward, so WRITE is SELECT there.
 */
export function tablePrivileges(objectType: string, level: AccessLevel): UcPrivilege[] {
  if (level === "WRITE" && isWritableType(objectType)) return ["SELECT", "MODIFY"];
  return ["SELECT"];
}

export function isWritableType(objectType: string): boolean {
  return objectType === "TABLE";
}

/** UC `table_type` → Steward's object type (see tablePrivileges for what each may be granted). */
export function objectTypeOf(tableType: string | null | undefined, sharedCatalog: boolean) {
  if (sharedCatalog) return "FOREIGN_TABLE" as const;
  switch ((tableType ?? "").toUpperCase()) {
    case "MANAGED":
      return "TABLE" as const;
    case "EXTERNAL":
    case "EXTERNAL_SHALLOW_CLONE":
      return "EXTERNAL_TABLE" as const;
    case "FOREIGN":
      return "FOREIGN_TABLE" as const;
    case "MATERIALIZED_VIEW":
    case "STREAMING_TABLE":
      return "MATERIALIZED_VIEW" as const;
    default:
      // VIEW, METRIC_VIEW and anything newer: read-only until Steward knows better.
      return "VIEW" as const;
  }
}
