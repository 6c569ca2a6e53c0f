import type { Actor } from "@steward/core";
import { requireAdmin, toEndpointView, type WebhookDeps, type WebhookEndpointView } from "./endpoint-view";
import { webhookId } from "./validation";

/** Null when it does not exist (the GraphQL field is nullable); a malformed id is simply not found. */
export async function getWebhookEndpoint(deps: Pick<WebhookDeps, "db">, actor: Actor, id: string): Promise<WebhookEndpointView | null> {
  requireAdmin(actor);
  if (!webhookId.safeParse(id).success) return null;
  const row = await deps.db.webhookEndpoint.findUnique({ where: { id } });
  return row ? toEndpointView(row) : null;
}
