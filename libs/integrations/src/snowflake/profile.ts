/**
 * Pure: Steward's system objects in `<policy database>.STEWARD_SYSTEM` and the profile rows every
 * masking and row access policy reads (policy-dialect.ts). One row per managed account; the sets are
 * ARRAYs of strings (attribute values as `<encoded key>:<value>`, policy-dialect.ts). Policies read the
 * row of CURRENT_USER() through the USER_PROFILE view, so a profile change never touches a policy.
 *
 * Snowflake refuses ARRAY_CONSTRUCT inside a VALUES clause, so rows are written with one MERGE whose
 * source is a UNION ALL of SELECTs: one atomic statement for every new or changed row.
 */
import type { ProfileRow } from "@steward/policy";
import { qualifiedSnowflake, quoteSnowflakeIdent, quoteSnowflakeLiteral } from "../sql/quote";
import { MANAGED_COMMENT } from "./naming";
import { attributeElement, POLICY_SCHEMA, PROFILE_TABLE, SALT_TABLE, USER_PROFILE_VIEW } from "./policy-dialect";

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

const SETS = ["groups", "attributes", "purposes", "sources"] as const;
const COLUMNS = ["account", "user_id", "username", "groups", "attributes", "purposes", "sources", "project_id"] as const;
const uniqueSorted = (values: Iterable<string>) => [...new Set(values)].sort();

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
  SETS.every((k) => a[k].length === b[k].length && a[k].every((v, i) => v === b[k][i]));

const lit = quoteSnowflakeLiteral;
const ids = (names: readonly string[]) => names.map(quoteSnowflakeIdent).join(", ");

/** Idempotent: run when the objects are missing (a fresh connection, or a hand-made drop). */
export function systemStatements(db: string): string[] {
  const q = (name: string) => qualifiedSnowflake(db, POLICY_SCHEMA, name);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${qualifiedSnowflake(db, POLICY_SCHEMA)} COMMENT = ${lit(MANAGED_COMMENT)}`,
    `CREATE TABLE IF NOT EXISTS ${q(PROFILE_TABLE)} ("account" VARCHAR NOT NULL PRIMARY KEY, "user_id" VARCHAR, "username" VARCHAR, "groups" ARRAY, "attributes" ARRAY, "purposes" ARRAY, "sources" ARRAY, "project_id" VARCHAR)`,
    `CREATE VIEW IF NOT EXISTS ${q(USER_PROFILE_VIEW)} AS SELECT * FROM ${q(PROFILE_TABLE)} WHERE "account" = CURRENT_USER()`,
    `CREATE TABLE IF NOT EXISTS ${q(SALT_TABLE)} ("salt" VARCHAR NOT NULL)`,
  ];
}

function selectRow(p: StoredProfile): string {
  const array = (values: readonly string[]) => `ARRAY_CONSTRUCT(${values.map(lit).join(", ")})`;
  const values = [
    lit(p.account),
    lit(p.userId),
    lit(p.username),
    ...SETS.map((k) => array(p[k])),
    p.projectId === null ? "NULL" : lit(p.projectId),
  ];
  return `SELECT ${values.map((v, i) => `${v} AS ${quoteSnowflakeIdent(COLUMNS[i]!)}`).join(", ")}`;
}

export type ProfilePlan = { statements: string[]; upserted: number; deleted: number };

/**
 * `current`: the rows stored now (the scope's only, on the delta path). `scoped`: the desired rows
 * speak only for themselves, so rows of other accounts are never deleted.
 */
export function planProfiles(
  db: string,
  desired: readonly StoredProfile[],
  current: readonly StoredProfile[],
  scoped: boolean,
): ProfilePlan {
  const table = qualifiedSnowflake(db, POLICY_SCHEMA, PROFILE_TABLE);
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
    const set = COLUMNS.filter((c) => c !== "account").map((c) => `${quoteSnowflakeIdent(c)} = s.${quoteSnowflakeIdent(c)}`);
    statements.push(
      `MERGE INTO ${table} AS t USING (${changed.map(selectRow).join(" UNION ALL ")}) AS s ON t."account" = s."account"` +
        ` WHEN MATCHED THEN UPDATE SET ${set.join(", ")}` +
        ` WHEN NOT MATCHED THEN INSERT (${ids(COLUMNS)}) VALUES (${COLUMNS.map((c) => `s.${quoteSnowflakeIdent(c)}`).join(", ")})`,
    );
  }
  if (gone.length) statements.push(`DELETE FROM ${table} WHERE "account" IN (${gone.map(lit).join(", ")})`);
  return { statements, upserted: changed.length, deleted: gone.length };
}

/** The salt row: written once; a different stored salt is replaced (every hash changes with it). */
export function saltStatements(db: string, salt: string, stored: readonly string[]): string[] {
  if (stored.length === 1 && stored[0] === salt) return [];
  const table = qualifiedSnowflake(db, POLICY_SCHEMA, SALT_TABLE);
  return [...(stored.length ? [`DELETE FROM ${table}`] : []), `INSERT INTO ${table} ("salt") VALUES (${lit(salt)})`];
}
