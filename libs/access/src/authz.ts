import { type Actor, forbidden, hasRole, unauthenticated } from "@steward/core";

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
