import { type Actor, AppError, notFound, parseInput } from "@steward/core";
import { type Tx, transaction } from "@steward/db";
import { emitEvent, recordAudit } from "@steward/events";
import { verifyWebhookSignature } from "@steward/webhooks";
import { z } from "zod";
import { requireActor, requireRegisterOn } from "../authz";
import type { CatalogDeps } from "../deps";

type Trigger = "MANUAL" | "SCHEDULE" | "WEBHOOK" | "CREATED";

/**
 * Queues a sync run in the caller's transaction. Requests coalesce: while a run for the connection is
 * still QUEUED, every further request joins it (a RUNNING run may already have crawled past a change,
 * so it does not absorb new requests). An advisory lock serialises concurrent requesters.
 */
export async function enqueueSync(tx: Tx, actor: Actor, connectionId: string, trigger: Trigger) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`steward:sync:${connectionId}`}, 0))`;
  const queued = await tx.syncRun.findFirst({ where: { connectionId, status: "QUEUED" } });
  if (queued) return queued;
  const run = await tx.syncRun.create({ data: { connectionId, trigger, requestedById: actor.kind === "SYSTEM" ? null : actor.userId } });
  await emitEvent(tx, {
    type: "connection.sync_requested",
    aggregateType: "Connection",
    aggregateId: connectionId,
    payload: { connectionId, syncRunId: run.id },
  });
  return run;
}

export async function requestSync(deps: CatalogDeps, actor: Actor | null, connectionId: string) {
  requireActor(actor);
  const id = parseInput(z.uuid(), connectionId);
  return transaction(deps.db, async (tx) => {
    const a = await requireRegisterOn(tx, actor, id);
    const connection = await tx.connection.findUnique({ where: { id } });
    if (!connection || connection.deletedAt) throw notFound("Connection");
    const run = await enqueueSync(tx, a, id, "MANUAL");
    await recordAudit(tx, a, { action: "connection.sync_requested", targetType: "Connection", targetId: id, after: { syncRunId: run.id } });
    return run;
  });
}

/**
 * The inbound "objects changed" webhook: a platform or pipeline signs its request with the
 * connection's secret (same scheme as Steward's outbound webhooks). A bad or stale signature changes
 * nothing.
 */
export async function handleInboundSyncWebhook(
  deps: CatalogDeps,
  connectionId: string,
  signatureHeader: string | undefined,
  rawBody: string,
) {
  const id = z.uuid().safeParse(connectionId);
  const connection = id.success ? await deps.db.connection.findUnique({ where: { id: id.data } }) : null;
  // Unknown connection and bad signature answer alike, so the endpoint cannot probe for ids.
  const refuse = () => new AppError("UNAUTHENTICATED", "Invalid webhook signature");
  if (!connection || connection.deletedAt || !signatureHeader) throw refuse();
  const secret = deps.secretBox.open(connection.inboundSecretCiphertext);
  const verdict = verifyWebhookSignature(secret, signatureHeader, rawBody, { toleranceSeconds: 300 });
  if (!verdict.valid) throw refuse();
  const actor: Actor = { kind: "SYSTEM", label: `inbound-webhook:${connection.name}` };
  return transaction(deps.db, async (tx) => {
    const run = await enqueueSync(tx, actor, connection.id, "WEBHOOK");
    await recordAudit(tx, actor, {
      action: "connection.sync_requested",
      targetType: "Connection",
      targetId: connection.id,
      after: { syncRunId: run.id, via: "webhook" },
    });
    return run;
  });
}

/** For the scheduler: connections whose next scheduled sync is due. */
export async function requestDueSyncs(deps: CatalogDeps, now = new Date()): Promise<number> {
  const due = await deps.db.connection.findMany({
    where: { deletedAt: null, nextSyncAt: { lte: now } },
    select: { id: true, syncIntervalMinutes: true },
  });
  const actor: Actor = { kind: "SYSTEM", label: "sync-scheduler" };
  for (const c of due) {
    await transaction(deps.db, async (tx) => {
      await enqueueSync(tx, actor, c.id, "SCHEDULE");
      await tx.connection.update({
        where: { id: c.id },
        data: { nextSyncAt: c.syncIntervalMinutes ? new Date(now.getTime() + c.syncIntervalMinutes * 60_000) : null },
      });
    });
  }
  return due.length;
}
