import type { AccountRules } from "../adapter";
import { foldIdent, REDSHIFT_MAX_IDENTIFIER_BYTES } from "./sql";

// Names Redshift keeps for itself or reads as keywords in a grantee list: `rdsdb` is the cluster's
// own superuser, `PUBLIC` means everyone, and the current_/session_ words name the caller.
export const REDSHIFT_RESERVED_ACCOUNTS = [
  "public",
  "rdsdb",
  "rdsadmin",
  "current_user",
  "session_user",
  "current_user_id",
  "user",
  "group",
  "role",
] as const;
const RESERVED = new Set<string>(REDSHIFT_RESERVED_ACCOUNTS);
export const STEWARD_PREFIX = "stw_";

/**
 * Redshift user names: folded to lower case (ASCII letters only, quoted or not, with the default
 * `enable_case_sensitive_identifier = false`), so `Alice` and `alice` are one user and `canonical`
 * is the folded name; at most 127 bytes of UTF-8; no control characters.
 */
export function redshiftAccountRulesFor(opts: { reconcilingUser?: string } = {}): AccountRules {
  return {
    validate(name) {
      if (typeof name !== "string" || name.length === 0) return "must not be empty";
      if (/\p{Cc}/u.test(name)) return "must not contain control characters";
      if (!name.isWellFormed()) return "must be well-formed Unicode";
      if (Buffer.byteLength(name, "utf8") > REDSHIFT_MAX_IDENTIFIER_BYTES) return `must be at most ${REDSHIFT_MAX_IDENTIFIER_BYTES} bytes`;
      const folded = foldIdent(name);
      if (RESERVED.has(folded)) return `"${name}" is a reserved Redshift name`;
      if (folded.startsWith("pg_")) return "the pg_ prefix is reserved by Redshift";
      if (folded.startsWith(STEWARD_PREFIX)) return `the ${STEWARD_PREFIX} prefix is reserved for Steward`;
      if (opts.reconcilingUser !== undefined && folded === foldIdent(opts.reconcilingUser))
        return "is the user Steward itself connects as on this connection";
      return null;
    },
    canonical: foldIdent,
  };
}

export const redshiftAccountRules: AccountRules = redshiftAccountRulesFor();
