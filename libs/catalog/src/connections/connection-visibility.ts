import { type Actor, forbidden, hasRole } from "@steward/core";
import type { Db } from "@steward/db";

/**
 * A connection can be reached by people who may not see it: a consumer's request or subscription
 * leads to a data source, and the source to its connection. Only its name and kind are for everyone
 * who gets there; everything else (config, owners, sync runs and their errors, the inbound webhook,
 * reconcile runs whose statements name other users, drift) is for those who may see the connection
 * itself — the same rule as `canSeeConnection` and the top-level `connection` query.
 */
export type ConnectionGate = { load(connectionId: string): Promise<boolean> };

/** Per connection id: may the actor see its internals? One query, for a per-request loader. */
export async function batchConnectionVisibility(db: Db, actor: Actor | null, ids: readonly string[]): Promise<boolean[]> {
  if (!actor) return ids.map(() => false);
  if (hasRole(actor, "ADMIN") || hasRole(actor, "GOVERNOR")) return ids.map(() => true);
  // An API key without DATA_OWNER does not inherit its owner's assignments.
  if (actor.kind === "SYSTEM" || !hasRole(actor, "DATA_OWNER")) return ids.map(() => false);
  const rows = await db.connectionDataOwner.findMany({
    where: { userId: actor.userId, connectionId: { in: [...ids] } },
    select: { connectionId: true },
  });
  const assigned = new Set(rows.map((r) => r.connectionId));
  return ids.map((id) => assigned.has(id));
}

/** Reads a connection-internal value only if the gate lets the actor see that connection. */
export async function readConnectionInternal<T>(gate: ConnectionGate, connectionId: string, read: () => T | Promise<T>): Promise<T> {
  if (!(await gate.load(connectionId))) throw forbidden("You cannot see this connection's details");
  return read();
}
