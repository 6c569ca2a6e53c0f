/**
 * The profile table: one row per managed account, read by every policy view through
 * `steward_system.user_profile` (the row of `current_user`). Redshift has no arrays, so each set is
 * one VARCHAR of delimited elements, `,finance,eu,`, and a membership test is a substring search for
 * `,element,` (STRPOS, so no LIKE wildcard can match more than the element). Elements are
 * percent-encoded for the delimiter characters (`%` → `%25`, `,` → `%2C`, `:` → `%3A`) so that a
 * value containing a comma cannot fake two elements; attribute elements are `key:value` with both
 * parts encoded. Policy views apply the same encoding (`encodeSql`) to a column value before looking
 * it up. Upserts are plain DELETE / UPDATE / INSERT: MERGE exists only on newer Redshift releases and
 * ON CONFLICT not at all, and the planner knows the current rows anyway.
 */
import type { ProfileRow } from "@steward/policy";
import { SYSTEM_SCHEMA } from "./config";
import { rsIdent, rsLiteral, rsQualified } from "./sql";

export const PROFILE_TABLE = "profile";
/** Redshift's widest VARCHAR, in bytes. */
export const MAX_VARCHAR_BYTES = 65535;

export function encodeElement(value: string): string {
  return value.replaceAll("%", "%25").replaceAll(",", "%2C").replaceAll(":", "%3A");
}

/** The same encoding in SQL, for a column value compared against profile elements at query time. */
export function encodeSql(expr: string): string {
  return `REPLACE(REPLACE(REPLACE(${expr}, '%', '%25'), ',', '%2C'), ':', '%3A')`;
}

export function encodeSet(values: readonly string[]): string {
  const unique = [...new Set(values.map(encodeElement))].sort();
  return unique.length === 0 ? "," : `,${unique.join(",")},`;
}

export function encodeAttributes(attributes: Readonly<Record<string, readonly string[]>>): string {
  const pairs: string[] = [];
  for (const [key, values] of Object.entries(attributes)) for (const v of values) pairs.push(`${encodeElement(key)}:${encodeElement(v)}`);
  return pairs.length === 0 ? "," : `,${[...new Set(pairs)].sort().join(",")},`;
}

/** Column name → value, in table order: exactly what the table stores for one account. */
export type StoredProfile = {
  account: string;
  user_id: string;
  username: string;
  groups: string;
  attributes: string;
  purposes: string;
  sources: string;
  project_id: string | null;
};

export const PROFILE_COLUMNS = ["account", "user_id", "username", "groups", "attributes", "purposes", "sources", "project_id"] as const;
const SETS = ["groups", "attributes", "purposes", "sources"] as const;

export function storedProfile(account: string, row: Omit<ProfileRow, "accountName"> | null, sources: readonly string[]): StoredProfile {
  return {
    account,
    user_id: row?.userId ?? "",
    username: row?.username ?? "",
    groups: encodeSet(row?.groups ?? []),
    attributes: encodeAttributes(row?.attributes ?? {}),
    purposes: encodeSet(row?.purposes ?? []),
    sources: encodeSet(sources),
    project_id: row?.projectId ?? null,
  };
}

/** Why a row cannot be stored (a set wider than Redshift's widest VARCHAR), or null. */
export function profileTooWide(p: StoredProfile): string | null {
  for (const k of SETS)
    if (Buffer.byteLength(p[k], "utf8") > MAX_VARCHAR_BYTES) return `its ${k} list is longer than ${MAX_VARCHAR_BYTES} bytes`;
  return null;
}

export const sameProfile = (a: StoredProfile, b: StoredProfile) => PROFILE_COLUMNS.every((c) => a[c] === b[c]);

const table = () => rsQualified(SYSTEM_SCHEMA, PROFILE_TABLE);
const value = (v: string | null) => (v === null ? "NULL" : rsLiteral(v));

export const insertProfiles = (rows: readonly StoredProfile[]) =>
  `INSERT INTO ${table()} (${PROFILE_COLUMNS.map(rsIdent).join(", ")}) VALUES ${rows
    .map((r) => `(${PROFILE_COLUMNS.map((c) => value(r[c])).join(", ")})`)
    .join(", ")}`;

export const updateProfile = (r: StoredProfile) =>
  `UPDATE ${table()} SET ${PROFILE_COLUMNS.filter((c) => c !== "account")
    .map((c) => `${rsIdent(c)} = ${value(r[c])}`)
    .join(", ")} WHERE ${rsIdent("account")} = ${rsLiteral(r.account)}`;

export const deleteProfiles = (accounts: readonly string[]) =>
  `DELETE FROM ${table()} WHERE ${rsIdent("account")} IN (${accounts.map(rsLiteral).join(", ")})`;
