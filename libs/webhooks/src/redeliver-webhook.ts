import { type Actor, conflict, notFound, parseInput } from "@steward/core";
import { transaction, type WebhookDeliveryModel } from "@steward/db";
import { recordAudit } from "@steward/events";
import { requireAdmin, type WebhookDeps } from "./endpoint-view";
import { deliveryRef } from "./validation";

/** The worker LISTENs on this channel to pick up redeliveries at once instead of at its next sweep. */
export const DELIVERY_NOTIFY_CHANNEL = "steward_webhook_delivery";

/**
 * Asks for one more delivery of a recorded event (same event id, so receivers that already processed
 * it deduplicate). Only the database changes: the delivery becomes PENDING in a new round, and the
 * worker's sweep (woken by NOTIFY at commit) queues a job for that round. The API never talks to Redis.
 */
export async function redeliverWebhook(
  deps: Pick<WebhookDeps, "db">,
  actor: Actor,
  input: { deliveryId: string },
): Promise<WebhookDeliveryModel> {
  requireAdmin(actor);
  const { deliveryId: id } = parseInput(deliveryRef, input);
  return transaction(deps.db, async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "WebhookDelivery" WHERE id = ${id}::uuid FOR UPDATE`;
    if (locked.length === 0) throw notFound("Webhook delivery");
    const before = await tx.webhookDelivery.findUniqueOrThrow({ where: { id }, include: { endpoint: { select: { active: true } } } });
    if (!before.endpoint.active) throw conflict("The endpoint is disabled; enable it before redelivering");
    // A new round retires any job still queued for the old one (it finds a newer round and does nothing).
    const after = await tx.webhookDelivery.update({ where: { id }, data: { status: "PENDING", round: { increment: 1 } } });
    await recordAudit(tx, actor, {
      action: "webhook.redelivered",
      targetType: "WebhookDelivery",
      targetId: id,
      before: { status: before.status, attempts: before.attempts, round: before.round },
      after: { status: after.status, round: after.round, endpointId: after.endpointId, eventId: after.eventId.toString() },
    });
    await tx.$executeRaw`SELECT pg_notify(${DELIVERY_NOTIFY_CHANNEL}, ${id})`;
    return after;
  });
}
