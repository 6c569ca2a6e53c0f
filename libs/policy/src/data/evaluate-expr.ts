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
 * Canonical text form of a value, as `value::text` renders it in PostgreSQL for the types the engine
 * distinguishes: booleans `true`/`false`, dates `YYYY-MM-DD`, timestamps `YYYY-MM-DD HH:MM:SS[.fff]` (UTC).
 */
export function textForm(v: Value, type: ColumnType = "text"): string | null {
  if (v === null) return null;
  if (v instanceof Date) {
    const iso = v.toISOString();
    if (type === "date") return iso.slice(0, 10);
    const ms = iso.slice(19, 23);
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms === ".000" ? "" : ms}`;
  }
  return String(v);
}

/** SHA-256 (lower-case hex) of salt ‖ text form: the `hash` mask, identical in every dialect. */
export function saltedHash(salt: string, value: string): string {
  return createHash("sha256")
    .update(salt + value, "utf8")
    .digest("hex");
}

/** Evaluates `expr` for one row and one user. A condition's "unknown" is `null`. */
export function evaluateExpr(expr: Expr, row: Row, profile: ProfileFacts, salt: string, now: Date = new Date()): Value {
  const ev = (e: Expr): Value => evaluateExpr(e, row, profile, salt, now);
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
      return set.includes(textForm(v) ?? "");
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
      return sampleBucket(textForm(v) ?? "") < expr.percent * 100;
    }
  }
}

/**
 * `sample`: the first 8 hex digits of SHA-256(text form) as an unsigned 32-bit number, modulo 10,000;
 * a row is kept when that bucket is below percent × 100 (so 12.5 % keeps buckets 0–1249). Unsalted,
 * so the sample is stable across deployments; every dialect computes the same number.
 */
export function sampleBucket(text: string): number {
  const hex = createHash("sha256").update(text, "utf8").digest("hex").slice(0, 8);
  return Number.parseInt(hex, 16) % 10_000;
}

/** A mask applied to a value of `type`, including the type fallbacks the resolver chose (docs/data-policies.md). */
export function applyMask(mask: Mask, v: Value, type: ColumnType, salt: string): Value {
  if (mask.kind === "null" || v === null) return null;
  switch (mask.kind) {
    case "constant":
      return constantValue(mask.value, type);
    case "hash":
      return saltedHash(salt, textForm(v, type) ?? "");
    case "regexReplace":
      return (textForm(v, type) ?? "").replace(new RegExp(mask.pattern, "gu"), postgresReplacement(mask.replacement));
    case "roundNumber": {
      if (typeof v !== "number") return null;
      const r = Math.floor(v / mask.bucket) * mask.bucket;
      // Bucket arithmetic in binary floats drifts (0.1 × 3); round to the bucket's decimals.
      const decimals = (String(mask.bucket).split(".")[1] ?? "").length;
      return Number(r.toFixed(decimals));
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

/** A constant mask in the column's type; validation guarantees it is representable (else null). */
export function constantValue(value: string, type: ColumnType): Value {
  switch (type) {
    case "integer":
    case "decimal":
    case "float": {
      const n = Number(value);
      return value.trim() !== "" && Number.isFinite(n) && (type !== "integer" || Number.isInteger(n)) ? n : null;
    }
    case "boolean":
      return value === "true" ? true : value === "false" ? false : null;
    case "date":
    case "timestamp":
    case "timestamptz": {
      const d = new Date(type === "date" ? `${value}T00:00:00Z` : value);
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
