import { type Actor, parseInput } from "@steward/core";
import { transaction } from "@steward/db";
import { recordAudit } from "@steward/events";
import { type EndpointWithSecret, newWebhookSecret } from "./create-webhook-endpoint";
import { loadEndpointForUpdate, requireAdmin, toEndpointView, type WebhookDeps } from "./endpoint-view";
import { endpointRef } from "./validation";

/**
 * Replaces the signing secret; the old one stops working at once (the worker reads the secret when it
 * sends, so pending retries are signed with the new one). The audit records the key id that sealed
 * each secret, never the secret.
 */
export async function rotateWebhookSecret(deps: WebhookDeps, actor: Actor, input: { id: string }): Promise<EndpointWithSecret> {
  requireAdmin(actor);
  const { id: endpointId } = parseInput(endpointRef, input);
  const secret = newWebhookSecret();
  const row = await transaction(deps.db, async (tx) => {
    const before = await loadEndpointForUpdate(tx, endpointId);
    const sealed = deps.secretBox.seal(secret);
    const after = await tx.webhookEndpoint.update({ where: { id: endpointId }, data: { secretCiphertext: sealed } });
    await recordAudit(tx, actor, {
      action: "webhook.secret_rotated",
      targetType: "WebhookEndpoint",
      targetId: endpointId,
      before: { sealedWithKey: deps.secretBox.keyIdOf(before.secretCiphertext) ?? null },
      after: { sealedWithKey: deps.secretBox.keyIdOf(sealed) ?? null },
    });
    return after;
  });
  return { endpoint: toEndpointView(row), secret };
}
