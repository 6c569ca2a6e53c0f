import type { Db } from "@steward/db";
import type { DecisionExtras } from "@steward/integrations";
import { loadPolicySnapshot } from "../snapshot";

/**
 * What a query-time platform needs beyond the neutral desired state (see DecisionExtras):
 * - the accounts of active Steward ADMINs, taken from `accountUsers` (the connection's checked
 *   user → account mapping, so an account refused or shared with another user is never privileged);
 * - the connection's policies and sources without any user, for platform users Steward does not know,
 *   and group names → ids because policies name groups by id while the platform sends names.
 */
export async function decisionExtras(
  db: Db,
  connectionId: string,
  accountUsers: readonly { userId: string; accountName: string }[],
): Promise<DecisionExtras> {
  const [admins, snapshot, groups, purposes, unregistered] = await Promise.all([
    db.roleAssignment.findMany({ where: { role: "ADMIN", user: { status: "ACTIVE" } }, select: { userId: true } }),
    loadPolicySnapshot(db, { connectionId }),
    db.group.findMany({ select: { id: true, name: true } }),
    db.purpose.findMany({ select: { id: true, name: true } }),
    // Objects the crawl found that are not governed (no data source, or one no longer active).
    db.catalogNode.findMany({
      where: { connectionId, kind: "OBJECT", present: true, OR: [{ dataSource: null }, { dataSource: { status: { not: "ACTIVE" } } }] },
      select: { path: true },
    }),
  ]);
  const adminIds = new Set(admins.map((a) => a.userId));
  const privileged = new Set(accountUsers.filter((u) => adminIds.has(u.userId)).map((u) => u.accountName));
  const { users: _users, ...policies } = snapshot;
  // A null prototype: a group named `__proto__` or `constructor` is an ordinary key here.
  const groupIdsByName: Record<string, string> = Object.create(null);
  for (const g of groups) groupIdsByName[g.name] = g.id;
  const purposeIdsByName: Record<string, string> = Object.create(null);
  for (const p of purposes) purposeIdsByName[p.name] = p.id;
  const containers = new Map<string, string[]>();
  for (const { path } of unregistered)
    for (let depth = 1; depth < path.length; depth++) containers.set(JSON.stringify(path.slice(0, depth)), path.slice(0, depth));
  return {
    privilegedAccounts: [...privileged].sort(),
    unknownUsers: { policies, groupIdsByName, purposeIdsByName },
    unregisteredContainers: [...containers.values()].sort((a, b) => a.join("\u0000").localeCompare(b.join("\u0000"))),
  };
}
