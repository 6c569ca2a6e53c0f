import { createHash } from "node:crypto";
import type { ColumnType, Expr, Literal, Mask, ProfileRow } from "./types";

/**
 * The reference evaluator of the intermediate form: what a policy view returns for one row, computed
 * in JS. Explain uses it, and it is the oracle the dialect compilers are tested against (their SQL
 * must return the same values). SQL semantics are followed where they differ from JS: three-valued
 * logic (NULL = unknown), NULL-propagating comparisons and functions, `coalesce`, and LIKE.
 *
 * Values: null, string, number, boolean, and dates/timestamps as `Date` (UTC). Text comparison is by
 * code point (PostgreSQL's "C" collation); compilers compare text with `COLLATE "C"` to agree.
 */
export type Value = string | number | boolean | Date | null;
export type Row = Readonly<Record<string, Value>>;
/** The profile facts evaluation reads (a `ProfileRow` fits). */
export type ProfileFacts = Pick<ProfileRow, "username" | "groups" | "attributes" | "purposes" | "sources">;

/**
 * Canonical text form of a value (what hash, showLast, a regex fallback and the sample read), the same
 * on every platform and independent of session settings:
 * - integers as digits; decimals without trailing fractional zeros (`12.50` → `12.5`, `10.00` → `10`);
 * - floats in the shortest round-trip digits, exponent form when the decimal exponent is < −4 or ≥ 15
 *   (`1e+15`, `1.5e-05`, `0.0001`): PostgreSQL's `float8::text`;
 * - booleans `true` / `false`; dates `YYYY-MM-DD`;
 * - timestamps `YYYY-MM-DD HH:MM:SS[.fff]` (fraction without trailing zeros), timestamptz in UTC and
 *   without offset.
 * Without a type (set membership, LIKE, functions) numbers print as JS does and instants as timestamps.
 */
export function textForm(v: Value, type: ColumnType = "text"): string | null {
  if (v === null) return null;
  if (v instanceof Date) {
    const iso = v.toISOString();
    if (type === "date") return iso.slice(0, 10);
    const ms = iso.slice(19, 23).replace(/\.?0+$/, "");
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms}`;
  }
  if (typeof v === "number") {
    if (type === "float") return floatText(v);
    if (type === "decimal") return decimalText(v);
  }
  return String(v);
}

/** PostgreSQL's float8 output (extra_float_digits ≥ 1): shortest digits, `e±XX` outside [1e-4, 1e15). */
function floatText(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const [mantissa = "", expText = "0"] = x.toExponential().split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= 15) return `${mantissa}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return decimalText(x);
}

/** Plain decimal notation without exponent and without trailing fractional zeros. */
function decimalText(x: number): string {
  const plain = String(x);
  if (!/e/i.test(plain)) return plain;
  const [mantissa = "", expText = "0"] = x.toExponential().split("e");
  const exp = Number(expText);
  const sign = x < 0 ? "-" : "";
  const digits = mantissa.replace(/^-/, "").replace(".", "");
  if (exp >= 0)
    return sign + (digits.length <= exp + 1 ? digits.padEnd(exp + 1, "0") : `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`);
  return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
}

/** SHA-256 (lower-case hex) of salt ‖ text form: the `hash` mask, identical in every dialect. */
export function saltedHash(salt: string, value: string): string {
  return createHash("sha256")
    .update(salt + value, "utf8")
    .digest("hex");
}

/** Evaluates `expr` for one row and one user. A condition's "unknown" is `null`. */
export function evaluateExpr(
  expr: Expr,
  row: Row,
  profile: ProfileFacts,
  salt: string,
  now: Date = new Date(),
  /**
   * The row's column types, when known: set membership and the sample then read a column's
   * canonical text form (a date as `YYYY-MM-DD`, not as a timestamp), as the compiled SQL does.
   */
  columnTypes?: ReadonlyMap<string, ColumnType>,
): Value {
  const ev = (e: Expr): Value => evaluateExpr(e, row, profile, salt, now, columnTypes);
  const typeOf = (e: Expr): ColumnType | undefined => (e.k === "column" ? columnTypes?.get(e.name) : undefined);
  switch (expr.k) {
    case "column":
      return row[expr.name] ?? null;
    case "literal":
      return literalValue(expr.value);
    case "profile":
      return profile.username;
    case "inProfileSet": {
      const v = ev(expr.value);
      if (v === null) return null;
      const set = profileSet(profile, expr.set);
      return set.includes(textForm(v, typeOf(expr.value)) ?? "");
    }
    case "inList": {
      const v = ev(expr.value);
      const results = expr.list.map((item) => compare("=", v, ev(item)));
      const any = results.some((r) => r === true) ? true : results.some((r) => r === null) ? null : false;
      return expr.negated ? not(any) : any;
    }
    case "and": {
      let unknown = false;
      for (const a of expr.args) {
        const v = ev(a);
        if (v === false) return false;
        if (v === null) unknown = true;
      }
      return unknown ? null : true;
    }
    case "or": {
      let unknown = false;
      for (const a of expr.args) {
        const v = ev(a);
        if (v === true) return true;
        if (v === null) unknown = true;
      }
      return unknown ? null : false;
    }
    case "not":
      return not(asBool(ev(expr.arg)));
    case "compare":
      return compare(expr.op, ev(expr.left), ev(expr.right));
    case "isNull": {
      const isNull = ev(expr.arg) === null;
      return expr.negated ? !isNull : isNull;
    }
    case "like": {
      const v = ev(expr.arg);
      if (v === null) return null;
      const matched = likeRegex(expr.pattern).test(textForm(v) ?? "");
      return expr.negated ? !matched : matched;
    }
    case "between": {
      const v = ev(expr.arg);
      const lo = compare(">=", v, ev(expr.low));
      const hi = compare("<=", v, ev(expr.high));
      return lo === false || hi === false ? false : lo === null || hi === null ? null : true;
    }
    case "call": {
      const args = expr.args.map(ev);
      if (expr.fn === "coalesce") return args.find((a) => a !== null) ?? null;
      const [a] = args;
      if (a === null || a === undefined) return null;
      const s = textForm(a) ?? "";
      switch (expr.fn) {
        case "lower":
          return s.toLowerCase();
        case "upper":
          return s.toUpperCase();
        case "length":
          return [...s].length;
        case "trim":
          return s.replace(/^ +| +$/g, "");
      }
      return null;
    }
    case "case":
      return ev(expr.when) === true ? ev(expr.then) : ev(expr.else);
    case "mask":
      return applyMask(expr.mask, ev(expr.arg), expr.type, salt);
    case "withinDays": {
      const v = row[expr.column] ?? null;
      if (!(v instanceof Date)) return null;
      return v.getTime() >= now.getTime() - expr.days * 86_400_000;
    }
    case "sample": {
      const v = row[expr.column] ?? null;
      if (v === null) return false;
      return sampleKeeps(textForm(v, columnTypes?.get(expr.column)) ?? "", expr.percent);
    }
  }
}

/**
 * `sample` (sql/policy/dialect.ts): a row is kept iff the first 8 hex digits of md5(text form of the
 * key), read as an unsigned 32-bit integer, are below floor(percent / 100 × 2³²). Unsalted, so the
 * sample is stable across deployments; every dialect computes the same number.
 */
export function sampleKeeps(text: string, percent: number): boolean {
  const prefix = Number.parseInt(createHash("md5").update(text, "utf8").digest("hex").slice(0, 8), 16);
  return prefix < Math.floor((percent / 100) * 2 ** 32);
}

/** A mask applied to a value of `type`, including the type fallbacks the resolver chose (docs/data-policies.md). */
export function applyMask(mask: Mask, v: Value, type: ColumnType, salt: string): Value {
  // A constant replaces every value, NULLs included (which values were missing is not shown either);
  // every other mask keeps NULL as NULL.
  if (mask.kind === "constant") return constantValue(mask.value, type);
  if (mask.kind === "null" || v === null) return null;
  switch (mask.kind) {
    case "hash":
      return saltedHash(salt, textForm(v, type) ?? "");
    case "regexReplace":
      return (textForm(v, type) ?? "").replace(new RegExp(mask.pattern, "gu"), postgresReplacement(mask.replacement));
    case "roundNumber": {
      if (typeof v !== "number") return null;
      return roundDown(v, mask.bucket);
    }
    case "roundDate": {
      if (!(v instanceof Date)) return null;
      return new Date(Date.UTC(v.getUTCFullYear(), mask.unit === "year" ? 0 : v.getUTCMonth(), 1));
    }
    case "showLast": {
      const chars = [...(textForm(v, type) ?? "")];
      const keep = Math.min(mask.count, chars.length);
      return "*".repeat(chars.length - keep) + chars.slice(chars.length - keep).join("");
    }
  }
}

/**
 * floor(v / bucket) × bucket in exact decimal arithmetic, as SQL's numeric does: binary floats drift
 * (12.3 / 0.1 = 122.99999999999999), so both are scaled to integers by their decimal places first.
 */
function roundDown(v: number, bucket: number): number {
  const places = (x: number) => {
    const t = decimalText(Math.abs(x));
    return (t.split(".")[1] ?? "").length;
  };
  const d = Math.max(places(v), places(bucket));
  if (d > 15) return Math.floor(v / bucket) * bucket;
  const scale = 10 ** d;
  const q = Math.floor(Math.round(v * scale) / Math.round(bucket * scale));
  return Number(((q * Math.round(bucket * scale)) / scale).toFixed(d));
}

/**
 * A constant mask in the column's type, or null when the type cannot hold it. The accepted shapes are
 * strict (the dialect compilers accept exactly these; JS's lenient `Date` parsing would read "12.5" as
 * a date): integers `-?digits` (≤ 18), decimals/floats `-?digits[.digits]`, `true`/`false`, dates
 * `YYYY-MM-DD`, timestamps `YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]]][Z|±HH[:MM]]` — without an offset in
 * UTC, for timestamptz too (never the session's zone).
 */
export function constantValue(value: string, type: ColumnType): Value {
  switch (type) {
    case "integer":
      return /^-?\d{1,18}$/.test(value) ? Number(value) : null;
    case "decimal":
    case "float":
      return /^-?\d{1,30}(\.\d{1,30})?$/.test(value) ? Number(value) : null;
    case "boolean":
      return value === "true" ? true : value === "false" ? false : null;
    case "date": {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
      const d = new Date(`${value}T00:00:00Z`);
      return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value ? null : d;
    }
    case "timestamp":
    case "timestamptz": {
      const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2})(:\d{2}(?:\.\d{1,6})?)?)?(Z|[+-]\d{2}(?::\d{2})?)?$/.exec(value);
      if (m === null) return null;
      const [, day, hm = "00:00", sec = ":00", zone = "Z"] = m;
      // A timestamp (without time zone) keeps the wall time and ignores an offset, as SQL's cast does.
      const offset = zone === "Z" || type === "timestamp" ? "Z" : zone.length === 3 ? `${zone}:00` : zone;
      // JS dates hold milliseconds: microseconds beyond them are cut, as the evaluator cannot show them.
      const d = new Date(`${day}T${hm}${sec.slice(0, 7)}${offset}`);
      return Number.isNaN(d.getTime()) ? null : d;
    }
    case "text":
    case "other":
      return value;
  }
}

/** PostgreSQL's replacement syntax (`\1`…`\9`, `\&`, `\\`) as a JS replacer; `$` is literal there. */
export function postgresReplacement(replacement: string): (match: string, ...groups: unknown[]) => string {
  return (match, ...rest) => {
    const groups = rest.slice(
      0,
      rest.findIndex((r) => typeof r === "number"),
    );
    return replacement.replace(/\\([0-9&\\])/g, (_, c: string) => {
      if (c === "&" || c === "0") return match;
      if (c === "\\") return "\\";
      const g = groups[Number(c) - 1];
      return typeof g === "string" ? g : "";
    });
  };
}

function literalValue(l: Literal): Value {
  switch (l.k) {
    case "text":
      return l.value;
    case "number":
      return l.value;
    case "boolean":
      return l.value;
    case "null":
      return null;
    case "date":
      return new Date(`${l.value}T00:00:00Z`);
  }
}

function profileSet(p: ProfileFacts, set: Extract<Expr, { k: "inProfileSet" }>["set"]): readonly string[] {
  switch (set.k) {
    case "groups":
      return p.groups;
    case "purposes":
      return p.purposes;
    case "sources":
      return p.sources;
    case "attributeValues":
      return p.attributes[set.key] ?? [];
  }
}

const asBool = (v: Value): boolean | null => (v === null ? null : v === true || v === "true");
const not = (v: boolean | null): boolean | null => (v === null ? null : !v);

function compare(op: string, a: Value, b: Value): boolean | null {
  if (a === null || b === null) return null;
  const [x, y] = comparable(a, b);
  switch (op) {
    case "=":
      return x === y;
    case "<>":
      return x !== y;
    case "<":
      return x < y;
    case "<=":
      return x <= y;
    case ">":
      return x > y;
    case ">=":
      return x >= y;
  }
  return null;
}

/** Both sides in one domain: dates as epoch ms, numbers as numbers, else text (code point order). */
function comparable(a: Exclude<Value, null>, b: Exclude<Value, null>): [number | string, number | string] {
  if (a instanceof Date || b instanceof Date) {
    const ms = (v: Exclude<Value, null>) =>
      v instanceof Date ? v.getTime() : new Date(typeof v === "string" && v.length === 10 ? `${v}T00:00:00Z` : String(v)).getTime();
    return [ms(a), ms(b)];
  }
  if (typeof a === "number" && typeof b === "number") return [a, b];
  if (typeof a === "number" || typeof b === "number") {
    const x = Number(a);
    const y = Number(b);
    if (Number.isFinite(x) && Number.isFinite(y)) return [x, y];
  }
  return [String(a), String(b)];
}

const likeCache = new Map<string, RegExp>();
function likeRegex(pattern: string): RegExp {
  let re = likeCache.get(pattern);
  if (re === undefined) {
    const body = [...pattern].map((ch) => (ch === "%" ? ".*" : ch === "_" ? "." : ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("");
    re = new RegExp(`^${body}$`, "su");
    likeCache.set(pattern, re);
  }
  return re;
}
