import { badInput } from "@steward/core";
import sqlParser from "node-sql-parser";
import { tagCovers } from "../scope";
import { caseOf, text } from "./expr";
import type { AllowedFunction, CompareOp, DataColumn, Expr, Literal } from "./types";
import { MACRO_ARITY, MACROS, type Macro, macroCall, ScanError, scanWhere } from "./where-scan";

/**
 * Custom WHERE conditions (row rules and conditional masks) → the typed `Expr` tree. The text is
 * scanned (where-scan.ts), parsed by node-sql-parser, and the AST is walked against an allow-list:
 * comparisons, AND/OR/NOT, IN lists, IS [NOT] NULL, LIKE, BETWEEN, literals (text, number, boolean,
 * NULL, DATE 'YYYY-MM-DD'), column references, the `AllowedFunction`s and the macros. Anything else
 * (subqueries, other functions, casts, operators, clauses after the WHERE) is refused with the
 * fragment it found. Nothing of the text reaches SQL: dialect compilers render the tree, quoting
 * every identifier and literal themselves.
 */

export type WhereContext = {
  /** The source's columns, when the condition is authored for known sources: unknown columns are errors. */
  columns?: readonly DataColumn[];
  /** Known attribute keys: `@attributeValuesContains` naming another key is an error. */
  attributeKeys?: readonly string[];
  /** Field path for errors (`definition.rule.rule.sql`). */
  path?: string;
};

/**
 * The parsed tree. `@columnTagged('t')` stays a placeholder column (see `taggedColumnName`) until
 * bound to a source's columns by `bindWhere`; when the source was known at parse time it is already bound.
 */
export type ParsedWhere = { expr: Expr; tags: readonly string[] };

const TAGGED_PREFIX = "\u0000tagged:";
/** Column names never contain NUL (validation refuses it), so this cannot clash with a real column. */
export const taggedColumnName = (tag: string) => `${TAGGED_PREFIX}${tag}`;
const taggedOf = (name: string) => (name.startsWith(TAGGED_PREFIX) ? name.slice(TAGGED_PREFIX.length) : null);

const ALLOWED_FUNCTIONS: Record<AllowedFunction, { min: number; max: number }> = {
  lower: { min: 1, max: 1 },
  upper: { min: 1, max: 1 },
  length: { min: 1, max: 1 },
  trim: { min: 1, max: 1 },
  coalesce: { min: 2, max: 16 },
};
const COMPARE: Record<string, CompareOp> = { "=": "=", "<>": "<>", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">=" };

const parser = new sqlParser.Parser();
const DIALECT = { database: "postgresql" };
const PREFIX = "SELECT * FROM t WHERE ";
const BARE_SELECT = parser.sqlify(parser.astify("SELECT * FROM t", DIALECT), DIALECT);

class Refused extends Error {}

// node-sql-parser's AST is loosely typed; this module reads it defensively through `Node`.
type Node = Record<string, unknown> & { type?: unknown };
const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && !Array.isArray(v);

/** Parses one condition; throws BAD_USER_INPUT naming the position or fragment when it is refused. */
export function parseWhere(sql: string, ctx: WhereContext = {}): ParsedWhere {
  const path = ctx.path ?? "sql";
  const fail = (message: string) => badInput(`Invalid WHERE condition: ${message}`, [{ path, message }]);
  if (sql.trim().length === 0) throw fail("the condition is empty");
  let scan: ReturnType<typeof scanWhere>;
  try {
    scan = scanWhere(sql);
  } catch (e) {
    if (e instanceof ScanError) throw fail(`${e.message} (at position ${e.position + 1}: ${fragmentAt(sql, e.position)})`);
    throw e;
  }
  let ast: unknown;
  try {
    ast = parser.astify(PREFIX + scan.text, DIALECT);
  } catch (e) {
    const offset = (e as { location?: { start?: { offset?: number } } }).location?.start?.offset;
    const at = offset === undefined ? 0 : scan.originalOffset(Math.max(0, offset - PREFIX.length));
    throw fail(`syntax error at position ${at + 1}: ${fragmentAt(sql, at)}`);
  }
  const statements = Array.isArray(ast) ? ast : [ast];
  const [select] = statements;
  if (statements.length !== 1 || !isNode(select) || select.type !== "select") throw fail("the condition must be a single expression");
  if (parser.sqlify({ ...select, where: null } as never, DIALECT) !== BARE_SELECT) {
    throw fail("only a condition is allowed (no GROUP BY, ORDER BY, LIMIT, UNION or other clauses)");
  }
  const tags = new Set<string>();
  const conv = new Converter(scan.strings, scan.identifiers, ctx, tags, (n) => parser.exprToSQL(n as never, DIALECT));
  let expr: Expr;
  try {
    expr = conv.condition(select.where);
  } catch (e) {
    if (e instanceof Refused) throw fail(restoreText(e.message, scan.strings, scan.identifiers));
    throw e;
  }
  if (ctx.columns !== undefined && tags.size > 0) {
    const bound = bindWhere({ expr, tags: [...tags] }, ctx.columns);
    if (bound.untagged.length > 0) throw fail(`no column of the data source is tagged ${bound.untagged.join(", ")} (@columnTagged)`);
    return { expr: bound.expr, tags: [] };
  }
  return { expr, tags: [...tags] };
}

/**
 * Binds `@columnTagged` placeholders to a source's columns: each predicate naming a tagged column is
 * repeated for every column carrying the tag (or one below it) and the copies ORed; with no such
 * column the predicate is FALSE (the rule then hides what it would have matched: failing closed).
 */
export function bindWhere(parsed: ParsedWhere, columns: readonly DataColumn[]): { expr: Expr; untagged: string[] } {
  if (parsed.tags.length === 0) return { expr: parsed.expr, untagged: [] };
  const byTag = new Map(parsed.tags.map((t) => [t, columns.filter((c) => c.tags.some((ct) => tagCovers(t, ct))).map((c) => c.name)]));
  const untagged = [...byTag].filter(([, cols]) => cols.length === 0).map(([t]) => t);
  const bind = (e: Expr): Expr => {
    switch (e.k) {
      case "and":
      case "or":
        return { k: e.k, args: e.args.map(bind) };
      case "not":
        return { k: "not", arg: bind(e.arg) };
      case "case":
        return caseOf(bind(e.when), e.then, e.else);
      default: {
        const tagsHere = [
          ...new Set(
            columnsOf(e)
              .map(taggedOf)
              .filter((t): t is string => t !== null),
          ),
        ];
        if (tagsHere.length === 0) return e;
        // Every combination of the tagged columns of this predicate (usually one tag, so one per column).
        let variants: Expr[] = [e];
        for (const tag of tagsHere) {
          const cols = byTag.get(tag) ?? [];
          variants = variants.flatMap((v) => cols.map((col) => renameColumn(v, taggedColumnName(tag), col)));
        }
        if (variants.length === 0) return { k: "literal", value: { k: "boolean", value: false } };
        return variants.length === 1 ? variants[0]! : { k: "or", args: variants };
      }
    }
  };
  return { expr: bind(parsed.expr), untagged };
}

/** Column names an expression reads (placeholders included), in order of appearance, with duplicates. */
export function columnsOf(e: Expr): string[] {
  switch (e.k) {
    case "column":
      return [e.name];
    case "withinDays":
    case "sample":
      return [e.column];
    case "literal":
    case "profile":
      return [];
    case "inProfileSet":
      return columnsOf(e.value);
    case "inList":
      return [e.value, ...e.list].flatMap(columnsOf);
    case "and":
    case "or":
      return e.args.flatMap(columnsOf);
    case "not":
      return columnsOf(e.arg);
    case "compare":
      return [...columnsOf(e.left), ...columnsOf(e.right)];
    case "isNull":
    case "like":
      return columnsOf(e.arg);
    case "between":
      return [e.arg, e.low, e.high].flatMap(columnsOf);
    case "call":
      return e.args.flatMap(columnsOf);
    case "case":
      return [e.when, e.then, e.else].flatMap(columnsOf);
    case "mask":
      return columnsOf(e.arg);
  }
}

function renameColumn(e: Expr, from: string, to: string): Expr {
  const r = (x: Expr) => renameColumn(x, from, to);
  switch (e.k) {
    case "column":
      return e.name === from ? { k: "column", name: to } : e;
    case "withinDays":
    case "sample":
      return e.column === from ? { ...e, column: to } : e;
    case "literal":
    case "profile":
      return e;
    case "inProfileSet":
      return { ...e, value: r(e.value) };
    case "inList":
      return { ...e, value: r(e.value), list: e.list.map(r) };
    case "and":
    case "or":
      return { k: e.k, args: e.args.map(r) };
    case "not":
      return { k: "not", arg: r(e.arg) };
    case "compare":
      return { ...e, left: r(e.left), right: r(e.right) };
    case "isNull":
    case "like":
      return { ...e, arg: r(e.arg) };
    case "between":
      return { ...e, arg: r(e.arg), low: r(e.low), high: r(e.high) };
    case "call":
      return { ...e, args: e.args.map(r) };
    case "case":
      return caseOf(r(e.when), r(e.then), r(e.else));
    case "mask":
      return { ...e, arg: r(e.arg) };
  }
}

class Converter {
  constructor(
    private readonly strings: readonly string[],
    private readonly identifiers: readonly string[],
    private readonly ctx: WhereContext,
    private readonly tags: Set<string>,
    private readonly render: (n: Node) => string,
  ) {}

  private refuse(what: string, n: unknown): never {
    let text = "";
    try {
      text = isNode(n) ? this.render(n) : String(n);
    } catch {
      text = String(isNode(n) ? n.type : n);
    }
    throw new Refused(`${what}: ${text.length > 80 ? `${text.slice(0, 80)}…` : text}`);
  }

  /** A node in boolean position. */
  condition(n: unknown): Expr {
    if (!isNode(n)) return this.refuse("expected a condition", n);
    if (n.type === "binary_expr") {
      const op = String(n.operator).toUpperCase();
      const left = n.left;
      const right = n.right;
      if (op === "AND" || op === "OR") {
        const k = op === "AND" ? "and" : "or";
        const args = [this.condition(left), this.condition(right)].flatMap((a) => (a.k === k ? a.args : [a]));
        return { k, args };
      }
      const cmp = COMPARE[op];
      if (cmp !== undefined) return { k: "compare", op: cmp, left: this.value(left), right: this.value(right) };
      if (op === "IN" || op === "NOT IN") {
        if (!isNode(right) || right.type !== "expr_list" || !Array.isArray(right.value)) return this.refuse("IN needs a list of values", n);
        const list = right.value.map((v) => this.value(v));
        return op === "IN" ? { k: "inList", value: this.value(left), list } : { k: "inList", value: this.value(left), list, negated: true };
      }
      if (op === "IS" || op === "IS NOT") {
        if (!isNode(right) || right.type !== "null") return this.refuse("only IS NULL and IS NOT NULL are allowed", n);
        return op === "IS" ? { k: "isNull", arg: this.value(left) } : { k: "isNull", arg: this.value(left), negated: true };
      }
      if (op === "LIKE" || op === "NOT LIKE") {
        const pattern = this.literal(right);
        if (pattern?.k !== "text") return this.refuse("LIKE needs a text pattern", n);
        const arg = this.value(left);
        return op === "LIKE" ? { k: "like", arg, pattern: pattern.value } : { k: "like", arg, pattern: pattern.value, negated: true };
      }
      if (op === "BETWEEN" || op === "NOT BETWEEN") {
        if (!isNode(right) || right.type !== "expr_list" || !Array.isArray(right.value) || right.value.length !== 2) {
          return this.refuse("BETWEEN needs two bounds", n);
        }
        const e: Expr = { k: "between", arg: this.value(left), low: this.value(right.value[0]), high: this.value(right.value[1]) };
        return op === "BETWEEN" ? e : { k: "not", arg: e };
      }
      return this.refuse(`the operator ${op} is not allowed`, n);
    }
    if (n.type === "function") {
      const name = functionName(n);
      const args = functionArgs(n);
      if (name === "not" && args?.length === 1) return { k: "not", arg: this.condition(args[0]) };
      const macro = macroOf(name);
      if (macro !== null && macro !== "username" && macro !== "columnTagged") return this.macroCondition(macro, args ?? [], n);
    }
    if (n.type === "bool") return { k: "literal", value: { k: "boolean", value: n.value === true } };
    // A boolean column (or a tagged one) may stand alone: `WHERE active`.
    if (n.type === "column_ref" || (n.type === "function" && macroOf(functionName(n)) === "columnTagged")) {
      return this.value(n);
    }
    return this.refuse("not allowed as a condition", n);
  }

  private macroCondition(macro: Exclude<Macro, "username" | "columnTagged">, args: unknown[], n: Node): Expr {
    const texts = this.macroArgs(macro, args, n);
    switch (macro) {
      case "groupsContains":
        return { k: "inProfileSet", value: text(texts[0]!), set: { k: "groups" } };
      case "purposesContain":
        return { k: "inProfileSet", value: text(texts[0]!), set: { k: "purposes" } };
      case "attributeValuesContains": {
        const key = texts[0]!;
        if (this.ctx.attributeKeys !== undefined && !this.ctx.attributeKeys.includes(key)) {
          throw new Refused(`@attributeValuesContains names the unknown attribute ${key}`);
        }
        return { k: "inProfileSet", value: text(texts[1]!), set: { k: "attributeValues", key } };
      }
    }
  }

  private macroArgs(macro: Macro, args: unknown[], n: Node): string[] {
    const arity = MACRO_ARITY[macro];
    if (args.length !== arity) throw new Refused(`@${macro} takes ${arity} text argument${arity === 1 ? "" : "s"}`);
    return args.map((a) => {
      const lit = this.literal(a);
      if (lit?.k !== "text" || lit.value.length === 0) return this.refuse(`@${macro} takes non-empty text literals ('…')`, n);
      return lit.value;
    });
  }

  /** A node in value position. */
  value(n: unknown): Expr {
    if (!isNode(n)) return this.refuse("expected a value", n);
    const lit = this.literal(n);
    if (lit !== null) return { k: "literal", value: lit };
    if (n.type === "column_ref") return { k: "column", name: this.column(n) };
    if (n.type === "function") {
      const name = functionName(n);
      const args = functionArgs(n);
      if (args === null) return this.refuse("not allowed", n);
      const macro = macroOf(name);
      if (macro === "username") {
        if (args.length !== 0) throw new Refused("@username takes no arguments");
        return { k: "profile", ref: { k: "username" } };
      }
      if (macro === "columnTagged") {
        const [tag] = this.macroArgs(macro, args, n);
        if (!/^[^.\s]+(\.[^.\s]+)*$/.test(tag!)) throw new Refused(`@columnTagged needs a tag such as PII.Email, got ${tag}`);
        this.tags.add(tag!);
        return { k: "column", name: taggedColumnName(tag!) };
      }
      if (macro !== null) throw new Refused(`@${macro} is a condition, not a value`);
      const fn = Object.hasOwn(ALLOWED_FUNCTIONS, name) ? (name as AllowedFunction) : null;
      if (fn === null) return this.refuse(`the function ${name} is not allowed (allowed: ${Object.keys(ALLOWED_FUNCTIONS).join(", ")})`, n);
      const { min, max } = ALLOWED_FUNCTIONS[fn];
      if (args.length < min || args.length > max) throw new Refused(`${fn} takes ${min === max ? min : `${min} to ${max}`} argument(s)`);
      return { k: "call", fn, args: args.map((a) => this.value(a)) };
    }
    return this.refuse("not allowed as a value", n);
  }

  /** A literal, or null when `n` is not one. */
  private literal(n: unknown): Literal | null {
    if (!isNode(n)) return null;
    switch (n.type) {
      case "single_quote_string": {
        const m = /^__steward_str_(\d+)$/.exec(String(n.value));
        const s = m ? this.strings[Number(m[1])] : undefined;
        if (s === undefined) return this.refuse("unexpected string", n);
        return { k: "text", value: s };
      }
      case "number":
      case "bigint": {
        const v = Number(n.value);
        if (!Number.isFinite(v)) return this.refuse("the number is out of range", n);
        return { k: "number", value: v };
      }
      case "bool":
        return { k: "boolean", value: n.value === true };
      case "null":
        return { k: "null" };
      case "date": {
        const m = /^__steward_str_(\d+)$/.exec(String(n.value));
        const d = m ? this.strings[Number(m[1])] : undefined;
        if (d === undefined || !isIsoDate(d)) return this.refuse("DATE needs a valid 'YYYY-MM-DD'", n);
        return { k: "date", value: d };
      }
      default:
        return null;
    }
  }

  private column(n: Node): string {
    if (n.table !== null && n.table !== undefined) return this.refuse("qualified column names are not allowed (write the column alone)", n);
    const col = isNode(n.column) ? n.column.expr : n.column;
    const raw = isNode(col) ? String(col.value) : String(col);
    const m = /^__steward_ident_(\d+)$/.exec(raw);
    const quoted = m ? this.identifiers[Number(m[1])] : undefined;
    if (m && quoted === undefined) return this.refuse("unexpected identifier", n);
    const cols = this.ctx.columns;
    if (quoted !== undefined) {
      if (cols !== undefined && !cols.some((c) => c.name === quoted)) throw new Refused(`the data source has no column "${quoted}"`);
      return quoted;
    }
    if (raw === "*") return this.refuse("* is not a value", n);
    // Unquoted names: an exact match first, else the one column equal ignoring case (SQL folds them).
    if (cols === undefined) return raw.toLowerCase();
    const exact = cols.find((c) => c.name === raw);
    if (exact) return exact.name;
    const folded = cols.filter((c) => c.name.toLowerCase() === raw.toLowerCase());
    if (folded.length === 1) return folded[0]!.name;
    throw new Refused(
      folded.length === 0 ? `the data source has no column ${raw}` : `${raw} matches several columns; quote the one you mean ("…")`,
    );
  }
}

function functionName(n: Node): string {
  const name = isNode(n.name) && Array.isArray(n.name.name) ? n.name.name : [];
  if (name.length !== 1 || !isNode(name[0])) return "";
  return String(name[0].value).toLowerCase();
}

function functionArgs(n: Node): unknown[] | null {
  if (n.over !== undefined && n.over !== null) return null;
  const args = n.args;
  if (args === undefined || args === null) return [];
  if (!isNode(args) || args.type !== "expr_list" || !Array.isArray(args.value)) return null;
  if (args.distinct !== undefined && args.distinct !== null) return null;
  return args.value;
}

function macroOf(name: string): Macro | null {
  return MACROS.find((m) => macroCall(m) === name) ?? null;
}

function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function fragmentAt(sql: string, at: number): string {
  const frag = sql.slice(at, at + 30);
  return frag.trim().length === 0 ? "end of input" : `"${frag}${sql.length > at + 30 ? "…" : ""}"`;
}

/** Error messages render the parser's view; put the author's strings and identifiers back. */
function restoreText(message: string, strings: readonly string[], identifiers: readonly string[]): string {
  return message
    .replace(/__steward_str_(\d+)/g, (m, i) => {
      const s = strings[Number(i)];
      return s === undefined ? m : s.replaceAll("'", "''");
    })
    .replace(/"?__steward_ident_(\d+)"?/g, (m, i) => {
      const s = identifiers[Number(i)];
      return s === undefined ? m : `"${s.replaceAll('"', '""')}"`;
    })
    .replace(/__steward_m_(\w+?)\(/gi, (m, name) => {
      const macro = MACROS.find((x) => x.toLowerCase() === String(name).toLowerCase());
      return macro ? `@${macro}(` : m;
    });
}
