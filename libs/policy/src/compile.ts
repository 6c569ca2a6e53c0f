import { badInput } from "@steward/core";
import { type Bitset, emptySet, setBit, wordsFor } from "./bitset";
import { type CompiledCondition, compileCondition, type Terms, userTerms } from "./condition";
import { buildSourceIndex, sourcesInScope } from "./scope";
import { type AccessType, DEFAULT_MERGE_RULE, type MergeRule, type PolicySnapshot, type Restriction } from "./types";

/**
 * A snapshot turned into integers, built once per policy/catalog change. Evaluation then works on
 * whole user populations per policy and spreads them over "source classes": sources with the same
 * merge rule and the same applicable policies share one computation, whatever their number.
 */
export type CompiledPolicy = {
  id: string;
  accessType: AccessType;
  restriction: Restriction["kind"];
  /** For `conditions`. */
  condition: CompiledCondition | null;
  /** For `users`: the listed users that exist (activity is applied at evaluation). */
  listed: Bitset | null;
};

/** Policy indices (into `policies`, which is sorted by id) of one access type on one class. */
export type TierPlan = { nonAsk: readonly number[]; ask: readonly number[] };

export type SourceClass = {
  merge: MergeRule;
  write: TierPlan;
  read: TierPlan;
  sources: readonly number[];
};

/** Expiry instants (epoch ms) of what a (user, source) pair holds; -Infinity = none, Infinity = no expiry. */
export type PairGrants = { approval: number; readSub: number; writeSub: number };

export type CompiledUser = { active: boolean; terms: ReadonlySet<number> };

/** The matrix state the incremental path patches; row s spans words [s*words, (s+1)*words). */
export type MatrixState = { read: Uint32Array; write: Uint32Array };

export type CompiledSnapshot = {
  words: number;
  userIds: readonly string[];
  userIndex: ReadonlyMap<string, number>;
  users: CompiledUser[];
  terms: Terms;
  sourceIds: readonly string[];
  sourceIndex: ReadonlyMap<string, number>;
  sourceActive: readonly boolean[];
  policies: readonly CompiledPolicy[];
  classes: readonly SourceClass[];
  /** Class of each source; -1 for disabled sources, which grant nothing. */
  classOf: Int32Array;
  grantsBySource: ReadonlyMap<number, ReadonlyMap<number, PairGrants>>;
  grantsByUser: ReadonlyMap<number, ReadonlyMap<number, PairGrants>>;
  /** Filled by `evaluateCompiled`, patched by `recomputeForUser`. */
  current: MatrixState | null;
};

export const expiryMs = (d: Date | null | undefined): number => (d == null ? Number.POSITIVE_INFINITY : d.getTime());

function indexIds(kind: string, ids: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  ids.forEach((id, i) => {
    if (index.has(id)) throw badInput(`Duplicate ${kind} id ${id} in the policy snapshot`);
    index.set(id, i);
  });
  return index;
}

export function compileSnapshot(snapshot: PolicySnapshot): CompiledSnapshot {
  const userIds = snapshot.users.map((u) => u.id);
  const sourceIds = snapshot.sources.map((s) => s.id);
  const userIndex = indexIds("user", userIds);
  const sourceIndex = indexIds("data source", sourceIds);
  indexIds(
    "policy",
    snapshot.policies.map((p) => p.id),
  );
  const words = wordsFor(userIds.length);

  // Sorting by id makes every later order (tiers, reasons, conflicts) deterministic.
  const sorted = [...snapshot.policies].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const terms: Terms = new Map();
  const policies: CompiledPolicy[] = sorted.map((p) => {
    const r = p.restriction;
    const condition = r.kind === "conditions" ? compileCondition(r.condition, terms) : null;
    let listed: Bitset | null = null;
    if (r.kind === "users") {
      listed = emptySet(words);
      for (const id of r.userIds) {
        const u = userIndex.get(id);
        if (u !== undefined) setBit(listed, u);
      }
    }
    return { id: p.id, accessType: p.accessType, restriction: r.kind, condition, listed };
  });
  const users = snapshot.users.map((u) => ({ active: u.active, terms: userTerms(u, terms) }));

  // Which policies apply to which source, via the scope index (one lookup per policy).
  const index = buildSourceIndex(snapshot.sources);
  const applicable: number[][] = snapshot.sources.map(() => []);
  sorted.forEach((p, pi) => {
    for (const s of sourcesInScope(index, p.scope)) applicable[s]!.push(pi);
  });

  const defaultMerge = snapshot.settings?.defaultMergeRule ?? DEFAULT_MERGE_RULE;
  const classes: SourceClass[] = [];
  const classByKey = new Map<string, number>();
  const classOf = new Int32Array(sourceIds.length).fill(-1);
  snapshot.sources.forEach((source, s) => {
    if (source.status === "DISABLED") return;
    const merge = source.mergeRule ?? defaultMerge;
    const list = applicable[s]!; // ascending policy indices, hence ascending ids
    const key = `${merge}:${list.join(",")}`;
    let ci = classByKey.get(key);
    if (ci === undefined) {
      const tier = (type: AccessType): TierPlan => {
        const of = list.filter((pi) => policies[pi]!.accessType === type);
        return {
          nonAsk: of.filter((pi) => policies[pi]!.restriction !== "anyoneWhoAsks"),
          ask: of.filter((pi) => policies[pi]!.restriction === "anyoneWhoAsks"),
        };
      };
      ci = classes.length;
      classByKey.set(key, ci);
      classes.push({ merge, write: tier("WRITE"), read: tier("READ"), sources: [] });
    }
    (classes[ci]!.sources as number[]).push(s);
    classOf[s] = ci;
  });

  const { grantsBySource, grantsByUser } = indexGrants(snapshot, userIndex, sourceIndex);
  return {
    words,
    userIds,
    userIndex,
    users,
    terms,
    sourceIds,
    sourceIndex,
    sourceActive: snapshot.sources.map((s) => s.status === "ACTIVE"),
    policies,
    classes,
    classOf,
    grantsBySource,
    grantsByUser,
    current: null,
  };
}

/** Approvals and subscriptions per (user, source); several of one kind keep the latest expiry. */
function indexGrants(snapshot: PolicySnapshot, userIndex: ReadonlyMap<string, number>, sourceIndex: ReadonlyMap<string, number>) {
  const grantsBySource = new Map<number, Map<number, PairGrants>>();
  const grantsByUser = new Map<number, Map<number, PairGrants>>();
  const pair = (userId: string, sourceId: string): PairGrants | null => {
    const u = userIndex.get(userId);
    const s = sourceIndex.get(sourceId);
    if (u === undefined || s === undefined) return null;
    let bySource = grantsBySource.get(s);
    if (bySource === undefined) {
      bySource = new Map();
      grantsBySource.set(s, bySource);
    }
    let g = bySource.get(u);
    if (g === undefined) {
      g = { approval: Number.NEGATIVE_INFINITY, readSub: Number.NEGATIVE_INFINITY, writeSub: Number.NEGATIVE_INFINITY };
      bySource.set(u, g);
      let byUser = grantsByUser.get(u);
      if (byUser === undefined) {
        byUser = new Map();
        grantsByUser.set(u, byUser);
      }
      byUser.set(s, g);
    }
    return g;
  };
  for (const r of snapshot.accessRequests ?? []) {
    if (r.status !== "APPROVED") continue;
    const g = pair(r.userId, r.sourceId);
    if (g) g.approval = Math.max(g.approval, expiryMs(r.expiresAt));
  }
  for (const sub of snapshot.subscriptions ?? []) {
    const g = pair(sub.userId, sub.sourceId);
    if (!g) continue;
    if (sub.accessType === "WRITE") g.writeSub = Math.max(g.writeSub, expiryMs(sub.expiresAt));
    else g.readSub = Math.max(g.readSub, expiryMs(sub.expiresAt));
  }
  return { grantsBySource, grantsByUser };
}
