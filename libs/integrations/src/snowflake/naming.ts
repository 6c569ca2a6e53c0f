import { createHash } from "node:crypto";
import { quoteSnowflakeIdent } from "../sql/quote";

/**
 * Role names. Snowflake roles are account-wide, so every Steward role of one connection starts with
 * `STW_<scope>_`, scope = 8 hex digits of sha256(connection id): two connections to one account never
 * touch each other's roles. A role is Steward's only with that prefix *and* the exact comment.
 * Names are upper case, so the quoted form Steward sends equals the unquoted form people type.
 */
export const ROLE_PREFIX = "STW_";
export const MANAGED_COMMENT = "managed by steward";

const hex = (s: string, len: number) => createHash("sha256").update(s).digest("hex").slice(0, len).toUpperCase();

export const scopePrefix = (connectionId: string) => `${ROLE_PREFIX}${hex(connectionId, 8)}_`;

export type SetLevel = "R" | "W";

/**
 * First-choice name of a new access-set role: level + hash of its sorted member list. Only used when
 * the role is created; it keeps its name while its members change (docs/platforms/snowflake.md).
 */
export function setRoleName(prefix: string, level: SetLevel, sortedMembers: readonly string[], attempt = 0): string {
  return `${prefix}${level}_${hex(sortedMembers.join("\n") + (attempt ? `\n#${attempt}` : ""), 10)}`;
}

/*
 * Roles of the design before 2026-12 (a role per user holding its access sets; USAGE roles per schema
 * and database). Steward creates none of them any more; a reconcile finds them (prefix + comment),
 * moves their effect into the access-set roles, then drops them. Their names are only parsed.
 */
export type ManagedRoleKind =
  | { kind: "set"; level: SetLevel }
  | { kind: "legacy-user" }
  | { kind: "legacy-container"; of: "DATABASE" | "SCHEMA" }
  | { kind: "unknown" };

export function parseManagedRole(prefix: string, role: string): ManagedRoleKind {
  if (!role.startsWith(prefix)) return { kind: "unknown" };
  const rest = role.slice(prefix.length);
  if (/^R_[0-9A-F]{10}$/.test(rest)) return { kind: "set", level: "R" };
  if (/^W_[0-9A-F]{10}$/.test(rest)) return { kind: "set", level: "W" };
  if (/^U_[0-9A-F]{12}$/.test(rest)) return { kind: "legacy-user" };
  if (/^D_[0-9A-F]{10}$/.test(rest)) return { kind: "legacy-container", of: "DATABASE" };
  if (/^S_[0-9A-F]{10}$/.test(rest)) return { kind: "legacy-container", of: "SCHEMA" };
  return { kind: "unknown" };
}

/**
 * How SHOW GRANTS prints an object name: each part bare when it reads back unchanged unquoted
 * (upper-case letters, digits, `_`, `$`), else double-quoted with `"` doubled. Desired objects are
 * keyed the same way so both sides compare as strings.
 */
export function showPart(part: string): string {
  return /^[A-Z_][A-Z0-9_$]*$/.test(part) ? part : quoteSnowflakeIdent(part);
}
export const showName = (parts: readonly string[]) => parts.map(showPart).join(".");
