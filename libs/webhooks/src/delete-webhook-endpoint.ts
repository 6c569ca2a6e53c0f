import { type Actor, parseInput } from "@steward/core";
import { transaction } from "@steward/db";
import { recordAudit } from "@steward/events";
import { auditSnapshot, loadEndpointForUpdate, requireAdmin, type WebhookDeps } from "./endpoint-view";
import { endpointRef } from "./validation";

/**
 * Deletes the endpoint and (by cascade) its delivery history. Jobs already queued for it find no
 * delivery row and finish without sending anything.
 */
export async function deleteWebhookEndpoint(deps: Pick<WebhookDeps, "db">, actor: Actor, input: { id: string }): Promise<true> {
  requireAdmin(actor);
  const { id: endpointId } = parseInput(endpointRef, input);
  await transaction(deps.db, async (tx) => {
    const before = await loadEndpointForUpdate(tx, endpointId);
    await tx.webhookEndpoint.delete({ where: { id: endpointId } });
    await recordAudit(tx, actor, {
      action: "webhook.deleted",
      targetType: "WebhookEndpoint",
      targetId: endpointId,
      before: auditSnapshot(before),
    });
  });
  return true;
}
