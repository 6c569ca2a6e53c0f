import { assertNever } from "@steward/core";
import { andInto, type Bitset, emptySet, orInto } from "./bitset";
import type { Condition, User } from "./types";

/**
 * Conditions compiled to integer "terms": one per group, per purpose and per (attribute key, value) that some
 * policy mentions. Values no policy mentions are never interned, so a per-user attribute such as an
 * e-mail address costs nothing.
 *
 * An empty list (and/or/anyOf/allOf) is never satisfied. Validation rejects them; if one slips
 * through, failing closed is the safe reading.
 */
export type CompiledCondition =
  | { kind: "term"; term: number }
  | { kind: "anyOf"; terms: readonly number[] }
  | { kind: "allOf"; terms: readonly number[] }
  | { kind: "and"; children: readonly CompiledCondition[] }
  | { kind: "or"; children: readonly CompiledCondition[] };

export const groupTerm = (group: string) => `g\u0000${group}`;
export const purposeTerm = (purpose: string) => `p\u0000${purpose}`;
export const attributeTerm = (key: string, value: string) => `a\u0000${key}\u0000${value}`;

/** Interning table shared by every policy of one compiled snapshot. */
export type Terms = Map<string, number>;

function intern(terms: Terms, key: string): number {
  let id = terms.get(key);
  if (id === undefined) {
    id = terms.size;
    terms.set(key, id);
  }
  return id;
}

export function compileCondition(condition: Condition, terms: Terms): CompiledCondition {
  switch (condition.kind) {
    case "group":
      return { kind: "term", term: intern(terms, groupTerm(condition.group)) };
    case "purpose":
      return { kind: "term", term: intern(terms, purposeTerm(condition.purpose)) };
    case "attribute": {
      const ids = [...new Set(condition.values)].map((v) => intern(terms, attributeTerm(condition.key, v)));
      return condition.match === "anyOf" ? { kind: "anyOf", terms: ids } : { kind: "allOf", terms: ids };
    }
    case "and":
    case "or":
      return { kind: condition.kind, children: condition.conditions.map((c) => compileCondition(c, terms)) };
    default:
      return assertNever(condition, "condition kind");
  }
}

/** The referenced terms a user holds. */
export function userTerms(user: User, terms: Terms): Set<number> {
  const held = new Set<number>();
  for (const g of user.groups) {
    const id = terms.get(groupTerm(g));
    if (id !== undefined) held.add(id);
  }
  for (const p of user.purposes ?? []) {
    const id = terms.get(purposeTerm(p));
    if (id !== undefined) held.add(id);
  }
  for (const [key, values] of Object.entries(user.attributes)) {
    for (const v of values) {
      const id = terms.get(attributeTerm(key, v));
      if (id !== undefined) held.add(id);
    }
  }
  return held;
}

/** Per-user evaluation, used by the incremental path. */
export function conditionHolds(c: CompiledCondition, held: ReadonlySet<number>): boolean {
  switch (c.kind) {
    case "term":
      return held.has(c.term);
    case "anyOf":
      return c.terms.some((t) => held.has(t));
    case "allOf":
      return c.terms.length > 0 && c.terms.every((t) => held.has(t));
    case "and":
      return c.children.length > 0 && c.children.every((child) => conditionHolds(child, held));
    case "or":
      return c.children.some((child) => conditionHolds(child, held));
    default:
      return assertNever(c, "compiled condition");
  }
}

/** Bulk evaluation: the set of users satisfying `c`, from one bitset per term. Returns a fresh set. */
export function conditionSet(c: CompiledCondition, termSets: readonly Bitset[], words: number): Bitset {
  const termSet = (t: number) => termSets[t] ?? emptySet(words);
  switch (c.kind) {
    case "term":
      return termSet(c.term).slice();
    case "anyOf":
    case "or": {
      const out = emptySet(words);
      if (c.kind === "anyOf") for (const t of c.terms) orInto(out, termSet(t));
      else for (const child of c.children) orInto(out, conditionSet(child, termSets, words));
      return out;
    }
    case "allOf":
    case "and": {
      const parts = c.kind === "allOf" ? c.terms.map(termSet) : c.children.map((ch) => conditionSet(ch, termSets, words));
      const [first, ...rest] = parts;
      if (first === undefined) return emptySet(words);
      const out = first.slice();
      for (const p of rest) andInto(out, p);
      return out;
    }
    default:
      return assertNever(c, "compiled condition");
  }
}

/** What an explanation shows for one node of a condition tree. */
export type ConditionTrace =
  | { kind: "group"; group: string; satisfied: boolean }
  /** `userPurposes`: what the user's current project acts under, so a miss can be explained. */
  | { kind: "purpose"; purpose: string; userPurposes: readonly string[]; satisfied: boolean }
  | {
      kind: "attribute";
      key: string;
      match: "anyOf" | "allOf";
      values: readonly string[];
      userValues: readonly string[];
      satisfied: boolean;
    }
  | { kind: "and" | "or"; satisfied: boolean; children: ConditionTrace[] };

/** Evaluates the raw tree with a full trace; the reference the compiled forms are tested against. */
export function traceCondition(condition: Condition, user: User): ConditionTrace {
  switch (condition.kind) {
    case "group":
      return { kind: "group", group: condition.group, satisfied: user.groups.includes(condition.group) };
    case "purpose": {
      const userPurposes = user.purposes ?? [];
      return { kind: "purpose", purpose: condition.purpose, userPurposes, satisfied: userPurposes.includes(condition.purpose) };
    }
    case "attribute": {
      const userValues = user.attributes[condition.key] ?? [];
      const values = condition.values;
      const satisfied =
        condition.match === "anyOf"
          ? values.some((v) => userValues.includes(v))
          : values.length > 0 && values.every((v) => userValues.includes(v));
      return { kind: "attribute", key: condition.key, match: condition.match, values, userValues, satisfied };
    }
    case "and":
    case "or": {
      const children = condition.conditions.map((c) => traceCondition(c, user));
      const satisfied =
        condition.kind === "and" ? children.length > 0 && children.every((c) => c.satisfied) : children.some((c) => c.satisfied);
      return { kind: condition.kind, satisfied, children };
    }
    default:
      return assertNever(condition, "condition kind");
  }
}
