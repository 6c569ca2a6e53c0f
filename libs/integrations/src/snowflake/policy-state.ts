/**
 * Reads Steward's data-policy state from `<policy database>.STEWARD_SYSTEM`: which system objects
 * exist, the profile rows, the salt, Steward's masking / row access policies (prefix + managed
 * comment) and where each is attached (POLICY_REFERENCES, real time, unlike ACCOUNT_USAGE).
 * A missing schema is a fresh connection: nothing stored, nothing attached.
 */
import { qualifiedSnowflake, quoteSnowflakeIdent, quoteSnowflakeLiteral } from "../sql/quote";
import type { SfQuery, SfRow } from "./client";
import { MANAGED_COMMENT } from "./naming";
import type { Attachment, PolicyKind, PolicyState } from "./policies";
import { POLICY_SCHEMA, PROFILE_TABLE, SALT_TABLE, USER_PROFILE_VIEW } from "./policy-dialect";
import type { StoredProfile } from "./profile";

export type SfPolicyState = PolicyState & {
  /** All of PROFILE, USER_PROFILE and HASH_SALT exist (else the idempotent system statements run). */
  systemComplete: boolean;
  profiles: StoredProfile[];
  salt: string[];
};

const str = (r: SfRow, k: string) => (r[k] === null || r[k] === undefined ? "" : String(r[k]));

/**
 * ARRAY columns are read as TO_JSON text, so the result does not depend on whether the driver
 * parses semi-structured values itself.
 */
function jsonArray(value: unknown): string[] {
  if (value === null || value === undefined || value === "") return [];
  const parsed: unknown = typeof value === "string" ? JSON.parse(value) : value;
  return Array.isArray(parsed) ? parsed.map(String).sort() : [];
}

export async function readPolicyState(q: SfQuery, db: string, prefix: string): Promise<SfPolicyState> {
  const state: SfPolicyState = { systemComplete: false, profiles: [], salt: [], policies: new Map(), attachments: [] };
  const schemas = await q(`SHOW SCHEMAS LIKE ${quoteSnowflakeLiteral(POLICY_SCHEMA)} IN DATABASE ${quoteSnowflakeIdent(db)}`);
  if (!schemas.some((r) => str(r, "name") === POLICY_SCHEMA)) return state;
  const schema = qualifiedSnowflake(db, POLICY_SCHEMA);
  const objects = new Set((await q(`SHOW OBJECTS IN SCHEMA ${schema}`)).map((r) => `${str(r, "kind")}:${str(r, "name")}`));
  const hasProfile = objects.has(`TABLE:${PROFILE_TABLE}`);
  const hasSalt = objects.has(`TABLE:${SALT_TABLE}`);
  state.systemComplete = hasProfile && hasSalt && objects.has(`VIEW:${USER_PROFILE_VIEW}`);
  if (hasProfile)
    for (const r of await q(
      `SELECT "account", "user_id", "username", TO_JSON("groups") AS "groups", TO_JSON("attributes") AS "attributes", TO_JSON("purposes") AS "purposes", TO_JSON("sources") AS "sources", "project_id" FROM ${qualifiedSnowflake(db, POLICY_SCHEMA, PROFILE_TABLE)}`,
    ))
      state.profiles.push({
        account: str(r, "account"),
        userId: str(r, "user_id"),
        username: str(r, "username"),
        groups: jsonArray(r.groups),
        attributes: jsonArray(r.attributes),
        purposes: jsonArray(r.purposes),
        sources: jsonArray(r.sources),
        projectId: r.project_id === null || r.project_id === undefined ? null : String(r.project_id),
      });
  if (hasSalt) state.salt = (await q(`SELECT "salt" FROM ${qualifiedSnowflake(db, POLICY_SCHEMA, SALT_TABLE)}`)).map((r) => str(r, "salt"));

  const policies = new Map<string, PolicyKind>();
  for (const [kind, show] of [
    ["MASKING_POLICY", "MASKING POLICIES"],
    ["ROW_ACCESS_POLICY", "ROW ACCESS POLICIES"],
  ] as const)
    for (const r of await q(`SHOW ${show} IN SCHEMA ${schema}`)) {
      const name = str(r, "name");
      // Only Steward's own: the prefix of this connection and the managed comment.
      if (name.startsWith(prefix) && str(r, "comment") === MANAGED_COMMENT) policies.set(name, kind);
    }
  const attachments: Attachment[] = [];
  for (const [name, kind] of policies) {
    const qualified = qualifiedSnowflake(db, POLICY_SCHEMA, name);
    for (const r of await q(
      `SELECT REF_DATABASE_NAME, REF_SCHEMA_NAME, REF_ENTITY_NAME, REF_COLUMN_NAME, POLICY_KIND FROM TABLE(${quoteSnowflakeIdent(db)}.INFORMATION_SCHEMA.POLICY_REFERENCES(POLICY_NAME => ${quoteSnowflakeLiteral(qualified)}))`,
    ))
      attachments.push({
        kind,
        policy: name,
        table: [str(r, "REF_DATABASE_NAME"), str(r, "REF_SCHEMA_NAME"), str(r, "REF_ENTITY_NAME")],
        column: kind === "MASKING_POLICY" ? str(r, "REF_COLUMN_NAME") : null,
      });
  }
  return { ...state, policies, attachments };
}
