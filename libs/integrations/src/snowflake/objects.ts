/**
 * What a level means per Snowflake object type (information_schema.tables.table_type, IS_ICEBERG,
 * IS_DYNAMIC, and whether the database comes from a share). Only plain tables of a local database
 * take DML; every other kind is SELECT only, also under WRITE. The ON keyword is the exact type:
 * Snowflake resolves the name within it, and dynamic tables have their own privilege set.
 */
import type { AccessLevel } from "../access-types";

export type ObjectKind = "TABLE" | "VIEW" | "MATERIALIZED VIEW" | "EXTERNAL TABLE" | "EVENT TABLE" | "DYNAMIC TABLE" | "ICEBERG TABLE";

export type PlatformObject = { kind: ObjectKind; shared: boolean };

const BY_TABLE_TYPE: Record<string, ObjectKind> = {
  "BASE TABLE": "TABLE",
  VIEW: "VIEW",
  "MATERIALIZED VIEW": "MATERIALIZED VIEW",
  "EXTERNAL TABLE": "EXTERNAL TABLE",
  "EVENT TABLE": "EVENT TABLE",
};

/** Null: a type Steward does not grant on (e.g. a temporary table); reported, never guessed. */
export function objectKind(tableType: string, isIceberg: string | null, isDynamic: string | null): ObjectKind | null {
  if (isIceberg === "YES") return "ICEBERG TABLE";
  if (isDynamic === "YES") return "DYNAMIC TABLE";
  return BY_TABLE_TYPE[tableType] ?? null;
}

export const WRITE_PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"] as const;

export const writable = (o: PlatformObject) => o.kind === "TABLE" && !o.shared;

export function privilegesFor(o: PlatformObject, level: AccessLevel): readonly string[] {
  return level === "WRITE" && writable(o) ? WRITE_PRIVILEGES : ["SELECT"];
}
