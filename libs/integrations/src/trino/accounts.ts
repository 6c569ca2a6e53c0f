import type { AccountRules } from "../adapter";

/**
 * Trino user names are whatever the authenticator produced (case-sensitive strings). Steward refuses
 * only what cannot be a user name: empty, control characters, over 255 characters.
 */
export const trinoAccountRules: AccountRules = {
  validate: (name) => (name.length === 0 || name.length > 255 || /\p{Cc}/u.test(name) ? "must be 1 to 255 printable characters" : null),
  canonical: (name) => name,
};
