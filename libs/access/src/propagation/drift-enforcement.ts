import { type Actor, notFound, parseInput } from "@steward/core";
import { type Db, transaction } from "@steward/db";
import { recordAudit } from "@steward/events";
import { z } from "zod";
import { requirePolicyReader } from "../authz";
import { bumpDesiredVersions, isReconciledKind } from "./desired-version";

/** Admins and governors choose whether drift is repaired automatically (default) or only reported. */
export async function setDriftEnforcement(deps: { db: Db }, actor: Actor | null, connectionId: string, enforce: boolean) {
  const a = requirePolicyReader(actor);
  const id = parseInput(z.uuid(), connectionId);
  return transaction(deps.db, async (tx) => {
    const connection = await tx.connection.findUnique({ where: { id } });
    if (!connection || connection.deletedAt) throw notFound("Connection");
    await tx.connectionAccessState.upsert({ where: { connectionId: id }, create: { connectionId: id, enforce }, update: { enforce } });
    await recordAudit(tx, a, { action: "connection.drift_enforcement_set", targetType: "Connection", targetId: id, after: { enforce } });
    return connection;
  });
}

/**
 * Grants on governed objects made outside Steward: REPORT (default) lists them as drift; REVOKE also
 * revokes them at every reconcile (PUBLIC included; the object owner, the connection's own role and
 * Steward's roles are exempt). Switching bumps the desired version so the next reconcile applies it.
 */
export async function setUnmanagedGrants(deps: { db: Db }, actor: Actor | null, connectionId: string, mode: unknown) {
  const a = requirePolicyReader(actor);
  const data = parseInput(z.object({ connectionId: z.uuid(), mode: z.enum(["REPORT", "REVOKE"]) }), { connectionId, mode });
  return transaction(deps.db, async (tx) => {
    const connection = await tx.connection.findUnique({ where: { id: data.connectionId } });
    if (!connection || connection.deletedAt) throw notFound("Connection");
    const before = await tx.connectionAccessState.findUnique({ where: { connectionId: data.connectionId } });
    if ((before?.unmanagedGrants ?? "REPORT") === data.mode) return connection;
    await tx.connectionAccessState.upsert({
      where: { connectionId: data.connectionId },
      create: { connectionId: data.connectionId, unmanagedGrants: data.mode },
      update: { unmanagedGrants: data.mode },
    });
    // Only connections Steward reconciles get a new version: elsewhere there is nothing to apply.
    if (isReconciledKind(connection.kind)) await bumpDesiredVersions(tx, [data.connectionId]);
    await recordAudit(tx, a, {
      action: "connection.unmanaged_grants_set",
      targetType: "Connection",
      targetId: data.connectionId,
      before: { unmanagedGrants: before?.unmanagedGrants ?? "REPORT" },
      after: { unmanagedGrants: data.mode },
    });
    return connection;
  });
}

/**
 * Read every governed source of the connection through a policy view, even one without a data
 * policy (else such sources keep direct grants). Bumps the desired version (a full reconcile).
 */
export async function setViewsForEverything(deps: { db: Db }, actor: Actor | null, connectionId: string, enabled: boolean) {
  const a = requirePolicyReader(actor);
  const data = parseInput(z.object({ connectionId: z.uuid(), enabled: z.boolean() }), { connectionId, enabled });
  return transaction(deps.db, async (tx) => {
    const connection = await tx.connection.findUnique({ where: { id: data.connectionId } });
    if (!connection || connection.deletedAt) throw notFound("Connection");
    const before = await tx.connectionAccessState.findUnique({ where: { connectionId: data.connectionId } });
    if ((before?.viewsForEverything ?? false) === data.enabled) return connection;
    await tx.connectionAccessState.upsert({
      where: { connectionId: data.connectionId },
      create: { connectionId: data.connectionId, viewsForEverything: data.enabled },
      update: { viewsForEverything: data.enabled },
    });
    if (isReconciledKind(connection.kind)) await bumpDesiredVersions(tx, [data.connectionId]);
    await recordAudit(tx, a, {
      action: "connection.views_for_everything_set",
      targetType: "Connection",
      targetId: data.connectionId,
      before: { viewsForEverything: before?.viewsForEverything ?? false },
      after: { viewsForEverything: data.enabled },
    });
    return connection;
  });
}
