/**
 * What Steward answers when Trino asks for a row filter or a column mask: Trino SQL expressions,
 * evaluated by Trino in the table's catalog and schema, with bare column names. The source's
 * `PolicyViewSpec` (the same intermediate form policy views are built from) is specialised for the
 * querying user (specialize.ts) and compiled by the shared compiler with the Trino dialect, so the
 * semantics are the ones every platform shares (sql/policy/dialect.ts).
 *
 * Trino's rules are kept by construction: a row filter is boolean (comparisons, IN, AND/OR/NOT,
 * LIKE…, never a bare value); a mask is CAST to the column's type (text-form masks on non-text
 * columns show NULL instead: mask-types.ts); nothing aggregates or windows.
 */
import type { Expr, PolicyViewSpec, ProfileFacts, ProfileRow } from "@steward/policy";
import { baseType, type CompileContext, compileExpr } from "../sql/policy/compile";
import type { PolicyDialect, ProfileSet } from "../sql/policy/dialect";
import { quoteTrinoLiteral } from "../sql/quote";
import { keepColumnTypes } from "./mask-types";
import { castToTrinoType, trinoDialect } from "./policy-dialect";
import { profileSetValues, specialize } from "./specialize";

/**
 * The Trino dialect with membership bound to one user's sets: the one profile fact specialisation
 * leaves (a non-text value compared by its text form, which the compiler renders before calling).
 */
function membershipDialect(profile: ProfileFacts): PolicyDialect {
  return {
    ...trinoDialect,
    inProfileSet: (valueText: string, set: ProfileSet) => {
      const elements = [...new Set(profileSetValues(profile, set))];
      if (elements.length === 0) return `(CASE WHEN ${valueText} IS NULL THEN NULL ELSE FALSE END)`;
      return `(${valueText} IN (${elements.map((e) => quoteTrinoLiteral(e)).join(", ")}))`;
    },
  };
}

function compileContext(spec: PolicyViewSpec, profile: ProfileFacts | null, salt: string): CompileContext {
  return {
    dialect: profile === null ? trinoDialect : membershipDialect(profile),
    env: { profile: "", salt: quoteTrinoLiteral(salt) },
    columns: new Map(spec.columns.map((c) => [c.name, { type: baseType(c), dataType: c.dataType || null }])),
    alias: null,
    warnings: [],
  };
}

const columnTypes = (spec: PolicyViewSpec) => new Map(spec.columns.map((c) => [c.name, baseType(c)]));

const isLiteral = (e: Expr, k: "boolean" | "null", value?: boolean) =>
  e.k === "literal" && e.value.k === k && (value === undefined || (e.value.k === "boolean" && e.value.value === value));

/**
 * The row filter for `profile` (null: a user Steward does not know — every row is hidden): the AND of
 * the source's row rules, specialised. Null when the source has none, or the user is exempt from all.
 */
export function trinoRowFilter(spec: PolicyViewSpec, profile: ProfileRow | null, salt: string): string | null {
  if (spec.rowFilter === null) return null;
  if (profile === null) return "FALSE";
  const filter = specialize(spec.rowFilter, profile, columnTypes(spec));
  if (isLiteral(filter, "boolean", true)) return null;
  if (isLiteral(filter, "boolean", false) || isLiteral(filter, "null")) return "FALSE";
  return compileExpr(filter, compileContext(spec, profile, salt), "rowFilter");
}

/**
 * The mask of `column` for `profile` (null: an unknown user, to whom no exception applies), CAST to
 * `columnType` (Trino's spelling of the column's type, e.g. `varchar(255)`; defaults to the type the
 * catalog sync recorded). Null when this user sees the column's values unchanged.
 */
export function trinoColumnMask(
  spec: PolicyViewSpec,
  column: string,
  profile: ProfileRow | null,
  salt: string,
  columnType?: string,
): string | null {
  const viewColumn = spec.columns.find((c) => c.name === column);
  if (viewColumn === undefined) return null;
  const expr = keepColumnTypes(specialize(viewColumn.expr, profile, columnTypes(spec)));
  if (expr.k === "column" && expr.name === column) return null;
  const sql = compileExpr(expr, compileContext(spec, profile, salt), `columns.${column}`);
  return castToTrinoType(sql, columnType ?? viewColumn.dataType);
}
