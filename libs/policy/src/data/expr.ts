import type { Expr } from "./types";

/** Small constructors for the intermediate form, shared by the parser, the resolver and tests. */

export const TRUE: Expr = { k: "literal", value: { k: "boolean", value: true } };
export const FALSE: Expr = { k: "literal", value: { k: "boolean", value: false } };
export const text = (value: string): Expr => ({ k: "literal", value: { k: "text", value } });
export const column = (name: string): Expr => ({ k: "column", name });

/** `CASE WHEN when THEN then ELSE else END`. */
export function caseOf(when: Expr, thenExpr: Expr, elseExpr: Expr): Expr {
  // biome-ignore lint/suspicious/noThenProperty: the shared intermediate form names the branch `then`; Expr values are never awaited.
  return { k: "case", when, then: thenExpr, else: elseExpr };
}

/** AND / OR of `args`, flattened; one argument stands alone, none is the operator's identity. */
export function andOf(args: readonly Expr[]): Expr {
  const flat = args.flatMap((a) => (a.k === "and" ? a.args : [a]));
  return flat.length === 0 ? TRUE : flat.length === 1 ? flat[0]! : { k: "and", args: flat };
}
export function orOf(args: readonly Expr[]): Expr {
  const flat = args.flatMap((a) => (a.k === "or" ? a.args : [a]));
  return flat.length === 0 ? FALSE : flat.length === 1 ? flat[0]! : { k: "or", args: flat };
}
