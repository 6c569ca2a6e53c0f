import { type Actor, forbidden, hasRole, unauthenticated } from "@steward/core";
import type { Db, Tx } from "@steward/db";

/** Governors author policies; admins may read them; everyone else sees only their own access. */
export function requireGovernor(actor: Actor | null): Actor {
  if (!actor) throw unauthenticated();
  if (!hasRole(actor, "GOVERNOR")) throw forbidden("Managing policies needs the GOVERNOR role");
  return actor;
}

export function requirePolicyReader(actor: Actor | null): Actor {
  if (!actor) throw unauthenticated();
  if (!hasRole(actor, "GOVERNOR") && !hasRole(actor, "ADMIN")) throw forbidden("Reading policies needs the GOVERNOR or ADMIN role");
  return actor;
}

/**
 * Deployment settings for access decisions, passed in by the app (libraries never read env).
 * `allowSelfApproval`: segregation of duties is the default — nobody approves their own request or
 * subscribes themselves by hand; a small team may turn that off.
 */
export type AccessSettings = { allowSelfApproval?: boolean };

/**
 * Who acts as an owner of a data source: holders of DATA_OWNER who own it (directly or through a
 * group) or are assigned to its connection. Ownership rows alone do not count, so an API key that
 * dropped DATA_OWNER, or a user who lost the role, no longer decides for the source.
 */
export async function actsAsSourceOwner(tx: Tx | Db, actor: Actor, dataSourceId: string): Promise<boolean> {
  if (actor.kind === "SYSTEM") return true;
  if (!hasRole(actor, "DATA_OWNER")) return false;
  const [owned, assigned] = await Promise.all([
    tx.dataSourceOwner.count({
      where: { dataSourceId, OR: [{ userId: actor.userId }, { group: { members: { some: { userId: actor.userId } } } }] },
    }),
    tx.connectionDataOwner.count({ where: { userId: actor.userId, connection: { dataSources: { some: { id: dataSourceId } } } } }),
  ]);
  return owned + assigned > 0;
}

/** Sources the actor acts as owner of (see `actsAsSourceOwner`), as a Prisma filter. */
export function ownedSourcesFilter(actor: Extract<Actor, { kind: "USER" | "API_KEY" }>) {
  if (!hasRole(actor, "DATA_OWNER")) return { id: { in: [] as string[] } };
  return {
    OR: [
      { owners: { some: { OR: [{ userId: actor.userId }, { group: { members: { some: { userId: actor.userId } } } }] } } },
      { connection: { dataOwners: { some: { userId: actor.userId } } } },
    ],
  };
}
