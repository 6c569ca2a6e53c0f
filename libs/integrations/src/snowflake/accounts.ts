import type { AccountRules } from "../adapter";
import { SNOWFLAKE_MAX_IDENTIFIER_CHARS } from "../sql/quote";

/**
 * Snowflake user names as SHOW USERS prints them. Steward always quotes, so the name is taken exactly
 * (a user created unquoted is stored, and must be mapped, in upper case): two spellings differing in
 * case are two users, and `canonical` is the name itself.
 */
export function snowflakeAccountRulesFor(opts: { reconcilingUser?: string } = {}): AccountRules {
  return {
    validate(name) {
      if (typeof name !== "string" || name.length === 0) return "must not be empty";
      if (/\p{Cc}/u.test(name)) return "must not contain control characters";
      if (!name.isWellFormed()) return "must be well-formed Unicode";
      if ([...name].length > SNOWFLAKE_MAX_IDENTIFIER_CHARS) return `must be at most ${SNOWFLAKE_MAX_IDENTIFIER_CHARS} characters`;
      if (opts.reconcilingUser !== undefined && name === opts.reconcilingUser)
        return "is the user Steward itself connects as on this connection";
      return null;
    },
    canonical: (name) => name,
  };
}

export const snowflakeAccountRules: AccountRules = snowflakeAccountRulesFor();
