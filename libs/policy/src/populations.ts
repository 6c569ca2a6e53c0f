import { assertNever } from "@steward/core";
import { andInto, type Bitset, emptySet, hasBit, orInto, setBit } from "./bitset";
import type { CompiledPolicy, CompiledSnapshot, TierPlan } from "./compile";
import { conditionHolds, conditionSet } from "./condition";
import type { MergeRule } from "./types";

/**
 * Who satisfies what, computed two ways that must agree: in bulk (bitsets over all users, for a full
 * evaluation) and for one user (for the incremental path). Both fold activity in, so a deactivated
 * user satisfies no policy.
 */

export function activeSet(c: CompiledSnapshot): Bitset {
  const set = emptySet(c.words);
  c.users.forEach((u, i) => {
    if (u.active) setBit(set, i);
  });
  return set;
}

export function termSets(c: CompiledSnapshot): Bitset[] {
  const sets = Array.from({ length: c.terms.size }, () => emptySet(c.words));
  c.users.forEach((u, i) => {
    for (const t of u.terms) setBit(sets[t]!, i);
  });
  return sets;
}

/** Users satisfying a policy regardless of source; null for "anyone who asks", which is per source. */
export function policyPopulation(p: CompiledPolicy, terms: readonly Bitset[], active: Bitset, words: number): Bitset | null {
  switch (p.restriction) {
    case "anyone":
      return active;
    case "anyoneWhoAsks":
      return null;
    case "users": {
      const set = p.listed!.slice();
      andInto(set, active);
      return set;
    }
    case "conditions": {
      const set = conditionSet(p.condition!, terms, words);
      andInto(set, active);
      return set;
    }
    default:
      return assertNever(p.restriction, "restriction kind");
  }
}

/** Per-user counterpart of `policyPopulation`; false for "anyone who asks". */
export function policyHolds(c: CompiledSnapshot, p: CompiledPolicy, user: number): boolean {
  const u = c.users[user]!;
  if (!u.active) return false;
  switch (p.restriction) {
    case "anyone":
      return true;
    case "anyoneWhoAsks":
      return false;
    case "users":
      return hasBit(p.listed!, user);
    case "conditions":
      return conditionHolds(p.condition!, u.terms);
    default:
      return assertNever(p.restriction, "restriction kind");
  }
}

export const tierIsEmpty = (t: TierPlan) => t.nonAsk.length === 0 && t.ask.length === 0;

/**
 * The part of a tier that is the same on every source of a class, i.e. everything but approvals.
 * ALL starts from every active user and intersects; ANY starts empty and unites. null: no policy of
 * this access type applies, so the tier grants nothing.
 */
export function tierBase(tier: TierPlan, merge: MergeRule, pops: readonly (Bitset | null)[], active: Bitset): Bitset | null {
  if (tierIsEmpty(tier)) return null;
  switch (merge) {
    case "ALL": {
      const set = active.slice();
      for (const pi of tier.nonAsk) andInto(set, pops[pi]!);
      return set;
    }
    case "ANY": {
      const set = emptySet(active.length);
      for (const pi of tier.nonAsk) orInto(set, pops[pi]!);
      return set;
    }
    default:
      return assertNever(merge, "merge rule");
  }
}

/** Per-user tier decision on one source, given whether the user holds an approval in force there. */
export function tierGrants(tier: TierPlan, merge: MergeRule, holds: readonly boolean[], active: boolean, approved: boolean): boolean {
  if (tierIsEmpty(tier)) return false;
  const asked = tier.ask.length > 0 && approved && active;
  switch (merge) {
    case "ALL":
      return active && tier.nonAsk.every((pi) => holds[pi]) && (tier.ask.length === 0 || asked);
    case "ANY":
      return tier.nonAsk.some((pi) => holds[pi]) || asked;
    default:
      return assertNever(merge, "merge rule");
  }
}
