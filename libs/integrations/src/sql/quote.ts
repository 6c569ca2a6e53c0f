/**
 * THE audited quoting functions for SQL sent to data platforms. Every identifier that reaches SQL goes
 * through `quoteIdent` (or `qualified`); values go as bind parameters, or through `quoteLiteral` where a
 * statement cannot take parameters (DDL). Reviewed against PostgreSQL's lexer rules:
 * - a quoted identifier is `"` + name with every `"` doubled + `"`; nothing else is special inside;
 * - NUL cannot appear in an identifier or a text value at all, so it is rejected, never stripped;
 * - names longer than 63 bytes are silently truncated by PostgreSQL (two long names could collide),
 *   so they are rejected instead of being sent;
 * - standard_conforming_strings is on since 9.1, so inside '…' only `'` is special; we still refuse
 *   backslash-escaping E'' strings by never producing them.
 */
export class UnsafeIdentifierError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsafeIdentifierError";
  }
}

export const PG_MAX_IDENTIFIER_BYTES = 63;

export function quoteIdent(name: string, maxBytes = PG_MAX_IDENTIFIER_BYTES): string {
  if (typeof name !== "string" || name.length === 0) throw new UnsafeIdentifierError("identifier must be a non-empty string");
  if (name.includes("\0")) throw new UnsafeIdentifierError("identifier must not contain NUL");
  if (Buffer.byteLength(name, "utf8") > maxBytes) {
    throw new UnsafeIdentifierError(
      `identifier is longer than ${maxBytes} bytes and would be truncated: ${JSON.stringify(name.slice(0, 80))}`,
    );
  }
  if (!name.isWellFormed()) throw new UnsafeIdentifierError("identifier is not well-formed UTF-16 (lone surrogate)");
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."table"` (or any dotted path), each part quoted. */
export function qualified(...parts: string[]): string {
  if (parts.length === 0) throw new UnsafeIdentifierError("qualified name needs at least one part");
  return parts.map((p) => quoteIdent(p)).join(".");
}

export function quoteLiteral(value: string): string {
  if (value.includes("\0")) throw new UnsafeIdentifierError("literal must not contain NUL");
  if (!value.isWellFormed()) throw new UnsafeIdentifierError("literal is not well-formed UTF-16");
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Trino (and Starburst). Reviewed against Trino's SqlBase grammar: a quoted identifier is `"` + name
 * with every `"` doubled + `"` (QUOTED_IDENTIFIER: '"' ( ~'"' | '""' )* '"'); nothing else is special
 * inside, so backslashes and unicode pass through. Trino has no fixed identifier length, but catalogs
 * behind it do (and no real name is longer), so names over 255 characters are refused rather than
 * sent; NUL and lone surrogates cannot be encoded in the UTF-8 request body and are refused too.
 * Note that Trino folds even quoted identifiers to lower case for most connectors: quoting keeps a
 * name's characters intact, not its case.
 */
export const TRINO_MAX_IDENTIFIER_CHARS = 255;

export function quoteTrinoIdent(name: string): string {
  if (typeof name !== "string" || name.length === 0) throw new UnsafeIdentifierError("Trino identifier must be a non-empty string");
  if (name.includes("\0")) throw new UnsafeIdentifierError("Trino identifier must not contain NUL");
  if (!name.isWellFormed()) throw new UnsafeIdentifierError("Trino identifier is not well-formed UTF-16 (lone surrogate)");
  if ([...name].length > TRINO_MAX_IDENTIFIER_CHARS) {
    throw new UnsafeIdentifierError(
      `Trino identifier is longer than ${TRINO_MAX_IDENTIFIER_CHARS} characters: ${JSON.stringify(name.slice(0, 80))}`,
    );
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"catalog"."schema"."table"`, each part through quoteTrinoIdent. */
export function qualifiedTrino(...parts: string[]): string {
  if (parts.length === 0) throw new UnsafeIdentifierError("qualified Trino name needs at least one part");
  return parts.map((p) => quoteTrinoIdent(p)).join(".");
}

/**
 * A Trino string literal (STRING: '\'' ( ~'\'' | '\'\'' )* '\''): `'` doubled, no backslash escapes
 * exist in this form (we never produce U&'…'), so nothing else needs escaping.
 */
export function quoteTrinoLiteral(value: string): string {
  if (typeof value !== "string") throw new UnsafeIdentifierError("Trino literal must be a string");
  if (value.includes("\0")) throw new UnsafeIdentifierError("Trino literal must not contain NUL");
  if (!value.isWellFormed()) throw new UnsafeIdentifierError("Trino literal is not well-formed UTF-16");
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Snowflake. Reviewed against Snowflake's identifier and string-constant rules:
 * - a double-quoted identifier is `"` + name with every `"` doubled + `"`; inside it nothing else is
 *   special (no backslash escapes), case is kept exactly, and the name may hold any Unicode character
 *   but NUL; quoted identifiers are limited to 255 characters, so longer names are refused, never sent;
 * - a single-quoted string constant DOES interpret backslash escape sequences (`\'`, `\\`, `\n`, …),
 *   so both `\` and `'` are doubled; NUL and lone surrogates cannot reach the server and are refused.
 * Unquoted identifiers fold to upper case, so Steward always quotes: what it sends is what SHOW shows.
 */
export const SNOWFLAKE_MAX_IDENTIFIER_CHARS = 255;

export function quoteSnowflakeIdent(name: string): string {
  if (typeof name !== "string" || name.length === 0) throw new UnsafeIdentifierError("Snowflake identifier must be a non-empty string");
  if (name.includes("\0")) throw new UnsafeIdentifierError("Snowflake identifier must not contain NUL");
  if (!name.isWellFormed()) throw new UnsafeIdentifierError("Snowflake identifier is not well-formed UTF-16 (lone surrogate)");
  if ([...name].length > SNOWFLAKE_MAX_IDENTIFIER_CHARS) {
    throw new UnsafeIdentifierError(
      `Snowflake identifier is longer than ${SNOWFLAKE_MAX_IDENTIFIER_CHARS} characters: ${JSON.stringify(name.slice(0, 80))}`,
    );
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"DB"."SCHEMA"."TABLE"`, each part through quoteSnowflakeIdent. */
export function qualifiedSnowflake(...parts: string[]): string {
  if (parts.length === 0) throw new UnsafeIdentifierError("qualified Snowflake name needs at least one part");
  return parts.map((p) => quoteSnowflakeIdent(p)).join(".");
}

/** A Snowflake string constant: backslash and quote doubled (backslash escapes are live in '…'). */
export function quoteSnowflakeLiteral(value: string): string {
  if (typeof value !== "string") throw new UnsafeIdentifierError("Snowflake literal must be a string");
  if (value.includes("\0")) throw new UnsafeIdentifierError("Snowflake literal must not contain NUL");
  if (!value.isWellFormed()) throw new UnsafeIdentifierError("Snowflake literal is not well-formed UTF-16");
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}

/**
 * Databricks SQL (Unity Catalog). Reviewed against the Databricks SQL identifier and string-literal
 * rules:
 * - a delimited identifier is `` ` `` + name with every `` ` `` doubled + `` ` ``; inside it nothing
 *   else is special (no backslash escapes), so dots, spaces, `"` and unicode stay part of one name;
 * - UC object names are at most 255 characters, so longer names are refused, never sent; NUL and
 *   lone surrogates cannot be encoded in the UTF-8 request body and are refused too;
 * - a '…' string literal DOES interpret backslash escapes (`\'`, `\\`, `\n`, `\u…`; the default,
 *   `spark.sql.parser.escapedStringLiterals=false`, which Steward requires), so `\` is doubled and `'`
 *   is written `\'` (the escape every runtime reads; `''` inside a literal is newer syntax).
 * UC folds names to lower case; quoting keeps a name's characters, not its case.
 */
export const DATABRICKS_MAX_IDENTIFIER_CHARS = 255;

export function quoteDatabricksIdent(name: string): string {
  if (typeof name !== "string" || name.length === 0) throw new UnsafeIdentifierError("Databricks identifier must be a non-empty string");
  if (name.includes("\0")) throw new UnsafeIdentifierError("Databricks identifier must not contain NUL");
  if (!name.isWellFormed()) throw new UnsafeIdentifierError("Databricks identifier is not well-formed UTF-16 (lone surrogate)");
  if ([...name].length > DATABRICKS_MAX_IDENTIFIER_CHARS) {
    throw new UnsafeIdentifierError(
      `Databricks identifier is longer than ${DATABRICKS_MAX_IDENTIFIER_CHARS} characters: ${JSON.stringify(name.slice(0, 80))}`,
    );
  }
  return `\`${name.replaceAll("`", "``")}\``;
}

/** `` `catalog`.`schema`.`table` ``, each part through quoteDatabricksIdent. */
export function qualifiedDatabricks(...parts: string[]): string {
  if (parts.length === 0) throw new UnsafeIdentifierError("qualified Databricks name needs at least one part");
  return parts.map((p) => quoteDatabricksIdent(p)).join(".");
}

/** A Databricks string literal: backslash doubled and quote backslash-escaped (escapes are live in '…'). */
export function quoteDatabricksLiteral(value: string): string {
  if (typeof value !== "string") throw new UnsafeIdentifierError("Databricks literal must be a string");
  if (value.includes("\0")) throw new UnsafeIdentifierError("Databricks literal must not contain NUL");
  if (!value.isWellFormed()) throw new UnsafeIdentifierError("Databricks literal is not well-formed UTF-16");
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}
