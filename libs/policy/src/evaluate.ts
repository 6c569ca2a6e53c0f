import { type Bitset, countAndNot, emptySet, hasBit, orInto, setBit } from "./bitset";
import { type CompiledSnapshot, compileSnapshot, type PairGrants, type SourceClass, type TierPlan } from "./compile";
import { activeSet, policyPopulation, termSets, tierBase } from "./populations";
import type { AccessResult, SourceConflict } from "./result";
import type { AccessType, MergeRule, PolicySnapshot } from "./types";

/** Full evaluation of a snapshot at `now`. Compile once and use `evaluateCompiled` to re-run cheaply. */
export function evaluateAll(snapshot: PolicySnapshot, now: Date): AccessResult {
  return evaluateCompiled(compileSnapshot(snapshot), now);
}

/**
 * Evaluates every (user, source) pair: one population per policy, one base per class and tier, then a
 * row copy per source patched with that source's approvals and subscriptions. Stores the matrix in
 * `c.current` for `recomputeForUser`; the returned result is an independent copy.
 */
export function evaluateCompiled(c: CompiledSnapshot, now: Date): AccessResult {
  const nowMs = now.getTime();
  const active = activeSet(c);
  const terms = termSets(c);
  const pops = c.policies.map((p) => policyPopulation(p, terms, active, c.words));
  const read = new Uint32Array(c.sourceIds.length * c.words);
  const write = new Uint32Array(c.sourceIds.length * c.words);
  const conflicts: SourceConflict[] = [];

  for (const cls of c.classes) {
    const writeBase = tierBase(cls.write, cls.merge, pops, active);
    const readBase = tierBase(cls.read, cls.merge, pops, active);
    for (const s of cls.sources) {
      const row = s * c.words;
      const grants = c.grantsBySource.get(s);
      fillTierRow(write, row, writeBase, cls.write, cls.merge, grants, nowMs, active);
      fillTierRow(read, row, readBase, cls.read, cls.merge, grants, nowMs, active);
      if (grants !== undefined) applySubscriptions(read, write, row, grants, nowMs, active);
      // WRITE includes READ.
      for (let w = 0; w < c.words; w++) read[row + w] = read[row + w]! | write[row + w]!;
    }
    conflicts.push(...classConflicts(c, cls, pops, writeBase, readBase));
  }

  c.current = { read, write };
  return {
    evaluatedAt: new Date(nowMs),
    userIds: c.userIds,
    sourceIds: c.sourceIds,
    words: c.words,
    read: read.slice(),
    write: write.slice(),
    nextExpiryAt: nextExpiry(c, nowMs),
    conflicts,
  };
}

function fillTierRow(
  out: Uint32Array,
  row: number,
  base: Bitset | null,
  tier: TierPlan,
  merge: MergeRule,
  grants: ReadonlyMap<number, PairGrants> | undefined,
  nowMs: number,
  active: Bitset,
): void {
  if (base === null) return;
  if (tier.ask.length === 0) {
    out.set(base, row);
    return;
  }
  // Under ALL only approved users can pass, so walk the (few) approvals instead of the row.
  if (merge === "ANY") out.set(base, row);
  if (grants === undefined) return;
  for (const [u, g] of grants) {
    if (g.approval <= nowMs) continue;
    if (merge === "ALL" ? hasBit(base, u) : hasBit(active, u)) setBit(out, u, row);
  }
}

function applySubscriptions(
  read: Uint32Array,
  write: Uint32Array,
  row: number,
  grants: ReadonlyMap<number, PairGrants>,
  nowMs: number,
  active: Bitset,
): void {
  for (const [u, g] of grants) {
    if (!hasBit(active, u)) continue;
    if (g.writeSub > nowMs) setBit(write, u, row);
    if (g.readSub > nowMs) setBit(read, u, row);
  }
}

/** Only what can change a decision counts: grants of active users on enabled sources. */
function nextExpiry(c: CompiledSnapshot, nowMs: number): Date | null {
  let next = Number.POSITIVE_INFINITY;
  const consider = (t: number) => {
    if (t > nowMs && t < next) next = t;
  };
  for (const [s, bySource] of c.grantsBySource) {
    const ci = c.classOf[s]!;
    if (ci < 0) continue;
    const cls = c.classes[ci]!;
    const asks = cls.write.ask.length > 0 || cls.read.ask.length > 0;
    for (const [u, g] of bySource) {
      if (!c.users[u]!.active) continue;
      consider(g.readSub);
      consider(g.writeSub);
      if (asks) consider(g.approval);
    }
  }
  return Number.isFinite(next) ? new Date(next) : null;
}

function classConflicts(
  c: CompiledSnapshot,
  cls: SourceClass,
  pops: readonly (Bitset | null)[],
  writeBase: Bitset | null,
  readBase: Bitset | null,
): SourceConflict[] {
  const out: SourceConflict[] = [];
  const sourceIds = cls.sources.map((s) => c.sourceIds[s]!);
  const ids = (pis: readonly number[]) => pis.map((pi) => c.policies[pi]!.id);
  for (const [type, tier, base] of [
    ["WRITE", cls.write, writeBase],
    ["READ", cls.read, readBase],
  ] as const) {
    if (cls.merge !== "ALL" || tier.nonAsk.length < 2 || base === null) continue;
    const some = emptySet(c.words);
    for (const pi of tier.nonAsk) orInto(some, pops[pi]!);
    const affected = countAndNot(some, base);
    if (affected === 0) continue;
    out.push({
      kind: "ALL_MERGE_DENIAL",
      accessType: type as AccessType,
      policyIds: ids(tier.nonAsk),
      sourceIds,
      affectedUsers: affected,
      message: `${affected} user(s) satisfy some but not all ${type} policies (${ids(tier.nonAsk).join(", ")}); under ALL they get no ${type} from them`,
    });
  }
  // Counted only against READ policies that do not depend on approvals, which are per source.
  if (writeBase !== null && readBase !== null && cls.read.nonAsk.length > 0) {
    const affected = countAndNot(writeBase, readBase);
    if (affected > 0) {
      const policyIds = [...ids(cls.write.nonAsk), ...ids(cls.read.nonAsk)].sort();
      out.push({
        kind: "WRITE_IMPLIES_READ",
        accessType: "READ",
        policyIds,
        sourceIds,
        affectedUsers: affected,
        message: `${affected} user(s) get WRITE, and with it READ, although the READ policies do not admit them`,
      });
    }
  }
  return out;
}
