/**
 * The lexical pass of the custom WHERE parser (where-parser.ts). Before the SQL parser sees the text,
 * it: refuses what must never reach it (`;`, comments, `$` parameters/dollar quotes, prefixed strings
 * such as E'…' whose escapes the parser would read differently than a database), replaces macros by
 * placeholder calls, and swaps every quoted string and quoted identifier for a short ASCII placeholder,
 * so the parser never has to agree with us on escaping rules — it only sees `'__steward_str_0'`.
 */
export const PLACEHOLDER_PREFIX = "__steward_";

export type Macro = "username" | "groupsContains" | "attributeValuesContains" | "purposesContain" | "columnTagged";
export const MACROS: readonly Macro[] = ["username", "groupsContains", "attributeValuesContains", "purposesContain", "columnTagged"];
/** Arity of each macro: `@username` takes no parentheses at all. */
export const MACRO_ARITY: Record<Macro, number> = {
  username: 0,
  groupsContains: 1,
  attributeValuesContains: 2,
  purposesContain: 1,
  columnTagged: 1,
};

export const macroCall = (m: Macro) => `${PLACEHOLDER_PREFIX}m_${m.toLowerCase()}`;
export const stringPlaceholder = (i: number) => `${PLACEHOLDER_PREFIX}str_${i}`;
export const identPlaceholder = (i: number) => `${PLACEHOLDER_PREFIX}ident_${i}`;

export type ScanResult = {
  text: string;
  strings: string[];
  identifiers: string[];
  /** Maps an offset in `text` back to one in the author's text (for error positions). */
  originalOffset: (offset: number) => number;
};

export class ScanError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}_]/u.test(c);

export function scanWhere(sql: string): ScanResult {
  const strings: string[] = [];
  const identifiers: string[] = [];
  // Segments of output: [outStart, inStart]; offsets inside a replaced token map to its start.
  const segments: Array<[number, number]> = [];
  let out = "";
  const emit = (s: string, inPos: number) => {
    segments.push([out.length, inPos]);
    out += s;
  };
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "'") {
      if (isWordChar(sql[i - 1])) throw new ScanError("prefixed strings (E'…', U&'…', B'…', X'…') are not allowed", i - 1);
      const { value, end } = quoted(sql, i, "'");
      strings.push(value);
      emit(`'${stringPlaceholder(strings.length - 1)}'`, i);
      i = end;
    } else if (c === '"') {
      if (isWordChar(sql[i - 1])) throw new ScanError('prefixed identifiers (U&"…") are not allowed', i - 1);
      const { value, end } = quoted(sql, i, '"');
      if (value.length === 0) throw new ScanError("an empty quoted identifier is not allowed", i);
      identifiers.push(value);
      emit(identPlaceholder(identifiers.length - 1), i);
      i = end;
    } else if (c === ";") {
      throw new ScanError("`;` is not allowed: a WHERE condition is one expression", i);
    } else if ((c === "-" && next === "-") || (c === "/" && next === "*") || c === "#") {
      throw new ScanError("comments are not allowed", i);
    } else if (c === "$" || c === "\\" || c === "`" || c === "\u0000") {
      throw new ScanError(`the character ${c === "\u0000" ? "NUL" : c} is not allowed outside a string`, i);
    } else if (c === "@") {
      const m = /^@([A-Za-z_]+)/.exec(sql.slice(i));
      const name = m?.[1];
      const macro = MACROS.find((x) => x === name);
      if (macro === undefined) {
        throw new ScanError(`unknown macro @${name ?? ""}; expected one of ${MACROS.map((x) => `@${x}`).join(", ")}`, i);
      }
      const after = i + 1 + macro.length;
      const paren = /^\s*\(/.test(sql.slice(after));
      if (MACRO_ARITY[macro] === 0 && paren) throw new ScanError(`@${macro} takes no arguments`, i);
      if (MACRO_ARITY[macro] > 0 && !paren) throw new ScanError(`@${macro} needs arguments: @${macro}(…)`, i);
      emit(MACRO_ARITY[macro] === 0 ? `${macroCall(macro)}()` : macroCall(macro), i);
      i = after;
    } else if (isWordChar(c) && !isWordChar(sql[i - 1])) {
      const word = /^[\p{L}\p{N}_]+/u.exec(sql.slice(i))?.[0] ?? c;
      if (word.toLowerCase().startsWith(PLACEHOLDER_PREFIX))
        throw new ScanError(`names starting with ${PLACEHOLDER_PREFIX} are reserved`, i);
      emit(word, i);
      i += word.length;
    } else {
      emit(c, i);
      i += 1;
    }
  }
  const originalOffset = (offset: number): number => {
    let lo = 0;
    let hi = segments.length - 1;
    let best: [number, number] = [0, 0];
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const seg = segments[mid]!;
      if (seg[0] <= offset) {
        best = seg;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best[1];
  };
  return { text: out, strings, identifiers, originalOffset };
}

/** A quoted token starting at `start`; the quote character doubled inside stands for itself. */
function quoted(sql: string, start: number, q: "'" | '"'): { value: string; end: number } {
  let value = "";
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "\u0000") throw new ScanError("NUL characters are not allowed", i);
    if (c === q) {
      if (sql[i + 1] === q) {
        value += q;
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    value += c;
    i += 1;
  }
  throw new ScanError(q === "'" ? "unterminated string" : "unterminated quoted identifier", start);
}
