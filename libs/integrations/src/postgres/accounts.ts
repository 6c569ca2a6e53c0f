import type { AccountRules } from "../adapter";
import { PG_MAX_IDENTIFIER_BYTES } from "../sql/quote";
import { ROLE_PREFIX } from "./grants/naming";

export type { AccountRules };

// Role specifications PostgreSQL reads as keywords (GRANT … TO current_user means the caller), plus
// the bootstrap superuser: an account with one of these names would grant to someone else entirely.
export const POSTGRES_RESERVED_ACCOUNTS = [
  "public",
  "none",
  "current_user",
  "session_user",
  "current_role",
  "current_catalog",
  "current_schema",
  "system_user",
  "postgres",
] as const;
const RESERVED = new Set<string>(POSTGRES_RESERVED_ACCOUNTS);

/**
 * PostgreSQL account rules. Steward always quotes role names, so `Alice` and `alice` are two roles
 * and `canonical` is the name itself; the reserved-word checks are case-insensitive anyway because a
 * person (or a tool that does not quote) reading `PUBLIC` or `Current_User` means the keyword.
 * `reconcilingUser` is the connection's own role: mapping a person onto it would hand them the
 * reconciler's rights.
 */
export function postgresAccountRulesFor(opts: { reconcilingUser?: string } = {}): AccountRules {
  return {
    validate(name) {
      if (typeof name !== "string" || name.length === 0) return "must not be empty";
      if (name.includes("\0")) return "must not contain a NUL character";
      if (!name.isWellFormed()) return "must be well-formed Unicode";
      if (Buffer.byteLength(name, "utf8") > PG_MAX_IDENTIFIER_BYTES)
        return `must be at most ${PG_MAX_IDENTIFIER_BYTES} bytes (PostgreSQL would truncate it)`;
      const lower = name.toLowerCase();
      if (RESERVED.has(lower)) return `"${name}" is a reserved PostgreSQL role name`;
      if (lower.startsWith("pg_")) return "the pg_ prefix is reserved for PostgreSQL's own roles";
      if (lower.startsWith(ROLE_PREFIX)) return `the ${ROLE_PREFIX} prefix is reserved for Steward's own roles`;
      if (opts.reconcilingUser !== undefined && name === opts.reconcilingUser)
        return "is the role Steward itself connects as on this connection";
      return null;
    },
    canonical: (name) => name,
  };
}

export const postgresAccountRules: AccountRules = postgresAccountRulesFor();
