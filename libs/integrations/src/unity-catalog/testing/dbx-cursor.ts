/**
 * Test-only: a token cursor over databricks-lexer.ts output, with the few grammar pieces the emulated
 * warehouse (dbx-model.ts) needs: keywords, names (quoted or folded to lower case, as UC stores them),
 * dotted names, types (`ARRAY<STRING>`, `DECIMAL(10,2)`), string literals and `:name` parameters.
 */
import { type DbxToken, lexDatabricks } from "./databricks-lexer";

/** A statement the emulated warehouse refuses: Databricks' error class, SQLSTATE and message. */
export class DbxSqlError extends Error {
  constructor(
    readonly errorClass: string,
    message: string,
    readonly sqlState = "42000",
    readonly errorCode = "BAD_REQUEST",
  ) {
    super(`[${errorClass}] ${message} SQLSTATE: ${sqlState}`);
  }
}

export const syntax = (what: string) => new DbxSqlError("PARSE_SYNTAX_ERROR", `Syntax error: ${what}.`, "42601");

export class Cursor {
  i = 0;
  constructor(
    readonly tokens: DbxToken[],
    readonly params: Record<string, string | null> = {},
  ) {}

  static of(sql: string, params: Record<string, string | null> = {}): Cursor {
    try {
      return new Cursor(lexDatabricks(sql), params);
    } catch (err) {
      throw syntax((err as Error).message);
    }
  }

  peek(offset = 0): DbxToken | undefined {
    return this.tokens[this.i + offset];
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
  /** Consumes the unquoted words if they all follow, in order. */
  keyword(...words: string[]): boolean {
    for (const [k, w] of words.entries()) {
      const t = this.peek(k);
      if (t?.t !== "word" || t.quoted || t.v !== w) return false;
    }
    this.i += words.length;
    return true;
  }
  expect(...words: string[]): void {
    if (!this.keyword(...words)) throw syntax(`expected ${words.join(" ")} at ${this.where()}`);
  }
  sym(c: string): boolean {
    const t = this.peek();
    if (t?.t !== "punct" || t.v !== c) return false;
    this.i++;
    return true;
  }
  expectSym(c: string): void {
    if (!this.sym(c)) throw syntax(`expected '${c}' at ${this.where()}`);
  }
  /** An identifier: a quoted one as written, an unquoted one folded to lower case. */
  name(): string {
    const t = this.peek();
    if (t?.t !== "word") throw syntax(`expected a name at ${this.where()}`);
    this.i++;
    return t.quoted ? t.v : t.v.toLowerCase();
  }
  qualified(): string[] {
    const parts = [this.name()];
    while (this.sym(".")) parts.push(this.name());
    return parts;
  }
  string(): string {
    const t = this.peek();
    if (t?.t !== "string") throw syntax(`expected a string literal at ${this.where()}`);
    this.i++;
    return t.v;
  }
  /** `:name`, bound from the request's parameters. */
  param(): string | null {
    this.expectSym(":");
    const name = this.name();
    if (!Object.hasOwn(this.params, name)) throw new DbxSqlError("UNBOUND_SQL_PARAMETER", `Found the unbound parameter: ${name}.`, "42P02");
    return this.params[name] ?? null;
  }
  /** A type as the catalog prints it, upper case: `STRING`, `ARRAY<STRING>`, `DECIMAL(10,2)`. */
  type(): string {
    const t = this.peek();
    if (t?.t !== "word" || t.quoted) throw syntax(`expected a type at ${this.where()}`);
    this.i++;
    let out = t.v;
    if (this.sym("<")) {
      out += `<${this.type()}>`;
      this.expectSym(">");
    } else if (this.sym("(")) {
      const nums: string[] = [];
      do {
        const n = this.peek();
        if (n?.t !== "number") throw syntax("expected a number in a type");
        this.i++;
        nums.push(n.v);
      } while (this.sym(","));
      this.expectSym(")");
      out += `(${nums.join(",")})`;
    }
    return out;
  }
  end(): void {
    if (!this.done()) throw syntax(`unexpected ${JSON.stringify(this.peek()?.v)} at ${this.where()}`);
  }
  where(): string {
    return `token ${this.i}`;
  }
}

/** Type names compared as the catalog does: case and spaces do not matter. */
export const sameType = (a: string, b: string) => a.replace(/\s+/g, "").toUpperCase() === b.replace(/\s+/g, "").toUpperCase();
