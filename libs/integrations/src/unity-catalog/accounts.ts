import type { AccountRules } from "../adapter";

/**
 * UC principals are user names (e-mail addresses), service principals' application ids and group
 * names: any printable text. Databricks compares user names case-insensitively, so two spellings that
 * differ only in case are one principal.
 */
export const ucAccountRules: AccountRules = {
  validate: (name) =>
    name.length === 0 || name.length > 255 || /\p{Cc}/u.test(name) || !name.isWellFormed() ? "must be 1 to 255 printable characters" : null,
  canonical: (name) => name.toLowerCase(),
};
