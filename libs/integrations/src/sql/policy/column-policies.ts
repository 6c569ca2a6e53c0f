/**
 * Helpers for platforms that enforce data policies as one policy object per masked column and one
 * per filtered table (Snowflake masking / row access policies, Databricks mask / row-filter UDFs)
 * rather than as a view: such an object names the columns it reads and must return its column's type.
 */
import type { Expr, PolicyViewSpec } from "@steward/policy";
import type { ColumnInfo } from "./compile";

/**
 * Type names as the platforms' catalogs print them (`TEXT`, `NUMBER(10,2)`, `TIMESTAMP_NTZ`),
 * optionally with precision: the only type text ever pasted into SQL (casts, signatures).
 */
const SAFE_TYPE = /^[A-Z][A-Z0-9_]{0,30}( ?\(\d{1,5}(, ?\d{1,4})?\))?$/;

export function safeTypeName(dataType: string | null | undefined): string | null {
  if (dataType === null || dataType === undefined) return null;
  const t = dataType.trim().toUpperCase();
  return SAFE_TYPE.test(t) ? t : null;
}

/** The column map the compiler reads, remembering which columns an expression used (the policy's arguments). */
export class RecordingColumns extends Map<string, ColumnInfo> {
  readonly used: string[] = [];
  override get(name: string): ColumnInfo | undefined {
    if (!this.used.includes(name) && super.has(name)) this.used.push(name);
    return super.get(name);
  }
}

/**
 * A per-column policy must return its column's own type. A text-form mask (hash, showLast, regex) on
 * a non-text column would return text, so it becomes NULL of the column's type: exceptions (the
 * clear-value branch) still apply, and the fallback is reported through `warn`.
 */
export function sameTypeMasks(expr: Expr, native: ColumnInfo["type"], warn: (m: string) => void, policyNoun: string): Expr {
  if (
    expr.k === "mask" &&
    native !== "text" &&
    (expr.mask.kind === "hash" || expr.mask.kind === "showLast" || expr.mask.kind === "regexReplace")
  ) {
    warn(`mask ${expr.mask.kind} would turn a ${native} column into text, which a ${policyNoun} cannot return; NULL is shown instead`);
    return { ...expr, mask: { kind: "null" } };
  }
  if (expr.k === "case")
    // biome-ignore lint/suspicious/noThenProperty: the IR names a CASE branch "then"
    return { ...expr, then: sameTypeMasks(expr.then, native, warn, policyNoun), else: sameTypeMasks(expr.else, native, warn, policyNoun) };
  return expr;
}

/** A column the spec passes through unchanged (no policy object needed). */
export const isClearColumn = (c: PolicyViewSpec["columns"][number]) => c.expr.k === "column" && c.expr.name === c.name;
