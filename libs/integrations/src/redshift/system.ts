/**
 * Steward's own objects in each governed database: schema `steward_system` with the profile table,
 * the hash salt and the record of the views Steward made (all three readable by Steward's user only),
 * the `user_profile` view everyone may read but which returns only the caller's row, and the
 * policy-view schema everyone may use. Every statement is idempotent, so the set is re-run whole
 * whenever anything in it is missing or `user_profile` was changed by hand.
 * No DISTSTYLE / SORTKEY clauses: Redshift's AUTO distribution makes a table this small ALL on its
 * own, and leaving them out keeps the DDL runnable on PostgreSQL in tests.
 */
import { SYSTEM_SCHEMA } from "./config";
import { PROFILE_TABLE } from "./profile";
import { rsIdent, rsQualified } from "./sql";

export const SALT_TABLE = "hash_salt";
export const MANAGED_VIEW_TABLE = "managed_view";
export const USER_PROFILE_VIEW = "user_profile";

const sys = (name: string) => rsQualified(SYSTEM_SCHEMA, name);

/** The columns policy views may read; the Steward user id stays in the private table. */
const USER_PROFILE_COLUMNS = ["account", "username", "groups", "attributes", "purposes", "sources", "project_id"];

// current_user is a keyword without parentheses on Redshift (and PostgreSQL); it returns NAME, cast
// so the comparison is VARCHAR to VARCHAR. Inside a view it is the querying user, not the owner.
export const USER_PROFILE_DDL = `CREATE OR REPLACE VIEW ${sys(USER_PROFILE_VIEW)} AS SELECT ${USER_PROFILE_COLUMNS.map(rsIdent).join(", ")} FROM ${sys(
  PROFILE_TABLE,
)} WHERE ${rsIdent("account")} = CAST(current_user AS VARCHAR(128))`;

export function bootstrapStatements(viewSchema: string): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS ${rsIdent(SYSTEM_SCHEMA)}`,
    `CREATE TABLE IF NOT EXISTS ${sys(PROFILE_TABLE)} (${[
      `${rsIdent("account")} VARCHAR(128) NOT NULL`,
      `${rsIdent("user_id")} VARCHAR(256) NOT NULL`,
      `${rsIdent("username")} VARCHAR(512) NOT NULL`,
      `${rsIdent("groups")} VARCHAR(65535) NOT NULL`,
      `${rsIdent("attributes")} VARCHAR(65535) NOT NULL`,
      `${rsIdent("purposes")} VARCHAR(65535) NOT NULL`,
      `${rsIdent("sources")} VARCHAR(65535) NOT NULL`,
      `${rsIdent("project_id")} VARCHAR(256)`,
    ].join(", ")})`,
    `CREATE TABLE IF NOT EXISTS ${sys(SALT_TABLE)} (${rsIdent("salt")} VARCHAR(1024) NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${sys(MANAGED_VIEW_TABLE)} (${[
      `${rsIdent("schema_name")} VARCHAR(128) NOT NULL`,
      `${rsIdent("view_name")} VARCHAR(128) NOT NULL`,
      `${rsIdent("source_id")} VARCHAR(256) NOT NULL`,
      `${rsIdent("ddl_hash")} VARCHAR(64) NOT NULL`,
      `${rsIdent("definition_hash")} VARCHAR(64)`,
    ].join(", ")})`,
    `REVOKE ALL ON ${[PROFILE_TABLE, SALT_TABLE, MANAGED_VIEW_TABLE].map(sys).join(", ")} FROM PUBLIC`,
    USER_PROFILE_DDL,
    `GRANT USAGE ON SCHEMA ${rsIdent(SYSTEM_SCHEMA)} TO PUBLIC`,
    `GRANT SELECT ON ${sys(USER_PROFILE_VIEW)} TO PUBLIC`,
    `CREATE SCHEMA IF NOT EXISTS ${rsIdent(viewSchema)}`,
    `GRANT USAGE ON SCHEMA ${rsIdent(viewSchema)} TO PUBLIC`,
  ];
}

/** The relations the bootstrap makes, by relkind: anything missing re-runs it. */
export const SYSTEM_RELATIONS: readonly { name: string; relkind: "r" | "v" }[] = [
  { name: PROFILE_TABLE, relkind: "r" },
  { name: SALT_TABLE, relkind: "r" },
  { name: MANAGED_VIEW_TABLE, relkind: "r" },
  { name: USER_PROFILE_VIEW, relkind: "v" },
];
