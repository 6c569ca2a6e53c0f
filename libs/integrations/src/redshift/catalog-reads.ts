/**
 * The few reads only Redshift can answer. Everything else Steward reads from Redshift goes through
 * `pg_catalog` queries that PostgreSQL accepts too (and integration tests run them there); these two
 * have no PostgreSQL counterpart, so their SQL is golden-tested as text and integration tests swap in
 * `testing/pg-emulation.ts`, which answers the same questions from PostgreSQL's catalogs.
 */
import type { RsQuery } from "./client";
import { rsLiteral } from "./sql";

/** One explicit SELECT grant on a relation, as `svv_relation_privileges` reports it. */
export type RelationGrant = {
  schema: string;
  relation: string;
  identityName: string;
  identityType: "user" | "role" | "group" | "public";
};

export type LateBindingColumn = { schema: string; view: string; name: string; dataType: string; ordinal: number };

export type PlatformReads = {
  name: string;
  /** Explicit SELECT grants on every relation of `schema`. */
  relationGrants(q: RsQuery, schema: string): Promise<RelationGrant[]>;
  /** Columns of late-binding views, which have no `pg_attribute` rows on Redshift. */
  lateBindingColumns(q: RsQuery): Promise<LateBindingColumn[]>;
  /** What the server runs for an emitted statement (identity on Redshift). */
  adaptStatement(sql: string): string;
};

// svv_relation_privileges lists explicit grants only (no owner rights, no inheritance), with the kind
// of each grantee. It shows everything only to superusers or SYSLOG ACCESS UNRESTRICTED; others see
// only identities they can access — the connection test warns about that.
export const RELATION_GRANTS_SQL = (schema: string) =>
  `SELECT namespace_name, relation_name, identity_name, identity_type
FROM svv_relation_privileges
WHERE namespace_name = ${rsLiteral(schema)} AND privilege_type = 'SELECT'`;

// pg_get_late_binding_view_cols() is a leader-node table function; its column list must be declared.
export const LATE_BINDING_COLUMNS_SQL = `SELECT view_schema, view_name, col_name, col_type, col_num
FROM pg_get_late_binding_view_cols() cols(view_schema name, view_name name, col_name name, col_type varchar, col_num int)`;

const IDENTITY_TYPES = new Set(["user", "role", "group", "public"]);

export const REDSHIFT_READS: PlatformReads = {
  name: "redshift",
  async relationGrants(q, schema) {
    const rows = await q<{ namespace_name: string; relation_name: string; identity_name: string; identity_type: string }>(
      RELATION_GRANTS_SQL(schema),
    );
    return rows.map((r) => ({
      schema: r.namespace_name,
      relation: r.relation_name,
      identityName: r.identity_name,
      // An unknown grantee kind is kept as a role: reported, and revoked with the ROLE keyword.
      identityType: (IDENTITY_TYPES.has(r.identity_type.trim()) ? r.identity_type.trim() : "role") as RelationGrant["identityType"],
    }));
  },
  async lateBindingColumns(q) {
    const rows = await q<{ view_schema: string; view_name: string; col_name: string; col_type: string; col_num: number }>(
      LATE_BINDING_COLUMNS_SQL,
    );
    return rows.map((r) => ({
      schema: r.view_schema,
      view: r.view_name,
      name: r.col_name,
      dataType: r.col_type,
      ordinal: Number(r.col_num),
    }));
  },
  adaptStatement: (sql) => sql,
};
