/**
 * The emulator's reading of Snowflake SQL: just enough lexing to parse the statements Steward sends,
 * with Snowflake's own rules (bare words fold to upper case, `""` inside a quoted identifier, `''` and
 * backslash escapes inside string constants). Independent of the adapter's quoting on purpose: a
 * quoting bug there shows up here as a wrong name or a syntax error.
 */
export type Token = { t: "word"; v: string; quoted: boolean } | { t: "str"; v: string } | { t: "sym"; v: string };

export class EmulatedSqlError extends Error {
  constructor(
    readonly code: string,
    readonly sqlState: string,
    message: string,
  ) {
    super(message);
    this.name = "EmulatedSqlError";
  }
}

export const syntaxError = (detail: string) => new EmulatedSqlError("001003", "42000", `SQL compilation error: syntax error ${detail}`);

export function lex(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let v = "";
      i++;
      for (;;) {
        if (i >= sql.length) throw syntaxError("unterminated quoted identifier");
        if (sql[i] === '"') {
          if (sql[i + 1] === '"') {
            v += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += sql[i++];
      }
      if (v.length === 0) throw syntaxError("empty identifier");
      out.push({ t: "word", v, quoted: true });
    } else if (c === "'") {
      let v = "";
      i++;
      for (;;) {
        if (i >= sql.length) throw syntaxError("unterminated string");
        const d = sql[i]!;
        if (d === "\\") {
          const e = sql[i + 1] ?? "";
          v += e === "n" ? "\n" : e === "t" ? "\t" : e;
          i += 2;
        } else if (d === "'") {
          if (sql[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        } else v += sql[i++];
      }
      out.push({ t: "str", v });
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < sql.length && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      out.push({ t: "word", v: sql.slice(i, j).toUpperCase(), quoted: false });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i;
      while (j < sql.length && /[0-9.]/.test(sql[j]!)) j++;
      out.push({ t: "sym", v: sql.slice(i, j) });
      i = j;
    } else if (c === "-" && sql[i + 1] === ">") {
      out.push({ t: "sym", v: "->" });
      i += 2;
    } else {
      out.push({ t: "sym", v: c });
      i++;
    }
  }
  return out;
}

/** A cursor over tokens with the few matchers the statement parser needs. */
export class Cursor {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}
  get done(): boolean {
    return (
      this.i >= this.tokens.length ||
      (this.tokens[this.i]?.t === "sym" && this.tokens[this.i]?.v === ";" && this.i === this.tokens.length - 1)
    );
  }
  peekKeyword(...words: string[]): boolean {
    return words.every((w, k) => {
      const t = this.tokens[this.i + k];
      return t?.t === "word" && !t.quoted && t.v === w;
    });
  }
  keyword(...words: string[]): boolean {
    if (!this.peekKeyword(...words)) return false;
    this.i += words.length;
    return true;
  }
  expectKeyword(...words: string[]): void {
    if (!this.keyword(...words)) throw syntaxError(`expected ${words.join(" ")} near ${this.describe()}`);
  }
  sym(v: string): boolean {
    const t = this.tokens[this.i];
    if (t?.t === "sym" && t.v === v) {
      this.i++;
      return true;
    }
    return false;
  }
  /** Steps over everything up to and including the closing `)` (type precision such as `(10, 2)`). */
  skipParenthesised(): void {
    let depth = 1;
    while (depth > 0) {
      const t = this.tokens[this.i++];
      if (!t) throw syntaxError("unbalanced parentheses");
      if (t.t === "sym" && t.v === "(") depth++;
      if (t.t === "sym" && t.v === ")") depth--;
    }
  }
  name(): string {
    const t = this.tokens[this.i];
    if (t?.t !== "word") throw syntaxError(`expected a name near ${this.describe()}`);
    this.i++;
    return t.v;
  }
  qualified(): string[] {
    const parts = [this.name()];
    while (this.sym(".")) parts.push(this.name());
    return parts;
  }
  /** A numeric constant (digits and dots lex as one symbol), or null without moving. */
  number(): number | null {
    const t = this.tokens[this.i];
    if (t?.t !== "sym" || !/^[0-9]/.test(t.v)) return null;
    this.i++;
    return Number(t.v);
  }
  /** A string constant, or null without moving. */
  maybeString(): string | null {
    const t = this.tokens[this.i];
    if (t?.t !== "str") return null;
    this.i++;
    return t.v;
  }
  string(): string {
    const t = this.tokens[this.i];
    if (t?.t !== "str") throw syntaxError(`expected a string near ${this.describe()}`);
    this.i++;
    return t.v;
  }
  end(): void {
    this.sym(";");
    if (this.i < this.tokens.length) throw syntaxError(`unexpected ${this.describe()}`);
  }
  describe(): string {
    const t = this.tokens[this.i];
    return t ? `'${t.v}'` : "end of statement";
  }
}
