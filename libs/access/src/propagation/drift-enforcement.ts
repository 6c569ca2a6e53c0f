import { type Actor, notFound, parseInput } from "@steward/core";
import { type Db, transaction } from "@steward/db";
import { recordAudit } from "@steward/events";
import { z } from "zod";
import { requirePolicyReader } from "../authz";

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
