/**
 * Reads what Steward's objects in one database look like now. Every query here except the relation
 * grants reads `pg_catalog` or Steward's own tables and runs on PostgreSQL too; the grants come from
 * `PlatformReads` (svv_relation_privileges on Redshift).
 */
import type { PlatformReads, RelationGrant } from "./catalog-reads";
import type { RsQuery } from "./client";
import { SYSTEM_SCHEMA } from "./config";
import { PROFILE_COLUMNS, PROFILE_TABLE, type StoredProfile } from "./profile";
import { rsIdent, rsLiteral, rsQualified } from "./sql";
import { MANAGED_VIEW_TABLE, SALT_TABLE } from "./system";

export type ManagedView = { schema: string; view: string; sourceId: string; ddlHash: string; definitionHash: string | null };

export type CurrentState = {
  schemas: Set<string>;
  /** Relations of the system schema: name → relkind. */
  systemRelations: Map<string, string>;
  profiles: Map<string, StoredProfile>;
  salt: string | null;
  /** Keyed by viewKey(schema, view). */
  managed: Map<string, ManagedView>;
  /** pg_views.definition of every view in the system and view schemas, keyed by viewKey. */
  definitions: Map<string, string>;
  users: Set<string>;
  grants: RelationGrant[];
};

export const viewKey = (schema: string, view: string) => `${schema}\u0000${view}`;

export const emptyState = (): CurrentState => ({
  schemas: new Set(),
  systemRelations: new Map(),
  profiles: new Map(),
  salt: null,
  managed: new Map(),
  definitions: new Map(),
  users: new Set(),
  grants: [],
});

export async function readState(q: RsQuery, reads: PlatformReads, viewSchema: string): Promise<CurrentState> {
  const state = emptyState();
  const schemas = [SYSTEM_SCHEMA, viewSchema].map(rsLiteral).join(", ");
  for (const r of await q<{ nspname: string }>(`SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname IN (${schemas})`))
    state.schemas.add(r.nspname);
  for (const r of await q<{ relname: string; relkind: string }>(
    `SELECT c.relname, c.relkind FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ${rsLiteral(SYSTEM_SCHEMA)}`,
  ))
    state.systemRelations.set(r.relname, r.relkind);
  for (const r of await q<{ usename: string }>("SELECT usename FROM pg_catalog.pg_user")) state.users.add(r.usename);
  for (const r of await q<{ schemaname: string; viewname: string; definition: string | null }>(
    `SELECT schemaname, viewname, definition FROM pg_catalog.pg_views WHERE schemaname IN (${schemas})`,
  ))
    state.definitions.set(viewKey(r.schemaname, r.viewname), r.definition ?? "");

  const sys = (t: string) => rsQualified(SYSTEM_SCHEMA, t);
  if (state.systemRelations.get(PROFILE_TABLE) === "r")
    for (const r of await q<StoredProfile>(`SELECT ${PROFILE_COLUMNS.map(rsIdent).join(", ")} FROM ${sys(PROFILE_TABLE)}`))
      state.profiles.set(r.account, r);
  if (state.systemRelations.get(SALT_TABLE) === "r") {
    const salts = await q<{ salt: string }>(`SELECT ${rsIdent("salt")} FROM ${sys(SALT_TABLE)}`);
    // More than one row is drift too: the planner rewrites the table whenever it is not exactly one row.
    state.salt = salts.length === 1 ? salts[0]!.salt : null;
  }
  if (state.systemRelations.get(MANAGED_VIEW_TABLE) === "r")
    for (const r of await q<{
      schema_name: string;
      view_name: string;
      source_id: string;
      ddl_hash: string;
      definition_hash: string | null;
    }>(`SELECT schema_name, view_name, source_id, ddl_hash, definition_hash FROM ${sys(MANAGED_VIEW_TABLE)}`))
      state.managed.set(viewKey(r.schema_name, r.view_name), {
        schema: r.schema_name,
        view: r.view_name,
        sourceId: r.source_id,
        ddlHash: r.ddl_hash,
        definitionHash: r.definition_hash,
      });
  for (const schema of state.schemas) state.grants.push(...(await reads.relationGrants(q, schema)));
  return state;
}
