import { type Actor, forbidden, hasRole, unauthenticated } from "@steward/core";
import type { Tx } from "@steward/db";

/**
 * Catalog authorisation. ADMIN manages connections and everything on them. DATA_OWNER registers and
 * tags sources on connections they are assigned to, and manages sources they own (directly or via a
 * group). GOVERNOR may tag anything. Everyone else only reads what later issues make discoverable.
 */
export function requireActor(actor: Actor | null): Actor {
  if (!actor) throw unauthenticated();
  return actor;
}

export function requireConnectionAdmin(actor: Actor | null): Actor {
  const a = requireActor(actor);
  if (!hasRole(a, "ADMIN")) throw forbidden("Managing connections needs the ADMIN role");
  return a;
}

export async function canRegisterOn(tx: Tx, actor: Actor, connectionId: string): Promise<boolean> {
  if (hasRole(actor, "ADMIN")) return true;
  if (actor.kind === "SYSTEM" || !hasRole(actor, "DATA_OWNER")) return false;
  const row = await tx.connectionDataOwner.findUnique({ where: { connectionId_userId: { connectionId, userId: actor.userId } } });
  return row !== null;
}

export async function requireRegisterOn(tx: Tx, actor: Actor | null, connectionId: string): Promise<Actor> {
  const a = requireActor(actor);
  if (!(await canRegisterOn(tx, a, connectionId))) throw forbidden("You are not a data owner on this connection");
  return a;
}

/** Owners: the user directly, or through a group they belong to. */
export async function ownsDataSource(tx: Tx, actor: Actor, dataSourceId: string): Promise<boolean> {
  if (actor.kind === "SYSTEM") return true;
  if (!hasRole(actor, "DATA_OWNER")) return false;
  const count = await tx.dataSourceOwner.count({
    where: { dataSourceId, OR: [{ userId: actor.userId }, { group: { members: { some: { userId: actor.userId } } } }] },
  });
  return count > 0;
}

export async function requireManageSource(tx: Tx, actor: Actor | null, source: { id: string; connectionId: string }): Promise<Actor> {
  const a = requireActor(actor);
  if (hasRole(a, "ADMIN") || (await ownsDataSource(tx, a, source.id)) || (await canRegisterOn(tx, a, source.connectionId))) return a;
  throw forbidden("Only the source's owners, data owners on its connection and administrators manage it");
}

export async function requireTagSource(tx: Tx, actor: Actor | null, source: { id: string; connectionId: string }): Promise<Actor> {
  const a = requireActor(actor);
  if (hasRole(a, "GOVERNOR")) return a;
  return requireManageSource(tx, a, source);
}

/** Who may browse a connection's catalog and its data sources (listing is filtered for others). */
export async function canSeeConnection(tx: Tx, actor: Actor, connectionId: string): Promise<boolean> {
  return hasRole(actor, "ADMIN") || hasRole(actor, "GOVERNOR") || (await canRegisterOn(tx, actor, connectionId));
}
