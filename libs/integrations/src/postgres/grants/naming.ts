import { createHash } from "node:crypto";
import { quoteIdent, UnsafeIdentifierError } from "../../sql/quote";
import { type DesiredState, GrantsInputError } from "./types";

/**
 * Role names. Steward's roles are cluster-wide but their grants live in one database, so every name
 * carries a scope hash of (connection, database): two databases of one connection never share a
 * role and a reconcile of one database cannot disturb the memberships the other relies on.
 * Names stay far below 63 bytes (PostgreSQL would silently truncate longer ones).
 */
export const ROLE_PREFIX = "stw_";
/** Stored with COMMENT ON ROLE; a role is Steward's only with the prefix *and* this exact comment. */
export const MANAGED_MARKER = "managed by steward";

const hex = (s: string, len: number) => createHash("sha256").update(s).digest("hex").slice(0, len);

/** `stw_1a2b3c4d_` — every managed role of one (connection, database) starts with it. */
export function scopePrefix(connectionId: string, database: string): string {
  return `${ROLE_PREFIX}${hex(`${connectionId}\0${database}`, 8)}_`;
}

/** Holds CONNECT on the database; every schema role is a member. */
export const databaseRoleName = (prefix: string) => `${prefix}db`;
/** Holds USAGE on one schema; group roles with objects there are members. */
export const schemaRoleName = (prefix: string, schema: string) => `${prefix}s_${hex(schema, 10)}`;

/**
 * First-choice name of a new access-set role: level letter + hash of the sorted member list. Only
 * used when the role is created; afterwards the role keeps its name while its members change
 * (see docs/postgres-grants.md), so `attempt` disambiguates a name already in use.
 */
export function groupRoleName(prefix: string, level: "r" | "w", sortedMembers: readonly string[], attempt = 0): string {
  const seed = sortedMembers.join("\n") + (attempt === 0 ? "" : `\n#${attempt}`);
  return `${prefix}${level}_${hex(seed, 10)}`;
}

export type ManagedRoleKind = { kind: "database" } | { kind: "schema" } | { kind: "group"; level: "r" | "w" } | { kind: "unknown" };

export function parseManagedRole(prefix: string, role: string): ManagedRoleKind {
  if (!role.startsWith(prefix)) return { kind: "unknown" };
  const rest = role.slice(prefix.length);
  if (rest === "db") return { kind: "database" };
  if (rest.startsWith("s_")) return { kind: "schema" };
  if (rest.startsWith("r_")) return { kind: "group", level: "r" };
  if (rest.startsWith("w_")) return { kind: "group", level: "w" };
  return { kind: "unknown" };
}

/**
 * The comment on a LOGIN role Steward created for a user of one connection. It starts with the
 * marker and names the connection, so that only the connection that created a login ever disables
 * or restores it (two connections to one cluster may map users differently).
 */
export const userMarker = (connectionId: string) => `${MANAGED_MARKER}: login for connection ${connectionId}`;

/**
 * Rejects names that cannot be quoted, with one message listing the first problems. Users are not
 * checked here: an unusable user is skipped by `withoutUnusableUsers`, never fatal for everyone.
 */
export function validateDesired(desired: DesiredState): void {
  const problems: string[] = [];
  const check = (what: string, name: string) => {
    try {
      quoteIdent(name);
    } catch (err) {
      if (!(err instanceof UnsafeIdentifierError)) throw err;
      problems.push(`${what} ${JSON.stringify(name.slice(0, 80))}: ${err.message}`);
    }
  };
  if (!desired.connectionId) problems.push("connectionId must not be empty");
  if (!Number.isSafeInteger(desired.version) || desired.version < 0) problems.push("version must be a non-negative integer");
  check("database", desired.database);
  const ids = new Set<string>();
  for (const o of desired.objects) {
    if (ids.has(o.id)) problems.push(`duplicate object id ${JSON.stringify(o.id)}`);
    ids.add(o.id);
    check("schema", o.schema);
    check("object", o.name);
  }
  if (problems.length > 0) {
    const more = problems.length > 10 ? ` (and ${problems.length - 10} more)` : "";
    throw new GrantsInputError(`invalid desired state: ${problems.slice(0, 10).join("; ")}${more}`);
  }
}
