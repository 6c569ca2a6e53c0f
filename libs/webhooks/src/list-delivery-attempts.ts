import type { Actor } from "@steward/core";
import type { WebhookDeliveryAttemptModel } from "@steward/db";
import { requireAdmin, type WebhookDeps } from "./endpoint-view";
import { webhookId } from "./validation";

/** Most attempts a delivery can show; older ones stay in the table. */
export const MAX_ATTEMPTS_SHOWN = 100;

/**
 * Batch loader for `WebhookDelivery.attemptLog`: one query for many deliveries, results in the order of
 * `deliveryIds` (the DataLoader contract), oldest attempt first within each.
 */
export async function listDeliveryAttempts(
  deps: Pick<WebhookDeps, "db">,
  actor: Actor,
  deliveryIds: readonly string[],
): Promise<WebhookDeliveryAttemptModel[][]> {
  requireAdmin(actor);
  const ids = [...new Set(deliveryIds.filter((id) => webhookId.safeParse(id).success))];
  const rows =
    ids.length === 0 ? [] : await deps.db.webhookDeliveryAttempt.findMany({ where: { deliveryId: { in: ids } }, orderBy: { id: "asc" } });
  const byDelivery = new Map<string, WebhookDeliveryAttemptModel[]>();
  for (const row of rows) {
    const list = byDelivery.get(row.deliveryId) ?? [];
    list.push(row);
    byDelivery.set(row.deliveryId, list);
  }
  return deliveryIds.map((id) => (byDelivery.get(id) ?? []).slice(-MAX_ATTEMPTS_SHOWN));
}
