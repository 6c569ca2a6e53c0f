import type { Prisma, Tx } from "@steward/db";
import { ALL_EVENTS } from "./validation";

export type OutboxEventRef = { id: bigint; type: string; payload: Prisma.JsonValue; createdAt: Date };
export type PendingDelivery = { deliveryId: string; endpointId: string; round: number };

/** `webhook.ping` goes to the one endpoint it names, whatever that endpoint subscribes to. */
function recipients(event: OutboxEventRef): Prisma.WebhookEndpointWhereInput | null {
  if (event.type !== "webhook.ping") return { active: true, eventTypes: { hasSome: [event.type, ALL_EVENTS] } };
  const endpointId = (event.payload as { endpointId?: unknown } | null)?.endpointId;
  return typeof endpointId === "string" ? { active: true, id: endpointId } : null;
}

/**
 * Records one delivery per (subscribed active endpoint, event), in the caller's transaction. The unique
 * (endpointId, eventId) makes this idempotent: dispatching an event twice creates nothing new. Returns
 * the deliveries of this event that still need sending, so the caller can queue them after commit.
 */
export async function createDeliveriesForEvent(tx: Tx, event: OutboxEventRef): Promise<PendingDelivery[]> {
  const where = recipients(event);
  if (!where) return [];
  const endpoints = await tx.webhookEndpoint.findMany({ where, select: { id: true } });
  if (endpoints.length === 0) return [];
  const payload = (event.payload ?? {}) as Prisma.InputJsonValue;
  await tx.webhookDelivery.createMany({
    data: endpoints.map((e) => ({ endpointId: e.id, eventId: event.id, eventType: event.type, payload, eventCreatedAt: event.createdAt })),
    skipDuplicates: true,
  });
  const rows = await tx.webhookDelivery.findMany({
    where: { eventId: event.id, endpointId: { in: endpoints.map((e) => e.id) }, status: "PENDING" },
    select: { id: true, endpointId: true, round: true },
  });
  return rows.map((r) => ({ deliveryId: r.id, endpointId: r.endpointId, round: r.round }));
}
