import { type Actor, forbidden, hasRole, type PageArgs, unauthenticated } from "@steward/core";
import type { Tx } from "@steward/db";
import { type AuditFilter, type AuditScope, listAuditEvents } from "./audit";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The audit log as the actor may read it. Administrators and governors read everything. A data owner
 * reads the history of what they are answerable for: the connections they are assigned to and the
 * sources they own (directly or through a group) or that sit on those connections — the same set
 * `requireManageSource` lets them change. Everyone else is refused.
 */
export async function listAuditTrail(tx: Tx, actor: Actor | null, filter: AuditFilter, page: PageArgs) {
  if (!actor) throw unauthenticated();
  if (hasRole(actor, "ADMIN") || hasRole(actor, "GOVERNOR")) return listAuditEvents(tx, filter, page);
  if (actor.kind === "SYSTEM" || !hasRole(actor, "DATA_OWNER"))
    throw forbidden("Reading the audit log needs the ADMIN or GOVERNOR role, or DATA_OWNER for your own sources");
  const scope = filter.targetId
    ? await requireOwnedTarget(tx, actor.userId, filter.targetType ?? null, filter.targetId)
    : await ownedTargets(tx, actor.userId);
  return listAuditEvents(tx, filter, page, scope);
}

/** A page asking for one target's history is answered or refused as a whole, never silently emptied. */
async function requireOwnedTarget(tx: Tx, userId: string, targetType: string | null, targetId: string): Promise<AuditScope> {
  const refuse = () => forbidden("You can read the audit trail only of connections and data sources you own");
  if (!UUID.test(targetId)) throw refuse();
  if (targetType === "Connection") {
    const row = await tx.connectionDataOwner.findUnique({ where: { connectionId_userId: { connectionId: targetId, userId } } });
    if (!row) throw refuse();
    return { connectionIds: [targetId], dataSourceIds: [] };
  }
  if (targetType === "DataSource") {
    const owned = await tx.dataSource.count({ where: { id: targetId, ...ownedSourceWhere(userId) } });
    if (owned === 0) throw refuse();
    return { connectionIds: [], dataSourceIds: [targetId] };
  }
  throw refuse();
}

async function ownedTargets(tx: Tx, userId: string): Promise<AuditScope> {
  const [connections, sources] = await Promise.all([
    tx.connectionDataOwner.findMany({ where: { userId }, select: { connectionId: true } }),
    tx.dataSource.findMany({ where: ownedSourceWhere(userId), select: { id: true } }),
  ]);
  return { connectionIds: connections.map((c) => c.connectionId), dataSourceIds: sources.map((s) => s.id) };
}

function ownedSourceWhere(userId: string) {
  return {
    OR: [
      { owners: { some: { OR: [{ userId }, { group: { members: { some: { userId } } } }] } } },
      { connection: { dataOwners: { some: { userId } } } },
    ],
  };
}
