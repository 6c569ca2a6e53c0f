/**
 * Pure: Steward's tables in `<policy catalog>.steward_system` and the statements that keep them. The
 * profile table has one row per managed account, read by every mask and row-filter UDF as the row of
 * current_user() (policy-dialect.ts); the salt table has one row, read by hash masks.
 *
 * - The profile is written with one MERGE per change (a UNION ALL of SELECTs as its source), like
 *   Snowflake's, so a changed row is one atomic statement and an unchanged one is none.
 * - The salt is never in a statement's text: it is bound as the `:salt` parameter of the Statement
 *   Execution API, so the statement lists Steward returns and logs do not carry it; and it is never read
 *   back: the check compares it on the warehouse (policy-state.ts) and returns only counts.
 * - INSERT OVERWRITE replaces the salt row in one statement, so a resend never leaves two rows.
 */
import type { ProfileRow } from "@steward/policy";
import { qualifiedDatabricks, quoteDatabricksIdent, quoteDatabricksLiteral } from "../sql/quote";
import { MANAGED_COMMENT } from "./policies";
import { attributeElement, POLICY_SCHEMA, PROFILE_TABLE, SALT_TABLE } from "./policy-dialect";

/** What the profile table stores for one account, sets sorted and without duplicates. */
export type StoredProfile = {
  account: string;
  userId: string;
  username: string;
  groups: string[];
  attributes: string[];
  purposes: string[];
  sources: string[];
  projectId: string | null;
};

export const PROFILE_SETS = ["groups", "attributes", "purposes", "sources"] as const;
export const PROFILE_COLUMNS = ["account", "user_id", "username", "groups", "attributes", "purposes", "sources", "project_id"] as const;
/** The parameter marker the salt is bound to. */
export const SALT_PARAM = "salt";

const uniqueSorted = (values: Iterable<string>) => [...new Set(values)].sort();
const lit = quoteDatabricksLiteral;
const id = quoteDatabricksIdent;
const comment = `COMMENT ${lit(MANAGED_COMMENT)}`;

export function storedProfile(row: ProfileRow): StoredProfile {
  return {
    account: row.accountName,
    userId: row.userId,
    username: row.username,
    groups: uniqueSorted(row.groups),
    attributes: uniqueSorted(Object.entries(row.attributes).flatMap(([k, vs]) => vs.map((v) => attributeElement(k, v)))),
    purposes: uniqueSorted(row.purposes),
    sources: uniqueSorted(row.sources),
    projectId: row.projectId ?? null,
  };
}

export const sameProfile = (a: StoredProfile, b: StoredProfile) =>
  a.userId === b.userId &&
  a.username === b.username &&
  a.projectId === b.projectId &&
  PROFILE_SETS.every((k) => a[k].length === b[k].length && a[k].every((v, i) => v === b[k][i]));

/** Idempotent: run when a table is missing (a fresh connection, or a hand-made drop). */
export function systemStatements(catalog: string): string[] {
  const q = (name: string) => qualifiedDatabricks(catalog, POLICY_SCHEMA, name);
  const arrays = PROFILE_SETS.map((c) => `${id(c)} ARRAY<STRING>`).join(", ");
  return [
    `CREATE SCHEMA IF NOT EXISTS ${qualifiedDatabricks(catalog, POLICY_SCHEMA)} ${comment}`,
    `CREATE TABLE IF NOT EXISTS ${q(PROFILE_TABLE)} (${id("account")} STRING NOT NULL, ${id("user_id")} STRING, ${id("username")} STRING, ${arrays}, ${id("project_id")} STRING) ${comment}`,
    `CREATE TABLE IF NOT EXISTS ${q(SALT_TABLE)} (${id("salt")} STRING NOT NULL) ${comment}`,
  ];
}

function selectRow(p: StoredProfile): string {
  // An empty array() has no element type: the cast names it, so the UNION ALL branches agree.
  const array = (values: readonly string[]) => `CAST(array(${values.map(lit).join(", ")}) AS ARRAY<STRING>)`;
  const values = [
    lit(p.account),
    lit(p.userId),
    lit(p.username),
    ...PROFILE_SETS.map((k) => array(p[k])),
    p.projectId === null ? "CAST(NULL AS STRING)" : lit(p.projectId),
  ];
  return `SELECT ${values.map((v, i) => `${v} AS ${id(PROFILE_COLUMNS[i]!)}`).join(", ")}`;
}

export type ProfilePlan = { statements: string[]; upserted: number; deleted: number };

/**
 * `current`: the rows stored now (only the scope's, on the delta path). `scoped`: the desired rows
 * speak only for themselves, so rows of other accounts are never deleted.
 */
export function planProfiles(
  catalog: string,
  desired: readonly StoredProfile[],
  current: readonly StoredProfile[],
  scoped: boolean,
): ProfilePlan {
  const table = qualifiedDatabricks(catalog, POLICY_SCHEMA, PROFILE_TABLE);
  const now = new Map(current.map((p) => [p.account, p]));
  const wanted = new Set(desired.map((p) => p.account));
  const changed = [...desired]
    .sort((a, b) => (a.account < b.account ? -1 : 1))
    .filter((p) => !now.has(p.account) || !sameProfile(now.get(p.account)!, p));
  const gone = scoped
    ? []
    : current
        .map((p) => p.account)
        .filter((a) => !wanted.has(a))
        .sort();
  const statements: string[] = [];
  if (changed.length) {
    const set = PROFILE_COLUMNS.filter((c) => c !== "account").map((c) => `${id(c)} = s.${id(c)}`);
    statements.push(
      `MERGE INTO ${table} AS t USING (${changed.map(selectRow).join(" UNION ALL ")}) AS s ON t.${id("account")} = s.${id("account")}` +
        ` WHEN MATCHED THEN UPDATE SET ${set.join(", ")}` +
        ` WHEN NOT MATCHED THEN INSERT (${PROFILE_COLUMNS.map(id).join(", ")}) VALUES (${PROFILE_COLUMNS.map((c) => `s.${id(c)}`).join(", ")})`,
    );
  }
  if (gone.length) statements.push(`DELETE FROM ${table} WHERE ${id("account")} IN (${gone.map(lit).join(", ")})`);
  return { statements, upserted: changed.length, deleted: gone.length };
}

/** What the warehouse says about the stored salt: rows, and how many equal the desired one. */
export type SaltCheck = { stored: number; matching: number };

/** The salt row, written through the `:salt` parameter; nothing when exactly the desired salt is stored. */
export function saltStatements(catalog: string, check: SaltCheck): string[] {
  if (check.stored === 1 && check.matching === 1) return [];
  return [`INSERT OVERWRITE ${qualifiedDatabricks(catalog, POLICY_SCHEMA, SALT_TABLE)} (${id("salt")}) VALUES (:${SALT_PARAM})`];
}
