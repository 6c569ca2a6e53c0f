import { type Actor, badInput, conflict, forbidden, hasRole, notFound, parseInput, unauthenticated } from "@steward/core";
import { type Db, isUniqueViolation, type Tx, transaction } from "@steward/db";
import { emitEvent, recordAudit } from "@steward/events";
import { z } from "zod";
import { type AccessSettings, actsAsSourceOwner, ownedSourcesFilter } from "../authz";

const RequestInput = z.object({
  dataSourceId: z.uuid(),
  accessType: z.enum(["READ", "WRITE"]).default("READ"),
  reason: z.string().trim().min(3, "say why you need access").max(2000),
});
const DecideInput = z.object({ requestId: z.uuid(), reason: z.string().trim().max(2000).nullish(), expiresAt: z.coerce.date().nullish() });

/** Governors and the source's owners (including data owners of its connection) decide on requests. */
async function canDecide(tx: Tx, actor: Actor, dataSourceId: string): Promise<boolean> {
  if (hasRole(actor, "GOVERNOR")) return true;
  return actsAsSourceOwner(tx, actor, dataSourceId);
}

const isOwnRequest = (actor: Actor, request: { userId: string }) => actor.kind !== "SYSTEM" && actor.userId === request.userId;

export async function requestAccess(deps: { db: Db }, actor: Actor | null, input: unknown) {
  if (!actor || actor.kind === "SYSTEM") throw unauthenticated();
  const data = parseInput(RequestInput, input);
  const alreadyPending = () => conflict("You already have a pending request for this data source");
  return transaction(deps.db, async (tx) => {
    const source = await tx.dataSource.findUnique({ where: { id: data.dataSourceId } });
    if (!source) throw notFound("Data source");
    if (source.status !== "ACTIVE") throw badInput("This data source is disabled");
    const open = await tx.accessRequest.findFirst({ where: { userId: actor.userId, dataSourceId: source.id, status: "PENDING" } });
    if (open) throw alreadyPending();
    const request = await tx.accessRequest.create({
      data: { userId: actor.userId, dataSourceId: source.id, accessType: data.accessType, reason: data.reason },
    });
    await recordAudit(tx, actor, {
      action: "access_request.created",
      targetType: "DataSource",
      targetId: source.id,
      after: { requestId: request.id, accessType: data.accessType, reason: data.reason },
    });
    await emitEvent(tx, {
      type: "access_request.created",
      aggregateType: "AccessRequest",
      aggregateId: request.id,
      payload: { requestId: request.id, dataSourceId: source.id },
    });
    return request;
  }).catch((err: unknown) => {
    // A parallel call created the pending request between our check and insert (unique partial index).
    if (isUniqueViolation(err)) throw alreadyPending();
    throw err;
  });
}

/**
 * Approving always yields access for the approval's duration: besides marking the request, it
 * subscribes the requester by hand (replacing an earlier manual subscription, as `subscribeUser`
 * does) until `expiresAt`. Before, an approval only counted where an "anyone who asks" policy
 * covered the source, so most approvals granted nothing.
 */
async function decide(deps: { db: Db } & AccessSettings, actor: Actor | null, input: unknown, approve: boolean) {
  if (!actor) throw unauthenticated();
  const data = parseInput(DecideInput, input);
  if (approve && data.expiresAt && data.expiresAt.getTime() <= Date.now())
    throw badInput("expiresAt must be in the future", [{ path: "expiresAt", message: "must be in the future" }]);
  if (!approve && !data.reason) throw badInput("Give a reason for the denial", [{ path: "reason", message: "required" }]);
  return transaction(deps.db, async (tx) => {
    const request = await tx.accessRequest.findUnique({ where: { id: data.requestId } });
    if (!request) throw notFound("Access request");
    if (!(await canDecide(tx, actor, request.dataSourceId)))
      throw forbidden("Only the source's owners and governors decide on its requests");
    if (approve && isOwnRequest(actor, request) && !deps.allowSelfApproval)
      throw forbidden("Segregation of duties: you cannot approve your own access request; another owner or a governor must");
    if (request.status !== "PENDING") throw conflict(`This request is already ${request.status.toLowerCase()}`);
    const decided = await tx.accessRequest.update({
      where: { id: request.id, status: "PENDING" },
      data: {
        status: approve ? "APPROVED" : "DENIED",
        decidedById: actor.kind === "SYSTEM" ? null : actor.userId,
        decidedAt: new Date(),
        decisionReason: data.reason ?? null,
        expiresAt: approve ? (data.expiresAt ?? null) : null,
      },
    });
    if (approve) {
      const source = await tx.dataSource.findUnique({ where: { id: request.dataSourceId }, select: { status: true } });
      if (source?.status !== "ACTIVE") throw badInput("This data source is disabled");
      await tx.manualSubscription.updateMany({
        where: { userId: request.userId, dataSourceId: request.dataSourceId, revokedAt: null },
        data: { revokedAt: new Date() },
      });
      await tx.manualSubscription.create({
        data: {
          userId: request.userId,
          dataSourceId: request.dataSourceId,
          accessType: request.accessType,
          expiresAt: decided.expiresAt,
          grantedById: decided.decidedById,
        },
      });
    }
    await recordAudit(tx, actor, {
      action: approve ? "access_request.approved" : "access_request.denied",
      targetType: "DataSource",
      targetId: request.dataSourceId,
      after: {
        requestId: request.id,
        userId: request.userId,
        accessType: request.accessType,
        expiresAt: decided.expiresAt,
        reason: data.reason ?? null,
      },
    });
    await emitEvent(tx, {
      type: "access_request.decided",
      aggregateType: "AccessRequest",
      aggregateId: request.id,
      payload: { requestId: request.id, dataSourceId: request.dataSourceId, userId: request.userId, approved: approve },
    });
    return decided;
  });
}

export const approveAccessRequest = (deps: { db: Db } & AccessSettings, actor: Actor | null, input: unknown) =>
  decide(deps, actor, input, true);
export const denyAccessRequest = (deps: { db: Db } & AccessSettings, actor: Actor | null, input: unknown) =>
  decide(deps, actor, input, false);

/** The requester withdraws a pending request. */
export async function cancelAccessRequest(deps: { db: Db }, actor: Actor | null, requestId: string) {
  if (!actor || actor.kind === "SYSTEM") throw unauthenticated();
  const id = parseInput(z.uuid(), requestId);
  return transaction(deps.db, async (tx) => {
    const request = await tx.accessRequest.findUnique({ where: { id } });
    // Someone else's request is as unknown to the caller as a missing one.
    if (!request || request.userId !== actor.userId) throw notFound("Access request");
    if (request.status !== "PENDING") throw conflict(`This request is already ${request.status.toLowerCase()}`);
    const cancelled = await tx.accessRequest.update({ where: { id, status: "PENDING" }, data: { status: "CANCELLED" } });
    await recordAudit(tx, actor, {
      action: "access_request.cancelled",
      targetType: "DataSource",
      targetId: request.dataSourceId,
      after: { requestId: id },
    });
    await emitEvent(tx, {
      type: "access_request.cancelled",
      aggregateType: "AccessRequest",
      aggregateId: id,
      payload: { requestId: id, dataSourceId: request.dataSourceId, userId: request.userId },
    });
    return cancelled;
  });
}

export async function myAccessRequests(deps: { db: Db }, actor: Actor | null) {
  if (!actor || actor.kind === "SYSTEM") throw unauthenticated();
  return deps.db.accessRequest.findMany({ where: { userId: actor.userId }, orderBy: { createdAt: "desc" }, take: 200 });
}

/**
 * Pending requests the caller may decide on: for governors all, for owners those on sources they
 * own or on connections they are assigned to. The caller's own requests are left out unless they
 * may approve them.
 */
export async function myPendingApprovals(deps: { db: Db } & AccessSettings, actor: Actor | null) {
  if (!actor || actor.kind === "SYSTEM") throw unauthenticated();
  const notMine = deps.allowSelfApproval ? {} : { userId: { not: actor.userId } };
  if (hasRole(actor, "GOVERNOR"))
    return deps.db.accessRequest.findMany({ where: { status: "PENDING", ...notMine }, orderBy: { createdAt: "asc" }, take: 500 });
  const owned = await deps.db.dataSource.findMany({ where: ownedSourcesFilter(actor), select: { id: true } });
  return deps.db.accessRequest.findMany({
    where: { status: "PENDING", ...notMine, dataSourceId: { in: owned.map((o) => o.id) } },
    orderBy: { createdAt: "asc" },
    take: 500,
  });
}
