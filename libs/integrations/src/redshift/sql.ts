/**
 * THE audited quoting for SQL sent to Redshift. Identifiers reuse the PostgreSQL quoting (same lexer
 * rule: `"` doubled inside `"…"`) with Redshift's 127-byte limit. Literals differ: Redshift keeps the
 * pre-9.1 PostgreSQL rule that a backslash escapes the next character inside '…' (its own
 * QUOTE_LITERAL doubles both `'` and `\`), so both are doubled here. Integration tests run these
 * literals on PostgreSQL with `standard_conforming_strings = off`, which reads them the same way.
 */
import { quoteIdent, UnsafeIdentifierError } from "../sql/quote";

export const REDSHIFT_MAX_IDENTIFIER_BYTES = 127;

export function rsIdent(name: string): string {
  return quoteIdent(name, REDSHIFT_MAX_IDENTIFIER_BYTES);
}

export function rsQualified(...parts: string[]): string {
  if (parts.length === 0) throw new UnsafeIdentifierError("qualified name needs at least one part");
  return parts.map(rsIdent).join(".");
}

export function rsLiteral(value: string): string {
  if (value.includes("\0")) throw new UnsafeIdentifierError("literal must not contain NUL");
  if (!value.isWellFormed()) throw new UnsafeIdentifierError("literal is not well-formed UTF-16");
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}

/** Redshift folds ASCII letters only (not Unicode ones) of identifiers to lower case. */
export function foldIdent(name: string): string {
  return name.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** A grantee as Redshift spells it: the ROLE / GROUP keyword is required, PUBLIC is a keyword. */
export type Grantee = { kind: "user" | "role" | "group"; name: string } | { kind: "public" };

export function rsGrantee(g: Grantee): string {
  switch (g.kind) {
    case "public":
      return "PUBLIC";
    case "user":
      return rsIdent(g.name);
    case "role":
      return `ROLE ${rsIdent(g.name)}`;
    case "group":
      return `GROUP ${rsIdent(g.name)}`;
  }
}
