import { type Actor, parseInput } from "@steward/core";
import { transaction } from "@steward/db";
import { recordAudit } from "@steward/events";
import {
  auditSnapshot,
  loadEndpointForUpdate,
  requireAdmin,
  toEndpointView,
  type WebhookDeps,
  type WebhookEndpointView,
} from "./endpoint-view";
import { updateEndpointInput } from "./validation";

export type UpdateWebhookEndpointInput = {
  id: string;
  url?: string | null;
  description?: string | null;
  eventTypes?: string[] | null;
  active?: boolean | null;
};

/** Partial update: omitted (or null) fields keep their value. */
export async function updateWebhookEndpoint(
  deps: Pick<WebhookDeps, "db">,
  actor: Actor,
  input: UpdateWebhookEndpointInput,
): Promise<WebhookEndpointView> {
  requireAdmin(actor);
  const { id, ...changes } = parseInput(updateEndpointInput, input);
  const row = await transaction(deps.db, async (tx) => {
    const before = await loadEndpointForUpdate(tx, id);
    const after = await tx.webhookEndpoint.update({
      where: { id },
      data: {
        url: changes.url ?? undefined,
        description: changes.description ?? undefined,
        eventTypes: changes.eventTypes ?? undefined,
        active: changes.active ?? undefined,
      },
    });
    await recordAudit(tx, actor, {
      action: "webhook.updated",
      targetType: "WebhookEndpoint",
      targetId: id,
      before: auditSnapshot(before),
      after: auditSnapshot(after),
    });
    return after;
  });
  return toEndpointView(row);
}
