import { assertNever } from "@steward/core";
import { expiryMs } from "./compile";
import { type ConditionTrace, traceCondition } from "./condition";
import type { ConflictKind } from "./result";
import { scopeMatch } from "./scope";
import {
  type AccessLevel,
  type AccessType,
  DEFAULT_MERGE_RULE,
  type MergeRule,
  type PolicySnapshot,
  type Restriction,
  type SourceStatus,
  type SubscriptionPolicy,
  type User,
} from "./types";

export type PolicyVerdict = {
  policyId: string;
  policyName: string;
  accessType: AccessType;
  restriction: Restriction["kind"];
  /** Why the policy applies to the source. */
  scopeReason: string;
  satisfied: boolean;
  reason: string;
  condition: ConditionTrace | null;
  /** For "anyone who asks": the approval in force that satisfied it. */
  approval: { requestId: string; expiresAt: Date | null } | null;
};

export type TierVerdict = { accessType: AccessType; policyIds: string[]; granted: boolean };
export type SubscriptionVerdict = { subscriptionId: string; accessType: AccessType; expiresAt: Date | null; inForce: boolean };

export type AccessConflict = {
  kind: ConflictKind | "SUBSCRIPTION_OVERRIDE";
  accessType: AccessType;
  grantedBy: string[];
  deniedBy: string[];
  message: string;
};

export type AccessExplanation = {
  userId: string;
  sourceId: string;
  evaluatedAt: Date;
  level: AccessLevel;
  user: { found: boolean; active: boolean };
  source: { found: boolean; status: SourceStatus | null };
  mergeRule: MergeRule;
  mergeRuleFrom: "source" | "engineDefault";
  /** Applicable policies, ascending by id. */
  policies: PolicyVerdict[];
  tiers: TierVerdict[];
  subscriptions: SubscriptionVerdict[];
  conflicts: AccessConflict[];
  /** Human-readable summary, most decisive first. */
  reasons: string[];
  /** When this pair's decision may next change by itself. */
  nextExpiryAt: Date | null;
};

/**
 * The full reasons tree for one pair, computed straight from the snapshot. Deliberately independent of
 * the compiled path, so tests can hold the two against each other.
 */
export function explainAccess(snapshot: PolicySnapshot, userId: string, sourceId: string, now: Date): AccessExplanation {
  const nowMs = now.getTime();
  const user = snapshot.users.find((u) => u.id === userId);
  const source = snapshot.sources.find((s) => s.id === sourceId);
  const mergeRule = source?.mergeRule ?? snapshot.settings?.defaultMergeRule ?? DEFAULT_MERGE_RULE;
  const base: AccessExplanation = {
    userId,
    sourceId,
    evaluatedAt: new Date(nowMs),
    level: "NONE",
    user: { found: user !== undefined, active: user?.active ?? false },
    source: { found: source !== undefined, status: source?.status ?? null },
    mergeRule,
    mergeRuleFrom: source?.mergeRule === undefined ? "engineDefault" : "source",
    policies: [],
    tiers: [],
    subscriptions: [],
    conflicts: [],
    reasons: [],
    nextExpiryAt: null,
  };
  if (user === undefined || source === undefined) {
    base.reasons.push(user === undefined ? `unknown user ${userId}` : `unknown data source ${sourceId}`);
    return base;
  }

  const approvals = (snapshot.accessRequests ?? []).filter(
    (r) => r.userId === userId && r.sourceId === sourceId && r.status === "APPROVED",
  );
  const approval = approvals.filter((r) => expiryMs(r.expiresAt) > nowMs).sort((a, b) => expiryMs(b.expiresAt) - expiryMs(a.expiresAt))[0];
  const sorted = [...snapshot.policies].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const p of sorted) {
    const scopeReason = scopeMatch(p.scope, source);
    if (scopeReason === null) continue;
    base.policies.push(verdict(p, scopeReason, user, approval ? { requestId: approval.id, expiresAt: approval.expiresAt ?? null } : null));
  }
  const tier = (type: AccessType): TierVerdict => {
    const of = base.policies.filter((v) => v.accessType === type);
    const granted = mergeRule === "ALL" ? of.length > 0 && of.every((v) => v.satisfied) : of.some((v) => v.satisfied);
    return { accessType: type, policyIds: of.map((v) => v.policyId), granted };
  };
  const writeTier = tier("WRITE");
  const readTier = tier("READ");
  base.tiers = [writeTier, readTier];
  base.subscriptions = (snapshot.subscriptions ?? [])
    .filter((s) => s.userId === userId && s.sourceId === sourceId)
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((s) => ({
      subscriptionId: s.id,
      accessType: s.accessType,
      expiresAt: s.expiresAt ?? null,
      inForce: expiryMs(s.expiresAt) > nowMs,
    }));

  if (!user.active || source.status === "DISABLED") {
    base.reasons.push(!user.active ? "user is deactivated: no access anywhere" : "data source is disabled: it grants nothing");
    return base;
  }
  const subWrite = base.subscriptions.some((s) => s.inForce && s.accessType === "WRITE");
  const subRead = base.subscriptions.some((s) => s.inForce && s.accessType === "READ");
  const canWrite = writeTier.granted || subWrite;
  const canRead = canWrite || readTier.granted || subRead;
  base.level = canWrite ? "WRITE" : canRead ? "READ" : "NONE";
  base.conflicts = conflictsOf(base, mergeRule, writeTier, readTier, canWrite);
  base.reasons = reasonsOf(base, writeTier, readTier);
  const asks = base.policies.some((v) => v.restriction === "anyoneWhoAsks");
  const expiries = [...base.subscriptions.filter((s) => s.inForce).map((s) => expiryMs(s.expiresAt))];
  if (asks && approval) expiries.push(expiryMs(approval.expiresAt));
  const next = Math.min(...expiries.filter(Number.isFinite));
  base.nextExpiryAt = Number.isFinite(next) ? new Date(next) : null;
  return base;
}

function verdict(p: SubscriptionPolicy, scopeReason: string, user: User, approval: PolicyVerdict["approval"]): PolicyVerdict {
  const v: PolicyVerdict = {
    policyId: p.id,
    policyName: p.name,
    accessType: p.accessType,
    restriction: p.restriction.kind,
    scopeReason,
    satisfied: false,
    reason: "",
    condition: null,
    approval: null,
  };
  if (!user.active) return { ...v, reason: "user is deactivated" };
  const r = p.restriction;
  switch (r.kind) {
    case "anyone":
      return { ...v, satisfied: true, reason: "policy admits anyone" };
    case "anyoneWhoAsks":
      return approval
        ? {
            ...v,
            satisfied: true,
            approval,
            reason: `access request ${approval.requestId} is approved${approval.expiresAt ? ` until ${approval.expiresAt.toISOString()}` : ""}`,
          }
        : { ...v, reason: "no approved, unexpired access request for this source" };
    case "users": {
      const listed = r.userIds.includes(user.id);
      return { ...v, satisfied: listed, reason: listed ? "user is individually selected" : "user is not among the selected users" };
    }
    case "conditions": {
      const condition = traceCondition(r.condition, user);
      return {
        ...v,
        condition,
        satisfied: condition.satisfied,
        reason: condition.satisfied ? "user meets the conditions" : "user does not meet the conditions",
      };
    }
    default:
      return assertNever(r, "restriction kind");
  }
}

function conflictsOf(
  e: AccessExplanation,
  merge: MergeRule,
  writeTier: TierVerdict,
  readTier: TierVerdict,
  canWrite: boolean,
): AccessConflict[] {
  const out: AccessConflict[] = [];
  if (merge === "ALL") {
    for (const t of [writeTier, readTier]) {
      const of = e.policies.filter((v) => v.accessType === t.accessType);
      const grantedBy = of.filter((v) => v.satisfied).map((v) => v.policyId);
      const deniedBy = of.filter((v) => !v.satisfied).map((v) => v.policyId);
      if (grantedBy.length === 0 || deniedBy.length === 0) continue;
      out.push({
        kind: "ALL_MERGE_DENIAL",
        accessType: t.accessType,
        grantedBy,
        deniedBy,
        message: `${grantedBy.join(", ")} would give ${t.accessType}, but ${deniedBy.join(", ")} ${deniedBy.length > 1 ? "are" : "is"} not satisfied and the merge rule is ALL`,
      });
    }
  }
  if (canWrite && readTier.policyIds.length > 0 && !readTier.granted) {
    out.push({
      kind: "WRITE_IMPLIES_READ",
      accessType: "READ",
      grantedBy: writeTier.granted
        ? writeTier.policyIds
        : e.subscriptions.filter((s) => s.inForce && s.accessType === "WRITE").map((s) => s.subscriptionId),
      deniedBy: readTier.policyIds.filter((id) => !e.policies.find((v) => v.policyId === id)?.satisfied),
      message: "WRITE includes READ, so the user reads although the READ policies do not admit them",
    });
  }
  const policyLevel: AccessLevel = writeTier.granted ? "WRITE" : readTier.granted ? "READ" : "NONE";
  if (rank(e.level) > rank(policyLevel)) {
    const raising = e.subscriptions.filter((s) => s.inForce && rank(s.accessType) > rank(policyLevel));
    out.push({
      kind: "SUBSCRIPTION_OVERRIDE",
      accessType: e.level === "WRITE" ? "WRITE" : "READ",
      grantedBy: raising.map((s) => s.subscriptionId),
      deniedBy: [...writeTier.policyIds, ...readTier.policyIds].sort(),
      message: `a manual subscription gives ${e.level} where policies give ${policyLevel}`,
    });
  }
  return out;
}

const rank = (l: AccessLevel): number => (l === "WRITE" ? 2 : l === "READ" ? 1 : 0);

function reasonsOf(e: AccessExplanation, writeTier: TierVerdict, readTier: TierVerdict): string[] {
  const reasons: string[] = [];
  if (e.policies.length === 0) reasons.push("no subscription policy applies to this source");
  for (const t of [writeTier, readTier]) {
    if (t.policyIds.length === 0) continue;
    reasons.push(`${t.accessType} ${t.granted ? "granted" : "not granted"} by policies ${t.policyIds.join(", ")} (merge ${e.mergeRule})`);
  }
  for (const s of e.subscriptions) {
    reasons.push(`subscription ${s.subscriptionId} (${s.accessType}) ${s.inForce ? "in force" : "expired"}`);
  }
  for (const c of e.conflicts) reasons.push(c.message);
  return reasons;
}
