/**
 * The Steward-managed schemas of one database: `steward_system` (profile table, salt table and the
 * `user_profile` view, readable only by the reconciling role, which owns everything) and
 * `steward_views` (the policy views). Users never get privileges on `steward_system`: policy views
 * read it with their owner's rights, while `current_user` stays the querying user.
 */
import type pg from "pg";
import { qualified, quoteIdent } from "../../sql/quote";
import { PROFILE_TABLE, PROFILE_VIEW, SALT_TABLE, SYSTEM_SCHEMA, VIEWS_SCHEMA } from "../policy-dialect";

export const PROFILE = qualified(SYSTEM_SCHEMA, PROFILE_TABLE);
export const SALT = qualified(SYSTEM_SCHEMA, SALT_TABLE);

/** Idempotent: safe to run again after a partial manual drop. */
export function systemDdl(): string[] {
  const sys = quoteIdent(SYSTEM_SCHEMA);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${sys}`,
    `REVOKE ALL ON SCHEMA ${sys} FROM PUBLIC`,
    `CREATE TABLE IF NOT EXISTS ${PROFILE} (
  "account_name" text PRIMARY KEY,
  "user_id" text NOT NULL,
  "username" text NOT NULL,
  "groups" text[] NOT NULL DEFAULT '{}',
  "attributes" jsonb NOT NULL DEFAULT '{}',
  "project_id" text,
  "purposes" text[] NOT NULL DEFAULT '{}',
  "sources" text[] NOT NULL DEFAULT '{}'
)`,
    // One row at most: the boolean key can only be true.
    `CREATE TABLE IF NOT EXISTS ${SALT} ("id" boolean PRIMARY KEY DEFAULT true CHECK ("id"), "salt" text NOT NULL)`,
    `REVOKE ALL ON TABLE ${PROFILE}, ${SALT} FROM PUBLIC`,
    // security_barrier: no user-supplied function can see other users' rows before the filter.
    `CREATE OR REPLACE VIEW ${qualified(SYSTEM_SCHEMA, PROFILE_VIEW)} WITH (security_barrier = true) AS
SELECT "account_name", "user_id", "username", "groups", "attributes", "project_id", "purposes", "sources"
FROM ${PROFILE} WHERE "account_name" = current_user`,
    `REVOKE ALL ON TABLE ${qualified(SYSTEM_SCHEMA, PROFILE_VIEW)} FROM PUBLIC`,
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(VIEWS_SCHEMA)}`,
  ];
}

export type SystemState = { complete: boolean; viewsSchema: boolean };

const SYSTEM_SQL = `
SELECT
  to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AND to_regclass($3) IS NOT NULL AS complete,
  EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $4) AS views_schema`;

export async function readSystemState(client: pg.ClientBase): Promise<SystemState> {
  const res = await client.query<{ complete: boolean; views_schema: boolean }>(SYSTEM_SQL, [
    PROFILE,
    SALT,
    qualified(SYSTEM_SCHEMA, PROFILE_VIEW),
    VIEWS_SCHEMA,
  ]);
  const row = res.rows[0]!;
  return { complete: row.complete && row.views_schema, viewsSchema: row.views_schema };
}
