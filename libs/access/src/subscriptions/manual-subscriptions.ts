import { type Actor, badInput, forbidden, hasRole, notFound, parseInput, unauthenticated } from "@steward/core";
import { type Db, type Tx, transaction } from "@steward/db";
import { emitEvent, recordAudit } from "@steward/events";
import { z } from "zod";
import { type AccessSettings, actsAsSourceOwner } from "../authz";

const AddInput = z.object({
  dataSourceId: z.uuid(),
  userId: z.uuid(),
  accessType: z.enum(["READ", "WRITE"]).default("READ"),
  expiresAt: z.coerce.date().nullish(),
});

/** A source's owners (see `actsAsSourceOwner`) and governors subscribe users by hand. */
async function requireSubscriptionManager(tx: Tx | Db, actor: Actor | null, dataSourceId: string): Promise<Actor> {
  if (!actor) throw unauthenticated();
  if (hasRole(actor, "GOVERNOR") || actor.kind === "SYSTEM") return actor;
  if (await actsAsSourceOwner(tx, actor, dataSourceId)) return actor;
  throw forbidden("Only the source's owners and governors subscribe users by hand");
}

/**
 * Subscribes a user to a source by hand (additive to policies), optionally until a date. One active
 * manual subscription per (user, source): subscribing again replaces it.
 */
export async function subscribeUser(deps: { db: Db } & AccessSettings, actor: Actor | null, input: unknown) {
  const data = parseInput(AddInput, input);
  if (data.expiresAt && data.expiresAt.getTime() <= Date.now())
    throw badInput("expiresAt must be in the future", [{ path: "expiresAt", message: "must be in the future" }]);
  return transaction(deps.db, async (tx) => {
    const a = await requireSubscriptionManager(tx, actor, data.dataSourceId);
    // Granting oneself access by hand would bypass the request and its approval by someone else.
    if (a.kind !== "SYSTEM" && a.userId === data.userId && !deps.allowSelfApproval)
      throw forbidden("Segregation of duties: you cannot subscribe yourself; request access instead");
    const [source, user] = await Promise.all([
      tx.dataSource.findUnique({ where: { id: data.dataSourceId } }),
      tx.user.findUnique({ where: { id: data.userId } }),
    ]);
    if (!source) throw notFound("Data source");
    if (!user) throw notFound("User");
    if (source.status !== "ACTIVE") throw badInput("This data source is disabled");
    await tx.manualSubscription.updateMany({
      where: { userId: user.id, dataSourceId: source.id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    const sub = await tx.manualSubscription.create({
      data: {
        userId: user.id,
        dataSourceId: source.id,
        accessType: data.accessType,
        expiresAt: data.expiresAt ?? null,
        grantedById: a.kind === "SYSTEM" ? null : a.userId,
      },
    });
    await recordAudit(tx, a, {
      action: "subscription.added",
      targetType: "DataSource",
      targetId: source.id,
      after: { userId: user.id, username: user.username, accessType: data.accessType, expiresAt: sub.expiresAt },
    });
    await emitEvent(tx, {
      type: "subscription.changed",
      aggregateType: "DataSource",
      aggregateId: source.id,
      payload: { dataSourceId: source.id, userId: user.id },
    });
    return sub;
  });
}

export async function unsubscribeUser(deps: { db: Db }, actor: Actor | null, input: unknown): Promise<boolean> {
  const data = parseInput(z.object({ dataSourceId: z.uuid(), userId: z.uuid() }), input);
  return transaction(deps.db, async (tx) => {
    const a = await requireSubscriptionManager(tx, actor, data.dataSourceId);
    const { count } = await tx.manualSubscription.updateMany({
      where: { userId: data.userId, dataSourceId: data.dataSourceId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (count === 0) return false;
    await recordAudit(tx, a, {
      action: "subscription.removed",
      targetType: "DataSource",
      targetId: data.dataSourceId,
      before: { userId: data.userId },
    });
    await emitEvent(tx, {
      type: "subscription.changed",
      aggregateType: "DataSource",
      aggregateId: data.dataSourceId,
      payload: { dataSourceId: data.dataSourceId, userId: data.userId },
    });
    return true;
  });
}

/** Current manual subscriptions of a source, for its owners and governors. */
export async function listManualSubscriptions(deps: { db: Db }, actor: Actor | null, dataSourceId: string) {
  const id = parseInput(z.uuid(), dataSourceId);
  await requireSubscriptionManager(deps.db, actor, id);
  return deps.db.manualSubscription.findMany({ where: { dataSourceId: id, revokedAt: null }, orderBy: { createdAt: "desc" } });
}
