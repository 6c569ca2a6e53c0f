import { type Actor, badInput, forbidden, hasRole, notFound, parseInput } from "@steward/core";
import { type Tx, transaction } from "@steward/db";
import { emitEvent, recordAudit } from "@steward/events";
import { z } from "zod";
import { ownsDataSource, requireManageSource } from "../authz";
import type { CatalogDeps } from "../deps";

async function requireSource(tx: Tx, id: string) {
  const source = await tx.dataSource.findUnique({ where: { id } });
  if (!source) throw notFound("Data source");
  return source;
}

const OwnersInput = z.object({
  dataSourceId: z.uuid(),
  userIds: z.array(z.uuid()).max(200).default([]),
  groupIds: z.array(z.uuid()).max(200).default([]),
});

/**
 * Segregation of duties: a data owner who manages a source only through its connection (or not at
 * all) cannot make themselves its owner, directly or through a group they belong to — ownership
 * lets them decide on requests and subscriptions. Administrators assign owners freely.
 */
async function refuseSelfPromotion(tx: Tx, actor: Actor, sourceId: string, next: { userIds: string[]; groupIds: string[] }) {
  if (actor.kind === "SYSTEM" || hasRole(actor, "ADMIN") || (await ownsDataSource(tx, actor, sourceId))) return;
  const viaGroup = next.groupIds.length
    ? await tx.groupMembership.count({ where: { userId: actor.userId, groupId: { in: next.groupIds } } })
    : 0;
  if (next.userIds.includes(actor.userId) || viaGroup > 0)
    throw forbidden("Segregation of duties: you cannot make yourself an owner of a source you do not own; ask an administrator");
}

/** Replaces a source's owners (users and groups). */
export async function setDataSourceOwners(deps: CatalogDeps, actor: Actor | null, input: unknown) {
  const data = parseInput(OwnersInput, input);
  return transaction(deps.db, async (tx) => {
    const source = await requireSource(tx, data.dataSourceId);
    const a = await requireManageSource(tx, actor, source);
    const [users, groups] = await Promise.all([
      tx.user.count({ where: { id: { in: data.userIds } } }),
      tx.group.count({ where: { id: { in: data.groupIds } } }),
    ]);
    if (users !== new Set(data.userIds).size || groups !== new Set(data.groupIds).size)
      throw badInput("Unknown user or group among the owners");
    await refuseSelfPromotion(tx, a, source.id, data);
    const before = await tx.dataSourceOwner.findMany({ where: { dataSourceId: source.id } });
    await tx.dataSourceOwner.deleteMany({ where: { dataSourceId: source.id } });
    await tx.dataSourceOwner.createMany({
      data: [...new Set(data.userIds)]
        .map((userId) => ({ dataSourceId: source.id, userId }))
        .concat([...new Set(data.groupIds)].map((groupId) => ({ dataSourceId: source.id, groupId }) as never)),
    });
    await recordAudit(tx, a, {
      action: "data_source.owners_set",
      targetType: "DataSource",
      targetId: source.id,
      before: {
        userIds: before.flatMap((o) => (o.userId ? [o.userId] : [])),
        groupIds: before.flatMap((o) => (o.groupId ? [o.groupId] : [])),
      },
      after: { userIds: data.userIds, groupIds: data.groupIds },
    });
    await emitEvent(tx, {
      type: "data_source.owners_changed",
      aggregateType: "DataSource",
      aggregateId: source.id,
      payload: { connectionId: source.connectionId, dataSourceId: source.id },
    });
    return source;
  });
}

/** Disable by hand (kept disabled by sync) or enable again (only if its object still exists). */
export async function setDataSourceEnabled(deps: CatalogDeps, actor: Actor | null, id: string, enabled: boolean) {
  const sourceId = parseInput(z.uuid(), id);
  return transaction(deps.db, async (tx) => {
    const source = await requireSource(tx, sourceId);
    const a = await requireManageSource(tx, actor, source);
    if ((source.status === "ACTIVE") === enabled) return source;
    if (enabled) {
      const node = await tx.catalogNode.findUniqueOrThrow({ where: { id: source.catalogNodeId } });
      if (!node.present) throw badInput("The object no longer exists on the platform; it is enabled again automatically if it comes back");
    }
    const updated = await tx.dataSource.update({
      where: { id: sourceId },
      data: enabled
        ? { status: "ACTIVE", disabledReason: null, disabledAt: null }
        : { status: "DISABLED", disabledReason: "MANUAL", disabledAt: new Date() },
    });
    await recordAudit(tx, a, {
      action: enabled ? "data_source.enabled" : "data_source.disabled",
      targetType: "DataSource",
      targetId: sourceId,
      before: { status: source.status },
      after: { status: updated.status },
    });
    await emitEvent(tx, {
      type: "data_source.status_changed",
      aggregateType: "Connection",
      aggregateId: source.connectionId,
      payload: { connectionId: source.connectionId, dataSourceIds: [sourceId], status: updated.status },
    });
    return updated;
  });
}
