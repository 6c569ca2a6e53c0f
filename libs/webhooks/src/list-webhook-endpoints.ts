import type { Actor } from "@steward/core";
import { requireAdmin, toEndpointView, type WebhookDeps, type WebhookEndpointView } from "./endpoint-view";

/** All endpoints, oldest first. Installations have a handful, so this is deliberately not paginated. */
export async function listWebhookEndpoints(deps: Pick<WebhookDeps, "db">, actor: Actor): Promise<WebhookEndpointView[]> {
  requireAdmin(actor);
  const rows = await deps.db.webhookEndpoint.findMany({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return rows.map(toEndpointView);
}
