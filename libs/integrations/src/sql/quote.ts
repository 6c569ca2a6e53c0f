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
 * Trino's quoting (its SQL lexer): a delimited identifier is `"` + name with every `"` doubled + `"`,
 * a string literal `'` + value with every `'` doubled + `'` (no backslash escapes exist). Trino keeps
 * no NUL in names or values we could round-trip, and names are capped at 255 characters (code
 * points) here so a runaway name is refused rather than sent.
 */
export const TRINO_MAX_IDENTIFIER_CHARS = 255;

export function quoteTrinoIdent(name: string): string {
  if (typeof name !== "string" || name.length === 0) throw new UnsafeIdentifierError("identifier must be a non-empty string");
  if (name.includes("\0")) throw new UnsafeIdentifierError("identifier must not contain NUL");
  if (!name.isWellFormed()) throw new UnsafeIdentifierError("identifier is not well-formed UTF-16 (lone surrogate)");
  if ([...name].length > TRINO_MAX_IDENTIFIER_CHARS)
    throw new UnsafeIdentifierError(`identifier is longer than ${TRINO_MAX_IDENTIFIER_CHARS} characters: ${JSON.stringify(name.slice(0, 80))}`);
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"catalog"."schema"."table"`, each part through `quoteTrinoIdent`. */
export function qualifiedTrino(...parts: string[]): string {
  if (parts.length === 0) throw new UnsafeIdentifierError("qualified name needs at least one part");
  return parts.map((p) => quoteTrinoIdent(p)).join(".");
}

export function quoteTrinoLiteral(value: string): string {
  if (typeof value !== "string") throw new UnsafeIdentifierError("literal must be a string");
  if (value.includes("\0")) throw new UnsafeIdentifierError("literal must not contain NUL");
  if (!value.isWellFormed()) throw new UnsafeIdentifierError("literal is not well-formed UTF-16");
  return `'${value.replaceAll("'", "''")}'`;
}
