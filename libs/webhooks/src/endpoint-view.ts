import { type Actor, forbidden, hasRole, notFound, type SecretBox } from "@steward/core";
import type { Db, Tx, WebhookEndpointModel } from "@steward/db";

/** What every webhook use-case needs. Read-only ones only use `db`. */
export type WebhookDeps = { db: Db; secretBox: SecretBox };

/** An endpoint as callers see it: the sealed secret never leaves this library. */
export type WebhookEndpointView = Omit<WebhookEndpointModel, "secretCiphertext"> & { hasSecret: boolean };

export function toEndpointView(row: WebhookEndpointModel): WebhookEndpointView {
  const { secretCiphertext, ...rest } = row;
  return { ...rest, hasSecret: secretCiphertext.length > 0 };
}

/** The audit snapshot: only what an admin configured, never secret material. */
export function auditSnapshot(row: WebhookEndpointModel) {
  return { url: row.url, description: row.description, eventTypes: row.eventTypes, active: row.active };
}

/** Webhooks can exfiltrate every change event, so managing them is an ADMIN-only capability. */
export function requireAdmin(actor: Actor): void {
  if (!hasRole(actor, "ADMIN")) throw forbidden("Only administrators can manage webhooks");
}

export async function loadEndpointForUpdate(tx: Tx, id: string): Promise<WebhookEndpointModel> {
  // Row lock: concurrent updates of one endpoint serialise, so each audit "before" is accurate.
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "WebhookEndpoint" WHERE id = ${id}::uuid FOR UPDATE`;
  if (locked.length === 0) throw notFound("Webhook endpoint");
  return tx.webhookEndpoint.findUniqueOrThrow({ where: { id } });
}
