/**
 * Reads Steward's data-policy state through the Statement Execution API:
 * - which of its tables exist in `<policy catalog>.steward_system` (information_schema.tables);
 * - its functions there (information_schema.routines): this connection's name prefix and the managed
 *   comment, the kind read from the name (`…m_` mask, `…rf_` row filter, policies.ts);
 * - where they are attached, per governed catalog (`<catalog>.information_schema.column_masks` and
 *   `row_filters`; columns MASK_CATALOG / MASK_SCHEMA / MASK_NAME, FILTER_CATALOG / FILTER_SCHEMA /
 *   FILTER_NAME as the Databricks SQL reference lists them);
 * - the profile rows (arrays read as to_json text), and the salt compared ON the warehouse: the answer
 *   holds two counts, never the salt.
 * A missing schema is a fresh connection: nothing stored, nothing attached.
 */
import { qualifiedDatabricks, quoteDatabricksIdent, quoteDatabricksLiteral } from "../sql/quote";
import { MANAGED_COMMENT, type UdfAttachment, type UdfKind, type UdfState } from "./policies";
import { POLICY_SCHEMA, PROFILE_TABLE, SALT_TABLE } from "./policy-dialect";
import { PROFILE_COLUMNS, PROFILE_SETS, SALT_PARAM, type SaltCheck, type StoredProfile } from "./profile";
import type { RunSql, SqlRow } from "./statement-client";

export type DbxPolicyState = UdfState & {
  /** Both the profile and the salt table exist (else the idempotent system statements run). */
  systemComplete: boolean;
  profiles: StoredProfile[];
  /** null when the salt table is missing. */
  salt: SaltCheck | null;
};

const str = (r: SqlRow, k: string) => r[k] ?? "";
const id = quoteDatabricksIdent;
const lit = quoteDatabricksLiteral;
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function jsonArray(value: string | null): string[] {
  if (value === null || value === "") return [];
  const parsed: unknown = JSON.parse(value);
  return Array.isArray(parsed) ? parsed.map(String).sort() : [];
}

/** A function's kind from its name (policies.ts names them), or null when it is not this connection's. */
export function kindOf(name: string, prefix: string): UdfKind | null {
  if (!name.startsWith(prefix)) return null;
  const rest = name.slice(prefix.length);
  return rest.startsWith("m_") ? "COLUMN_MASK" : rest.startsWith("rf_") ? "ROW_FILTER" : null;
}

/**
 * `catalogs`: where attachments are looked for (the governed ones). An attachment of Steward's in a
 * catalog no longer governed is not seen, so its function is then reported as unused and its DROP
 * refused by the warehouse while it is attached (docs/platforms/unity-catalog.md).
 */
export async function readPolicyState(
  run: RunSql,
  policyCatalog: string,
  prefix: string,
  catalogs: readonly string[],
  salt: string,
): Promise<DbxPolicyState> {
  const state: DbxPolicyState = { systemComplete: false, profiles: [], salt: null, udfs: new Map(), attachments: [] };
  const info = (catalog: string, view: string) => qualifiedDatabricks(catalog, "information_schema", view);
  const tables = new Set(
    (await run(`SELECT ${id("table_name")} FROM ${info(policyCatalog, "tables")} WHERE ${id("table_schema")} = ${lit(POLICY_SCHEMA)}`)).map(
      (r) => str(r, "table_name").toLowerCase(),
    ),
  );
  const hasProfile = tables.has(PROFILE_TABLE);
  const hasSalt = tables.has(SALT_TABLE);
  state.systemComplete = hasProfile && hasSalt;

  if (hasProfile) {
    const items = PROFILE_COLUMNS.map((c) =>
      (PROFILE_SETS as readonly string[]).includes(c) ? `to_json(${id(c)}) AS ${id(c)}` : id(c),
    ).join(", ");
    for (const r of await run(`SELECT ${items} FROM ${qualifiedDatabricks(policyCatalog, POLICY_SCHEMA, PROFILE_TABLE)}`))
      state.profiles.push({
        account: str(r, "account"),
        userId: str(r, "user_id"),
        username: str(r, "username"),
        groups: jsonArray(r.groups ?? null),
        attributes: jsonArray(r.attributes ?? null),
        purposes: jsonArray(r.purposes ?? null),
        sources: jsonArray(r.sources ?? null),
        projectId: r.project_id ?? null,
      });
  }
  if (hasSalt) {
    const [r] = await run(
      `SELECT count(*) AS ${id("stored")}, count_if(${id("salt")} = :${SALT_PARAM}) AS ${id("matching")} FROM ${qualifiedDatabricks(policyCatalog, POLICY_SCHEMA, SALT_TABLE)}`,
      { [SALT_PARAM]: salt },
    );
    state.salt = { stored: Number(r?.stored ?? 0), matching: Number(r?.matching ?? 0) };
  }

  const udfs = new Map<string, UdfKind>();
  for (const r of await run(
    `SELECT ${id("routine_name")}, ${id("comment")} FROM ${info(policyCatalog, "routines")} WHERE ${id("routine_schema")} = ${lit(POLICY_SCHEMA)}`,
  )) {
    const name = str(r, "routine_name");
    const kind = kindOf(name, prefix);
    // Only Steward's own: this connection's prefix and the managed comment.
    if (kind && str(r, "comment") === MANAGED_COMMENT) udfs.set(name, kind);
  }
  const ours = (catalog: string, schema: string, name: string) =>
    same(catalog, policyCatalog) && same(schema, POLICY_SCHEMA) && udfs.has(name);
  const attachments: UdfAttachment[] = [];
  for (const catalog of catalogs) {
    for (const r of await run(
      `SELECT ${["catalog_name", "schema_name", "table_name", "column_name", "mask_catalog", "mask_schema", "mask_name"].map(id).join(", ")} FROM ${info(catalog, "column_masks")} WHERE ${id("mask_schema")} = ${lit(POLICY_SCHEMA)}`,
    ))
      if (ours(str(r, "mask_catalog"), str(r, "mask_schema"), str(r, "mask_name")))
        attachments.push({
          kind: "COLUMN_MASK",
          udf: str(r, "mask_name"),
          table: [str(r, "catalog_name"), str(r, "schema_name"), str(r, "table_name")],
          column: str(r, "column_name"),
        });
    for (const r of await run(
      `SELECT ${["catalog_name", "schema_name", "table_name", "filter_catalog", "filter_schema", "filter_name"].map(id).join(", ")} FROM ${info(catalog, "row_filters")} WHERE ${id("filter_schema")} = ${lit(POLICY_SCHEMA)}`,
    ))
      if (ours(str(r, "filter_catalog"), str(r, "filter_schema"), str(r, "filter_name")))
        attachments.push({
          kind: "ROW_FILTER",
          udf: str(r, "filter_name"),
          table: [str(r, "catalog_name"), str(r, "schema_name"), str(r, "table_name")],
          column: null,
        });
  }
  return { ...state, udfs, attachments };
}
