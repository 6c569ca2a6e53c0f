import { type Actor, actorUserId, parseInput, randomToken } from "@steward/core";
import { transaction } from "@steward/db";
import { recordAudit } from "@steward/events";
import { auditSnapshot, requireAdmin, toEndpointView, type WebhookDeps, type WebhookEndpointView } from "./endpoint-view";
import { createEndpointInput } from "./validation";

export type CreateWebhookEndpointInput = { url: string; description?: string | null; eventTypes: string[] };
export type EndpointWithSecret = { endpoint: WebhookEndpointView; secret: string };

/** Prefix makes leaked secrets recognisable to secret scanners and to people. */
export const newWebhookSecret = (): string => `whsec_${randomToken(32)}`;

/** Creates an endpoint and returns its signing secret, which is shown this once and stored only sealed. */
export async function createWebhookEndpoint(
  deps: WebhookDeps,
  actor: Actor,
  input: CreateWebhookEndpointInput,
): Promise<EndpointWithSecret> {
  requireAdmin(actor);
  const data = parseInput(createEndpointInput, input);
  const secret = newWebhookSecret();
  const row = await transaction(deps.db, async (tx) => {
    const created = await tx.webhookEndpoint.create({
      data: { ...data, secretCiphertext: deps.secretBox.seal(secret), createdById: actorUserId(actor) },
    });
    await recordAudit(tx, actor, {
      action: "webhook.created",
      targetType: "WebhookEndpoint",
      targetId: created.id,
      after: auditSnapshot(created),
    });
    return created;
  });
  return { endpoint: toEndpointView(row), secret };
}
