/**
 * Dialect-neutral compiler of the data-policy intermediate form (`Expr`, `PolicyViewSpec` from
 * @steward/policy) to SQL. It owns the structure — the tree walk, static typing of CASE branches,
 * empty AND/OR/IN, the subscription guard, the view's SELECT — and asks a `PolicyDialect` (one file
 * per platform) for every token that differs between platforms. Nothing here is SQL text taken from
 * the input: identifiers go through `dialect.ident`, values through `dialect.literal`, operators and
 * functions are checked against closed sets.
 *
 * Type safety net: the engine already chose type fallbacks (`ViewColumn.fallback`). Should a mask
 * still reach us on a type it cannot be computed for (roundNumber on text, a constant the type cannot
 * represent), we render NULL instead — never a view that fails to build or errors at query time —
 * and report it in `warnings`.
 */
import { assertNever } from "@steward/core";
import type { ColumnType, CompareOp, Expr, Literal, Mask, PolicyViewSpec } from "@steward/policy";
import { type MaskTarget, PolicyCompileError, type PolicyDialect, type ProfileEnv, sampleThreshold } from "./dialect";

/** The table alias columns are qualified with, so profile subqueries can never capture a base column. */
export const SOURCE_ALIAS = "steward_src";

const COMPARE_OPS: ReadonlySet<CompareOp> = new Set(["=", "<>", "<", "<=", ">", ">="]);
const FUNCTIONS: ReadonlySet<string> = new Set(["lower", "upper", "length", "coalesce", "trim"]);
const NUMERIC: ReadonlySet<ColumnType> = new Set(["integer", "decimal", "float"]);
const TEMPORAL: ReadonlySet<ColumnType> = new Set(["date", "timestamp", "timestamptz"]);

/** `unknown`: a NULL literal, which takes the type of whatever it meets. */
type StaticType = ColumnType | "unknown";

export type ColumnInfo = { type: ColumnType; dataType: string | null };

export type CompileContext = {
  dialect: PolicyDialect;
  env: ProfileEnv;
  /** The base relation's columns by name; references to anything else are refused. */
  columns: ReadonlyMap<string, ColumnInfo>;
  /** Qualify column references with this alias (`SOURCE_ALIAS` in views); null: bare names. */
  alias: string | null;
  warnings: string[];
  /** Inside a `once` subtree already (no nested wrapping). */
  inOnce?: boolean;
};

/** Whether a constant mask's text can be represented in the column type (else NULL is rendered). */
export function constantFits(value: string, type: ColumnType): boolean {
  switch (type) {
    case "text":
      return true;
    case "integer":
      return /^-?\d{1,18}$/.test(value);
    case "decimal":
    case "float":
      return /^-?\d{1,30}(\.\d{1,30})?$/.test(value);
    case "boolean":
      return value === "true" || value === "false";
    case "date":
      return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value));
    case "timestamp":
    case "timestamptz":
      return (
        /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}(:\d{2})?)?$/.test(value) &&
        !Number.isNaN(Date.parse(value.replace(" ", "T")))
      );
    case "other":
      return false;
    default:
      return assertNever(type, "column type");
  }
}

/** Whether the dialect can compute `mask` on a value of `type` (hash/regex/showLast work on the text form). */
export function maskFits(mask: Mask, type: ColumnType): boolean {
  switch (mask.kind) {
    case "null":
    case "hash":
    case "regexReplace":
    case "showLast":
      return true;
    case "constant":
      return constantFits(mask.value, type);
    case "roundNumber":
      return NUMERIC.has(type);
    case "roundDate":
      return TEMPORAL.has(type);
    default:
      return assertNever(mask, "mask");
  }
}

/** The type class a mask produces: text-form masks turn any column into text (documented fallback). */
export function maskOutputType(mask: Mask, type: ColumnType): ColumnType {
  switch (mask.kind) {
    case "hash":
    case "regexReplace":
    case "showLast":
      return "text";
    case "null":
    case "constant":
    case "roundNumber":
    case "roundDate":
      return type;
    default:
      return assertNever(mask, "mask");
  }
}

function literalType(value: Literal): StaticType {
  switch (value.k) {
    case "text":
      return "text";
    case "number":
      return Number.isInteger(value.value) ? "integer" : "decimal";
    case "boolean":
      return "boolean";
    case "null":
      return "unknown";
    case "date":
      return "date";
    default:
      return assertNever(value, "literal");
  }
}

function columnInfo(name: string, ctx: CompileContext, path: string): ColumnInfo {
  const info = ctx.columns.get(name);
  if (!info) throw new PolicyCompileError(`unknown column ${JSON.stringify(name)}`, path);
  return info;
}

/** The static type class of an expression, to reconcile CASE branches (a hashed integer is text). */
export function typeOf(expr: Expr, ctx: CompileContext, path = "expr"): StaticType {
  switch (expr.k) {
    case "column":
      return columnInfo(expr.name, ctx, path).type;
    case "literal":
      return literalType(expr.value);
    case "profile":
      return "text";
    case "call":
      if (expr.fn === "length") return "integer";
      if (expr.fn === "coalesce") return expr.args.map((a) => typeOf(a, ctx, path)).find((t) => t !== "unknown") ?? "unknown";
      return "text";
    case "case": {
      const then = typeOf(expr.then, ctx, path);
      const otherwise = typeOf(expr.else, ctx, path);
      if (then === otherwise || otherwise === "unknown") return then;
      if (then === "unknown") return otherwise;
      return then === "text" || otherwise === "text" ? "text" : then;
    }
    case "mask":
      return maskFits(expr.mask, expr.type) ? maskOutputType(expr.mask, expr.type) : expr.type;
    case "inProfileSet":
    case "inList":
    case "and":
    case "or":
    case "not":
    case "compare":
    case "isNull":
    case "like":
    case "between":
    case "withinDays":
    case "sample":
      return "boolean";
    default:
      return assertNever(expr, "expression");
  }
}

function columnRef(name: string, ctx: CompileContext, path: string): string {
  columnInfo(name, ctx, path);
  const ref = ctx.dialect.ident(name);
  return ctx.alias === null ? ref : `${ctx.dialect.ident(ctx.alias)}.${ref}`;
}

function maskTarget(expr: Extract<Expr, { k: "mask" }>, ctx: CompileContext): MaskTarget {
  // The native type is known when the mask applies straight to a column of the same class.
  const info = expr.arg.k === "column" ? ctx.columns.get(expr.arg.name) : undefined;
  return { type: expr.type, dataType: info && info.type === expr.type ? info.dataType : null };
}

function compileMask(expr: Extract<Expr, { k: "mask" }>, ctx: CompileContext, path: string): string {
  const { dialect } = ctx;
  const target = maskTarget(expr, ctx);
  const { mask } = expr;
  if (!maskFits(mask, expr.type)) {
    ctx.warnings.push(`${path}: mask ${mask.kind} cannot be computed on a ${expr.type} value; NULL is shown instead`);
    return dialect.masks.null(target);
  }
  const arg = () => compileExpr(expr.arg, ctx, `${path}.arg`);
  switch (mask.kind) {
    case "null":
      return dialect.masks.null(target);
    case "constant":
      return dialect.masks.constant(mask.value, target);
    case "hash":
      return dialect.masks.hash(arg(), target, ctx.env);
    case "regexReplace":
      return dialect.masks.regexReplace(arg(), mask.pattern, mask.replacement, target);
    case "roundNumber":
      if (!Number.isFinite(mask.bucket) || mask.bucket <= 0)
        throw new PolicyCompileError("bucket must be a positive number", `${path}.mask.bucket`);
      return dialect.masks.roundNumber(arg(), mask.bucket, target);
    case "roundDate":
      if (mask.unit !== "month" && mask.unit !== "year") throw new PolicyCompileError("unit must be month or year", `${path}.mask.unit`);
      return dialect.masks.roundDate(arg(), mask.unit, target);
    case "showLast":
      if (!Number.isInteger(mask.count) || mask.count < 0)
        throw new PolicyCompileError("count must be a non-negative integer", `${path}.mask.count`);
      return dialect.masks.showLast(arg(), mask.count, target);
    default:
      return assertNever(mask, "mask");
  }
}

/** One CASE branch, turned into text when the other branch is text (a masked integer next to its clear value). */
function branch(expr: Expr, own: StaticType, other: StaticType, ctx: CompileContext, path: string): string {
  const sql = compileExpr(expr, ctx, path);
  return other === "text" && own !== "text" && own !== "unknown" ? ctx.dialect.toText(sql, own) : sql;
}

/** Reads no column (so it is the same for every row) and reads the profile (so it is not a constant). */
function profileOnly(expr: Expr): { rowIndependent: boolean; readsProfile: boolean } {
  switch (expr.k) {
    case "column":
    case "withinDays":
    case "sample":
      return { rowIndependent: false, readsProfile: false };
    case "literal":
      return { rowIndependent: true, readsProfile: false };
    case "profile":
      return { rowIndependent: true, readsProfile: true };
    case "inProfileSet": {
      const v = profileOnly(expr.value);
      return { rowIndependent: v.rowIndependent, readsProfile: true };
    }
    default: {
      const parts = children(expr).map(profileOnly);
      return { rowIndependent: parts.every((p) => p.rowIndependent), readsProfile: parts.some((p) => p.readsProfile) };
    }
  }
}

function children(expr: Expr): Expr[] {
  switch (expr.k) {
    case "inList":
      return [expr.value, ...expr.list];
    case "and":
    case "or":
    case "call":
      return [...expr.args];
    case "not":
    case "isNull":
    case "like":
      return [expr.arg];
    case "compare":
      return [expr.left, expr.right];
    case "between":
      return [expr.arg, expr.low, expr.high];
    case "case":
      return [expr.when, expr.then, expr.else];
    case "mask":
      return [expr.arg];
    case "inProfileSet":
      return [expr.value];
    case "column":
    case "literal":
    case "profile":
    case "withinDays":
    case "sample":
      return [];
    default:
      return assertNever(expr, "expression");
  }
}

export function compileExpr(expr: Expr, ctx: CompileContext, path = "expr"): string {
  if (!ctx.inOnce && expr.k !== "profile") {
    const shape = profileOnly(expr);
    if (shape.rowIndependent && shape.readsProfile) return ctx.dialect.once(compileNode(expr, { ...ctx, inOnce: true }, path));
  }
  return compileNode(expr, ctx, path);
}

function compileNode(expr: Expr, ctx: CompileContext, path: string): string {
  const { dialect } = ctx;
  const sub = (e: Expr, p: string) => compileExpr(e, ctx, `${path}.${p}`);
  switch (expr.k) {
    case "column":
      return columnRef(expr.name, ctx, path);
    case "literal":
      return dialect.literal(expr.value);
    case "profile":
      return dialect.profileUsername(ctx.env);
    case "inProfileSet": {
      const value = sub(expr.value, "value");
      const type = typeOf(expr.value, ctx, path);
      return dialect.inProfileSet(
        type === "text" ? value : dialect.toText(value, type === "unknown" ? undefined : type),
        expr.set,
        ctx.env,
      );
    }
    case "inList": {
      if (expr.list.length === 0) return dialect.literal({ k: "boolean", value: expr.negated === true });
      const items = expr.list.map((e, i) => sub(e, `list[${i}]`)).join(", ");
      return `(${sub(expr.value, "value")}${expr.negated ? " NOT" : ""} IN (${items}))`;
    }
    case "and":
    case "or": {
      if (expr.args.length === 0) return dialect.literal({ k: "boolean", value: expr.k === "and" });
      if (expr.args.length === 1) return sub(expr.args[0]!, "args[0]");
      return `(${expr.args.map((a, i) => sub(a, `args[${i}]`)).join(expr.k === "and" ? " AND " : " OR ")})`;
    }
    case "not":
      return `(NOT ${sub(expr.arg, "arg")})`;
    case "compare":
      if (!COMPARE_OPS.has(expr.op)) throw new PolicyCompileError(`operator ${JSON.stringify(expr.op)} is not allowed`, `${path}.op`);
      return `(${sub(expr.left, "left")} ${expr.op} ${sub(expr.right, "right")})`;
    case "isNull":
      return `(${sub(expr.arg, "arg")} IS${expr.negated ? " NOT" : ""} NULL)`;
    case "like":
      return dialect.like(sub(expr.arg, "arg"), expr.pattern, expr.negated === true);
    case "between":
      return `(${sub(expr.arg, "arg")} BETWEEN ${sub(expr.low, "low")} AND ${sub(expr.high, "high")})`;
    case "call":
      if (!FUNCTIONS.has(expr.fn)) throw new PolicyCompileError(`function ${JSON.stringify(expr.fn)} is not allowed`, `${path}.fn`);
      return dialect.call(
        expr.fn,
        expr.args.map((a, i) => sub(a, `args[${i}]`)),
      );
    case "case": {
      const then = typeOf(expr.then, ctx, path);
      const otherwise = typeOf(expr.else, ctx, path);
      return `CASE WHEN ${sub(expr.when, "when")} THEN ${branch(expr.then, then, otherwise, ctx, `${path}.then`)} ELSE ${branch(expr.else, otherwise, then, ctx, `${path}.else`)} END`;
    }
    case "mask":
      return compileMask(expr, ctx, path);
    case "withinDays":
      if (!Number.isInteger(expr.days) || expr.days <= 0) throw new PolicyCompileError("days must be a positive integer", `${path}.days`);
      return dialect.withinDays(columnRef(expr.column, ctx, path), expr.days);
    case "sample":
      return dialect.sample(
        dialect.toText(columnRef(expr.column, ctx, path), columnInfo(expr.column, ctx, path).type),
        sampleThreshold(expr.percent),
      );
    default:
      return assertNever(expr, "expression");
  }
}

export type ViewSelectOptions = {
  dialect: PolicyDialect;
  /** The base relation's catalog path (e.g. [schema, table]); quoted here. */
  base: readonly string[];
  /** Defaults to the dialect's system profile view and salt table; previews substitute their own. */
  env?: ProfileEnv;
};

/**
 * The base column's own type class. `ViewColumn.type` is the view column's type, which a text-form
 * mask (hash / showLast / regex fallback on a number or date) turned into text; references to the
 * base column inside the expression still have the native type, and the CASE branches must be typed
 * from that (else `CASE … THEN <integer> ELSE <text>` fails to build). The mask node records it.
 */
export function baseType(c: PolicyViewSpec["columns"][number]): ColumnType {
  const find = (e: Expr): ColumnType | null => {
    if (e.k === "mask" && e.arg.k === "column" && e.arg.name === c.name) return e.type;
    for (const child of children(e)) {
      const t = find(child);
      if (t !== null) return t;
    }
    return null;
  };
  return find(c.expr) ?? c.type;
}

export type CompiledView = { select: string; warnings: string[] };

/**
 * The SELECT of one source's policy view: every spec column (masked or clear) under its own name,
 * rows limited to users whose profile lists the source (subscription guard) and to the row filter.
 */
export function compileViewSelect(spec: PolicyViewSpec, options: ViewSelectOptions): CompiledView {
  const { dialect } = options;
  const ctx: CompileContext = {
    dialect,
    env: options.env ?? dialect.systemEnv(),
    columns: new Map(spec.columns.map((c) => [c.name, { type: baseType(c), dataType: c.dataType || null }])),
    alias: SOURCE_ALIAS,
    warnings: [],
  };
  if (spec.columns.length === 0) throw new PolicyCompileError("a policy view needs at least one column", "columns");
  const names = new Set<string>();
  const columns = spec.columns.map((c, i) => {
    if (names.has(c.name)) throw new PolicyCompileError(`duplicate column ${JSON.stringify(c.name)}`, `columns[${i}]`);
    names.add(c.name);
    return `${compileExpr(c.expr, ctx, `columns[${i}].expr`)} AS ${dialect.ident(c.name)}`;
  });
  const guard = compileExpr(
    { k: "inProfileSet", value: { k: "literal", value: { k: "text", value: spec.sourceId } }, set: { k: "sources" } },
    ctx,
    "guard",
  );
  const where = spec.rowFilter ? `${guard}\n  AND ${compileExpr(spec.rowFilter, ctx, "rowFilter")}` : guard;
  const select = `SELECT\n  ${columns.join(",\n  ")}\nFROM ${dialect.qualified(options.base)} AS ${dialect.ident(SOURCE_ALIAS)}\nWHERE ${where}`;
  return { select, warnings: ctx.warnings };
}
