/**
 * Integration tests only: answers the two Redshift-only reads (catalog-reads.ts) from PostgreSQL's
 * own catalogs, and drops the one clause PostgreSQL cannot parse (`WITH NO SCHEMA BINDING`) before a
 * statement runs. Everything else the adapter sends reaches PostgreSQL unchanged. The database must
 * have `standard_conforming_strings = off` so literals read the way Redshift reads them (backslash
 * escapes; see sql.ts).
 */
import type { PlatformReads, RelationGrant } from "../catalog-reads";
import { LATE_BINDING } from "../policy-dialect";
import { rsLiteral } from "../sql";

export const POSTGRES_EMULATION_READS: PlatformReads = {
  name: "postgres-emulation",
  async relationGrants(q, schema) {
    const rows = await q<{ schema: string; relation: string; grantee: string | null; can_login: boolean | null }>(
      `SELECT n.nspname AS schema, c.relname AS relation, r.rolname AS grantee, r.rolcanlogin AS can_login
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       CROSS JOIN LATERAL aclexplode(c.relacl) a LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
       WHERE n.nspname = ${rsLiteral(schema)} AND a.privilege_type = 'SELECT' AND a.grantee <> c.relowner`,
    );
    return rows.map(
      (r): RelationGrant => ({
        schema: r.schema,
        relation: r.relation,
        identityName: r.grantee ?? "PUBLIC",
        // PostgreSQL accepts `GROUP name` in grantee lists but not `ROLE name`, so NOLOGIN roles read as groups.
        identityType: r.grantee === null ? "public" : r.can_login ? "user" : "group",
      }),
    );
  },
  lateBindingColumns: async () => [],
  adaptStatement: (sql) => (sql.endsWith(`\n${LATE_BINDING}`) ? sql.slice(0, -LATE_BINDING.length - 1) : sql),
};
