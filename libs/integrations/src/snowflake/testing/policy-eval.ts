/**
 * The emulator's evaluation of a masking / row access policy body, as Snowflake runs it when a
 * protected table is read: the arguments bound to the row's columns, scalar subqueries answered by
 * the host (the USER_PROFILE view is the PROFILE row of the session's CURRENT_USER(), the salt
 * table its row). It covers the SQL the Snowflake dialect emits (policy-dialect.ts) — CASE, IFF,
 * ARRAY_CONTAINS, SHA2, MD5, REGEXP_REPLACE, TO_VARCHAR, CAST, comparisons, LIKE … ESCAPE — and
 * refuses anything else with a syntax error rather than guessing. Date and time functions are not
 * evaluated.
 */
import { createHash } from "node:crypto";
import { Cursor, syntaxError, type Token } from "./lexer";

export type Value = string | number | boolean | null | string[];
export type EvalEnv = {
  args: ReadonlyMap<string, Value>;
  /** `(SELECT "<column>" FROM <parts>)`: the single row's value, NULL when there is no row. */
  scalar(parts: string[], column: string): Value;
};

const isNull = (v: Value): v is null => v === null;
const text = (v: Value): string | null => (v === null ? null : Array.isArray(v) ? JSON.stringify(v) : String(v));
const num = (v: Value): number | null => (v === null ? null : typeof v === "number" ? v : Number(v));

/** Evaluates the expression that starts at `tokens` (one policy body, or a WHERE clause). */
export function evaluate(tokens: readonly Token[], env: EvalEnv): Value {
  const c = new Cursor([...tokens]);
  const v = new Evaluator(c, env).expr();
  c.end();
  return v;
}

class Evaluator {
  constructor(
    private readonly c: Cursor,
    private readonly env: EvalEnv,
  ) {}

  expr(): Value {
    let v = this.and();
    while (this.c.keyword("OR")) {
      const r = this.and();
      v = v === true || r === true ? true : isNull(v) || isNull(r) ? null : false;
    }
    return v;
  }

  private and(): Value {
    let v = this.not();
    while (this.c.keyword("AND")) {
      const r = this.not();
      v = v === false || r === false ? false : isNull(v) || isNull(r) ? null : true;
    }
    return v;
  }

  private not(): Value {
    if (this.c.keyword("NOT")) {
      const v = this.not();
      return isNull(v) ? null : !v;
    }
    return this.predicate();
  }

  private predicate(): Value {
    const left = this.concat();
    if (this.c.keyword("IS", "NOT", "NULL")) return !isNull(left);
    if (this.c.keyword("IS", "NULL")) return isNull(left);
    const negated = this.c.keyword("NOT");
    if (this.c.keyword("LIKE")) {
      const pattern = this.concat();
      const escapeChar = this.c.keyword("ESCAPE") ? this.c.string() : null;
      if (isNull(left) || isNull(pattern)) return null;
      const matched = likeRegex(String(pattern), escapeChar).test(String(left));
      return negated ? !matched : matched;
    }
    if (this.c.keyword("IN")) {
      this.open();
      const items: Value[] = [];
      do items.push(this.expr());
      while (this.c.sym(","));
      this.close();
      if (isNull(left)) return null;
      const found = items.some((i) => !isNull(i) && compare(left, i) === 0);
      return found ? !negated : items.some(isNull) ? null : negated;
    }
    if (this.c.keyword("BETWEEN")) {
      const low = this.concat();
      this.c.expectKeyword("AND");
      const high = this.concat();
      if ([left, low, high].some(isNull)) return null;
      const inside = compare(left, low) >= 0 && compare(left, high) <= 0;
      return negated ? !inside : inside;
    }
    if (negated) throw syntaxError("expected LIKE, IN or BETWEEN after NOT");
    const op = this.comparison();
    if (!op) return left;
    const right = this.concat();
    if (isNull(left) || isNull(right)) return null;
    const d = compare(left, right);
    return { "=": d === 0, "<>": d !== 0, "<": d < 0, "<=": d <= 0, ">": d > 0, ">=": d >= 0 }[op];
  }

  private comparison(): "=" | "<>" | "<" | "<=" | ">" | ">=" | null {
    if (this.c.sym("=")) return "=";
    if (this.c.sym("!")) {
      if (!this.c.sym("=")) throw syntaxError("expected !=");
      return "<>";
    }
    if (this.c.sym("<")) return this.c.sym(">") ? "<>" : this.c.sym("=") ? "<=" : "<";
    if (this.c.sym(">")) return this.c.sym("=") ? ">=" : ">";
    return null;
  }

  private concat(): Value {
    let v = this.additive();
    while (this.peekPipes()) {
      const r = this.additive();
      v = isNull(v) || isNull(r) ? null : `${text(v)}${text(r)}`;
    }
    return v;
  }

  private peekPipes(): boolean {
    // `||` lexes as two `|` symbols.
    if (!this.c.sym("|")) return false;
    if (!this.c.sym("|")) throw syntaxError("expected ||");
    return true;
  }

  private additive(): Value {
    let v = this.multiplicative();
    for (;;) {
      if (this.c.sym("+")) v = arith(v, this.multiplicative(), (a, b) => a + b);
      else if (this.c.sym("-")) v = arith(v, this.multiplicative(), (a, b) => a - b);
      else return v;
    }
  }

  private multiplicative(): Value {
    let v = this.unary();
    for (;;) {
      if (this.c.sym("*")) v = arith(v, this.unary(), (a, b) => a * b);
      else if (this.c.sym("/")) v = arith(v, this.unary(), (a, b) => a / b);
      else return v;
    }
  }

  private unary(): Value {
    if (this.c.sym("-")) return arith(0, this.unary(), (a, b) => a - b);
    return this.primary();
  }

  private open(): void {
    if (!this.c.sym("(")) throw syntaxError(`expected ( near ${this.c.describe()}`);
  }
  private close(): void {
    if (!this.c.sym(")")) throw syntaxError(`expected ) near ${this.c.describe()}`);
  }

  private primary(): Value {
    const c = this.c;
    if (c.sym("(")) {
      if (c.keyword("SELECT")) {
        const column = c.name();
        c.expectKeyword("FROM");
        const parts = c.qualified();
        this.close();
        return this.env.scalar(parts, column);
      }
      const v = this.expr();
      this.close();
      return v;
    }
    const numeric = c.number();
    if (numeric !== null) return numeric;
    if (c.keyword("NULL")) return null;
    if (c.keyword("TRUE")) return true;
    if (c.keyword("FALSE")) return false;
    if (c.keyword("CASE")) return this.caseExpr();
    if (c.keyword("CAST")) {
      this.open();
      const v = this.expr();
      c.expectKeyword("AS");
      const type = c.name();
      const precision: number[] = [];
      if (c.sym("(")) {
        do precision.push(Number(c.number()));
        while (c.sym(","));
        this.close();
      }
      this.close();
      return cast(v, type, precision);
    }
    const stringToken = c.maybeString();
    if (stringToken !== null) return stringToken;
    const name = c.name();
    if (c.sym("(")) {
      const args: Value[] = [];
      if (!c.sym(")")) {
        do args.push(this.expr());
        while (c.sym(","));
        this.close();
      }
      return call(name, args);
    }
    if (!this.env.args.has(name)) throw syntaxError(`invalid identifier '${name}'`);
    return this.env.args.get(name)!;
  }

  private caseExpr(): Value {
    let result: Value | undefined;
    while (this.c.keyword("WHEN")) {
      const when = this.expr();
      this.c.expectKeyword("THEN");
      const then = this.expr();
      if (result === undefined && when === true) result = then;
    }
    const otherwise = this.c.keyword("ELSE") ? this.expr() : null;
    this.c.expectKeyword("END");
    return result === undefined ? otherwise : result;
  }
}

function arith(a: Value, b: Value, f: (x: number, y: number) => number): Value {
  const x = num(a);
  const y = num(b);
  return x === null || y === null ? null : f(x, y);
}

function compare(a: Value, b: Value): number {
  if (typeof a === "number" || typeof b === "number") return Number(a) - Number(b);
  const x = text(a)!;
  const y = text(b)!;
  return x < y ? -1 : x > y ? 1 : 0;
}

function cast(v: Value, type: string, precision: number[]): Value {
  if (v === null) return null;
  if (["NUMBER", "NUMERIC", "DECIMAL", "INT", "INTEGER", "BIGINT"].includes(type)) {
    const scale = precision[1] ?? 0;
    const n = num(v)!;
    return Math.round(n * 10 ** scale) / 10 ** scale;
  }
  if (["TEXT", "VARCHAR", "STRING", "CHAR"].includes(type)) return text(v);
  if (type === "BOOLEAN") return v === true || v === "true" || v === "TRUE";
  return v;
}

function call(name: string, a: Value[]): Value {
  const s = (i: number) => text(a[i] ?? null);
  const anyNull = (n: number) => a.slice(0, n).some(isNull);
  switch (name) {
    case "IFF":
      return a[0] === true ? (a[1] ?? null) : (a[2] ?? null);
    case "TO_VARIANT":
      return a[0] ?? null;
    case "ARRAY_CONTAINS": {
      const array = a[1] ?? null;
      if (array === null || !Array.isArray(array)) return null;
      return array.includes(s(0) ?? "");
    }
    case "COALESCE":
      return a.find((v) => !isNull(v)) ?? null;
    case "SHA2":
      return anyNull(1) ? null : createHash("sha256").update(s(0)!).digest("hex");
    case "MD5":
      return anyNull(1) ? null : createHash("md5").update(s(0)!).digest("hex");
    case "TO_VARCHAR":
      return s(0);
    case "TO_NUMBER":
      if (anyNull(1)) return null;
      return /^'?X+'?$/.test(s(1) ?? "") ? Number.parseInt(s(0)!, 16) : Number(s(0));
    case "SUBSTR":
      return anyNull(2) ? null : s(0)!.substr(Number(a[1]) - 1, a[2] === undefined ? undefined : Number(a[2]));
    case "LENGTH":
      return anyNull(1) ? null : [...s(0)!].length;
    case "LOWER":
      return anyNull(1) ? null : s(0)!.toLowerCase();
    case "UPPER":
      return anyNull(1) ? null : s(0)!.toUpperCase();
    case "TRIM": {
      if (anyNull(1)) return null;
      const chars = new Set(s(1) ?? " ");
      const t = [...s(0)!];
      while (t.length && chars.has(t[0]!)) t.shift();
      while (t.length && chars.has(t.at(-1)!)) t.pop();
      return t.join("");
    }
    case "REPEAT":
      return anyNull(2) ? null : s(0)!.repeat(Math.max(0, Number(a[1])));
    case "RIGHT":
      return anyNull(2) ? null : Number(a[1]) <= 0 ? "" : [...s(0)!].slice(-Number(a[1])).join("");
    case "FLOOR":
      return anyNull(1) ? null : Math.floor(num(a[0]!)!);
    case "REGEXP_REPLACE":
      // Snowflake replaces every match; `\1` back-references are JavaScript's `$1`.
      return anyNull(3)
        ? null
        : s(0)!.replace(
            new RegExp(s(1)!, "g"),
            s(2)!
              .replace(/\$/g, "$$$$")
              .replace(/\\(\d)/g, "$$$1"),
          );
    default:
      throw syntaxError(`function ${name} is not evaluated by the emulator`);
  }
}

function likeRegex(pattern: string, escapeChar: string | null): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (escapeChar !== null && ch === escapeChar && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else if (ch === "%") re += ".*";
    else if (ch === "_") re += ".";
    else re += escapeRe(ch);
  }
  return new RegExp(`^${re}$`, "s");
}
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
