/**
 * Trino refuses a column mask whose type is not the column's (or implicitly coercible to it), where
 * a policy view simply turns the column into text. So the masks that render a value's text form
 * (hash, regexReplace, showLast) on a column that is not text show NULL on Trino instead: fail
 * closed, and of the column's type. Text columns keep them (cast back to their varchar(n) / char(n),
 * which may cut a hash short: still nothing of the value shows).
 */
import { assertNever } from "@steward/core";
import type { Expr } from "@steward/policy";
import { maskFits, maskOutputType } from "../sql/policy/compile";

/** `expr` with every text-form mask on a non-text value replaced by a NULL mask of that value's type. */
export function keepColumnTypes(expr: Expr): Expr {
  const k = keepColumnTypes;
  switch (expr.k) {
    case "mask": {
      const arg = k(expr.arg);
      const changesType = maskFits(expr.mask, expr.type) && maskOutputType(expr.mask, expr.type) !== expr.type;
      return changesType ? { k: "mask", mask: { kind: "null" }, arg, type: expr.type } : { ...expr, arg };
    }
    case "column":
    case "literal":
    case "profile":
    case "withinDays":
    case "sample":
      return expr;
    case "inProfileSet":
      return { ...expr, value: k(expr.value) };
    case "inList":
      return { ...expr, value: k(expr.value), list: expr.list.map(k) };
    case "and":
    case "or":
      return { ...expr, args: expr.args.map(k) };
    case "call":
      return { ...expr, args: expr.args.map(k) };
    case "not":
    case "isNull":
    case "like":
      return { ...expr, arg: k(expr.arg) };
    case "compare":
      return { ...expr, left: k(expr.left), right: k(expr.right) };
    case "between":
      return { ...expr, arg: k(expr.arg), low: k(expr.low), high: k(expr.high) };
    case "case":
      // biome-ignore lint/suspicious/noThenProperty: the IR's CASE node names its branch `then`
      return { ...expr, when: k(expr.when), then: k(expr.then), else: k(expr.else) };
    default:
      return assertNever(expr, "expression");
  }
}
