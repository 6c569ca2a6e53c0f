import type { Actor } from "@steward/core";
import { notFound } from "@steward/core";
import type { Db } from "@steward/db";
import { type AccessLevel, type DataPolicyExplanation, explainDataPolicies, explainAccess as explainSubscription } from "@steward/policy";
import { loadPolicySnapshot } from "../snapshot";
import { requireDataViewer } from "./data-viewer";
import { loadDataPolicyInput, loadProfiles } from "./load-data-policies";

export type DataAccessExplanation = {
  /** What subscription policies, approvals and manual subscriptions give the user on the source. */
  level: AccessLevel;
  dataPolicies: DataPolicyExplanation;
};

/**
 * Why a column is masked or rows are hidden for a user on a source: the engine's
 * `explainDataPolicies` over the same resolution that builds the policy views, with the user's
 * profile facts as the platform holds them (group and purpose names of the project they act under).
 * Same authorisation as the preview.
 */
export async function explainDataAccess(
  deps: { db: Db },
  actor: Actor | null,
  userId: string,
  dataSourceId: string,
  now = new Date(),
): Promise<DataAccessExplanation> {
  const ids = await requireDataViewer(deps.db, actor, userId, dataSourceId);
  const row = await deps.db.dataSource.findUnique({ where: { id: ids.dataSourceId }, select: { connectionId: true } });
  if (!row) throw notFound("Data source");
  const [facts, snapshot, profiles] = await Promise.all([
    loadDataPolicyInput(deps.db, { connectionId: row.connectionId }),
    loadPolicySnapshot(deps.db, { connectionId: row.connectionId }),
    // The account name does not matter to the explanation, only the facts.
    loadProfiles(deps.db, [{ userId: ids.userId, accountName: ids.userId }], new Map()),
  ]);
  const profile = profiles[0];
  if (!profile) throw notFound("User");
  const source = facts.sources.find((s) => s.id === ids.dataSourceId);
  // Disabled or gone sources have no view: nothing to explain beyond "not governed".
  if (!source) throw notFound("Active data source");
  return {
    level: explainSubscription(snapshot, ids.userId, ids.dataSourceId, now).level,
    dataPolicies: explainDataPolicies({
      source,
      policies: facts.policies,
      groupNames: facts.groupNames,
      purposeNames: facts.purposeNames,
      profile,
      viewsForEverything: facts.viewsForEverything.has(source.connectionId),
    }),
  };
}
