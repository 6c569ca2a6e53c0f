import { type Actor, conflict, parseInput } from "@steward/core";
import { transaction } from "@steward/db";
import { emitEvent, recordAudit } from "@steward/events";
import { loadEndpointForUpdate, requireAdmin, type WebhookDeps } from "./endpoint-view";
import { endpointRef } from "./validation";

/**
 * Queues a `webhook.ping` event that only this endpoint receives (whatever it subscribes to). It goes
 * through the outbox like every event, so a ping exercises the real delivery path end to end.
 */
export async function pingWebhookEndpoint(deps: Pick<WebhookDeps, "db">, actor: Actor, input: { id: string }): Promise<true> {
  requireAdmin(actor);
  const { id: endpointId } = parseInput(endpointRef, input);
  await transaction(deps.db, async (tx) => {
    const endpoint = await loadEndpointForUpdate(tx, endpointId);
    if (!endpoint.active) throw conflict("This endpoint is disabled; enable it before sending a ping");
    const eventId = await emitEvent(tx, {
      type: "webhook.ping",
      aggregateType: "WebhookEndpoint",
      aggregateId: endpointId,
      payload: { endpointId },
    });
    await recordAudit(tx, actor, {
      action: "webhook.pinged",
      targetType: "WebhookEndpoint",
      targetId: endpointId,
      after: { eventId: eventId.toString() },
    });
  });
  return true;
}
