import type { Actor, SecretBox } from "@steward/core";
import type { Db } from "@steward/db";
import type { AdapterLookup } from "@steward/integrations";
import type { AccessLevel } from "@steward/policy";
import { isReconciledKind } from "../propagation/desired-version";
import { planConnectionStatements } from "../propagation/reconcile-connection";
import { type AccessChange, connectionsOfChanges, planPolicyChange } from "./policy-queries";

const RANK: Record<AccessLevel, number> = { NONE: 0, READ: 1, WRITE: 2 };

/** How many (user, source) pairs a change raises and lowers. */
export function countGainsAndLosses(changes: readonly AccessChange[]): { gainedCount: number; lostCount: number } {
  let gainedCount = 0;
  let lostCount = 0;
  for (const c of changes) {
    if (RANK[c.after] > RANK[c.before]) gainedCount++;
    else if (RANK[c.after] < RANK[c.before]) lostCount++;
  }
  return { gainedCount, lostCount };
}

/**
 * Everything a governor sees before saving a policy change: who gains and loses access, and the exact
 * statements each affected connection whose platform manages access would run. Nothing is written.
 */
export async function planPolicyImpact(
  deps: { db: Db; secretBox: SecretBox; adapterFor?: AdapterLookup },
  actor: Actor | null,
  input: unknown,
  now = new Date(),
) {
  const plan = await planPolicyChange(deps, actor, input, now);
  const connections = (await connectionsOfChanges(deps.db, plan.changes)).filter((c) => isReconciledKind(c.kind));
  const connectionPlans = await Promise.all(
    connections.map(async (c) => ({ connectionId: c.id, ...(await planConnectionStatements(deps, c.id, plan.proposedPolicies)) })),
  );
  return { changes: plan.changes, ...countGainsAndLosses(plan.changes), warnings: plan.warnings, connectionPlans };
}
