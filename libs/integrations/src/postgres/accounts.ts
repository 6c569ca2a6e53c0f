import type { AccountRules } from "../adapter";

/** Names PostgreSQL reserves or Steward owns; compared case-insensitively (`PUBLIC` is as bad as `public`). */
export const POSTGRES_RESERVED_ACCOUNTS = ["public", "none", "current_user", "session_user", "current_role", "postgres"] as const;
const RESERVED_PREFIXES = ["pg_", "stw_"];

/** PostgreSQL role names Steward may map a user to (minimal version; the accounts work extends it). */
export const postgresAccountRules: AccountRules = {
  validate(name) {
    const bytes = Buffer.byteLength(name, "utf8");
    if (bytes === 0 || bytes > 63) return "must be 1 to 63 bytes";
    if (name.includes("\0")) return "must not contain NUL";
    const lower = name.toLowerCase();
    if ((POSTGRES_RESERVED_ACCOUNTS as readonly string[]).includes(lower)) return `"${name}" is reserved by PostgreSQL`;
    const prefix = RESERVED_PREFIXES.find((p) => lower.startsWith(p));
    if (prefix) return `names starting with ${prefix} are reserved`;
    return null;
  },
  // Quoted role names are case-sensitive: the exact spelling is the identity.
  canonical: (name) => name,
};
