/**
 * Partial evaluation of the data-policy IR for one known user. Trino asks for row filters and masks
 * per query with the user in hand, so the profile facts that views read at query time
 * (sql/policy/dialect.ts) are folded in here instead: `profile username` becomes a text literal, set
 * membership becomes an IN list of the user's values, and boolean constants are folded through
 * AND / OR / NOT / CASE so an exception that applies (or does not) disappears from the expression.
 *
 * The result evaluates exactly as the original does with the same profile (`evaluateExpr` is the
 * reference; specialize.test.ts checks it on random trees). A `null` profile is an unknown user:
 * every profile fact is NULL, so row rules hide rows and exceptions do not apply (fail closed), as
 * on platforms where the user has no profile row.
 *
 * One membership test survives: a value whose type is not text (a matchGroups rule on an integer or
 * timestamp column) is compared by its canonical text form, and the IR has no node for "text form of"
 * — so `inProfileSet` stays, with the set already known, and the Trino compiler renders it from the
 * same profile (`membershipDialect` in policy-expressions.ts). Every other profile reference is gone.
 */
import { assertNever } from "@steward/core";
import { type ColumnType, type Expr, evaluateExpr, FALSE, type Literal, type ProfileFacts, TRUE, text, type Value } from "@steward/policy";

export const NULL_LITERAL: Expr = { k: "literal", value: { k: "null" } };

type ProfileSet = Extract<Expr, { k: "inProfileSet" }>["set"];

/** The user's elements of a profile set (empty when they have none). */
export function profileSetValues(profile: ProfileFacts, set: ProfileSet): readonly string[] {
  switch (set.k) {
    case "groups":
      return profile.groups;
    case "purposes":
      return profile.purposes;
    case "sources":
      return profile.sources;
    case "attributeValues":
      return profile.attributes[set.key] ?? [];
    default:
      return assertNever(set, "profile set");
  }
}

/** A folded value as a literal; instants are not folded (the IR has no timestamp literal). */
function literalOf(v: Value): Expr | null {
  if (v === null) return NULL_LITERAL;
  const lit = (value: Literal): Expr => ({ k: "literal", value });
  if (typeof v === "string") return lit({ k: "text", value: v });
  if (typeof v === "number") return Number.isFinite(v) ? lit({ k: "number", value: v }) : null;
  if (typeof v === "boolean") return lit({ k: "boolean", value: v });
  return null;
}

const isLiteral = (e: Expr): e is Extract<Expr, { k: "literal" }> => e.k === "literal";
const isBool = (e: Expr, value: boolean) => e.k === "literal" && e.value.k === "boolean" && e.value.value === value;
const isNullLiteral = (e: Expr) => e.k === "literal" && e.value.k === "null";

/** Whether `e` is text whenever it is not NULL, so IN over text literals compares what the set holds. */
function isTextValued(e: Expr, columnTypes: ReadonlyMap<string, ColumnType> | undefined): boolean {
  if (e.k === "column") return columnTypes?.get(e.name) === "text";
  if (e.k === "call") return e.fn === "lower" || e.fn === "upper" || e.fn === "trim";
  return false;
}

/** Facts for folding subtrees that read no profile (any profile would do; this one has nothing). */
const NO_FACTS: ProfileFacts = { username: "", groups: [], attributes: {}, purposes: [], sources: [] };

/** Evaluates a node whose operands are all literals, when the result is a value the IR can hold. */
function fold(expr: Expr, profile: ProfileFacts | null): Expr {
  return literalOf(evaluateExpr(expr, {}, profile ?? NO_FACTS, "")) ?? expr;
}

function foldAndOr(kind: "and" | "or", args: readonly Expr[]): Expr {
  // AND: one FALSE decides, TRUEs drop out; OR the other way round. NULLs stay (three-valued logic).
  const decisive = kind === "or";
  if (args.some((a) => isBool(a, decisive))) return decisive ? TRUE : FALSE;
  const rest = args.filter((a) => !isBool(a, !decisive));
  if (rest.length === 0) return decisive ? FALSE : TRUE;
  if (rest.every(isNullLiteral)) return NULL_LITERAL;
  return rest.length === 1 ? rest[0]! : { k: kind, args: rest };
}

/**
 * `expr` with every profile fact of `profile` (null: an unknown user) folded in. `columnTypes` (the
 * base columns' type classes) lets membership on text columns become a plain IN list.
 */
export function specialize(expr: Expr, profile: ProfileFacts | null, columnTypes?: ReadonlyMap<string, ColumnType>): Expr {
  const s = (e: Expr) => specialize(e, profile, columnTypes);
  switch (expr.k) {
    case "column":
    case "literal":
    case "withinDays":
    case "sample":
      return expr;
    case "profile":
      return profile === null ? NULL_LITERAL : text(profile.username);
    case "inProfileSet": {
      if (profile === null) return NULL_LITERAL;
      const value = s(expr.value);
      if (isLiteral(value)) return fold({ ...expr, value }, profile);
      const elements = [...new Set(profileSetValues(profile, expr.set))];
      // Empty set: FALSE, but NULL for a NULL value, as `x IN <set>` is.
      if (elements.length === 0)
        // biome-ignore lint/suspicious/noThenProperty: the IR's CASE node names its branch `then`
        return { k: "case", when: { k: "isNull", arg: value }, then: NULL_LITERAL, else: FALSE };
      if (isTextValued(value, columnTypes)) return { k: "inList", value, list: elements.map(text) };
      return { ...expr, value };
    }
    case "and":
    case "or":
      return foldAndOr(expr.k, expr.args.map(s));
    case "not": {
      const arg = s(expr.arg);
      return isLiteral(arg) ? fold({ k: "not", arg }, profile) : { k: "not", arg };
    }
    case "case": {
      const when = s(expr.when);
      if (isLiteral(when)) return isBool(when, true) ? s(expr.then) : s(expr.else);
      // biome-ignore lint/suspicious/noThenProperty: the IR's CASE node names its branch `then`
      return { k: "case", when, then: s(expr.then), else: s(expr.else) };
    }
    case "mask":
      return { ...expr, arg: s(expr.arg) };
    case "inList": {
      const out: Expr = { ...expr, value: s(expr.value), list: expr.list.map(s) };
      return isLiteral(out.value) && out.list.every(isLiteral) ? fold(out, profile) : out;
    }
    case "compare": {
      const out: Expr = { ...expr, left: s(expr.left), right: s(expr.right) };
      return isLiteral(out.left) && isLiteral(out.right) ? fold(out, profile) : out;
    }
    case "isNull":
    case "like": {
      const out = { ...expr, arg: s(expr.arg) };
      return isLiteral(out.arg) ? fold(out, profile) : out;
    }
    case "between": {
      const out: Expr = { ...expr, arg: s(expr.arg), low: s(expr.low), high: s(expr.high) };
      return isLiteral(out.arg) && isLiteral(out.low) && isLiteral(out.high) ? fold(out, profile) : out;
    }
    case "call": {
      const out: Expr = { ...expr, args: expr.args.map(s) };
      return out.args.every(isLiteral) ? fold(out, profile) : out;
    }
    default:
      return assertNever(expr, "expression");
  }
}

/** Whether a specialised tree still reads the profile (only non-text membership may). */
export function readsProfile(expr: Expr): boolean {
  switch (expr.k) {
    case "profile":
      return true;
    case "inProfileSet":
      return true;
    case "column":
    case "literal":
    case "withinDays":
    case "sample":
      return false;
    case "inList":
      return readsProfile(expr.value) || expr.list.some(readsProfile);
    case "and":
    case "or":
    case "call":
      return expr.args.some(readsProfile);
    case "not":
    case "isNull":
    case "like":
    case "mask":
      return readsProfile(expr.arg);
    case "compare":
      return readsProfile(expr.left) || readsProfile(expr.right);
    case "between":
      return readsProfile(expr.arg) || readsProfile(expr.low) || readsProfile(expr.high);
    case "case":
      return readsProfile(expr.when) || readsProfile(expr.then) || readsProfile(expr.else);
    default:
      return assertNever(expr, "expression");
  }
}
