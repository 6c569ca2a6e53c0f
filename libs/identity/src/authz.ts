import { type Actor, forbidden, hasRole, type RoleName, unauthenticated } from "@steward/core";

/**
 * Authorisation rules for identity, in one place so the matrix test and the docs can point here.
 * ADMIN manages identities; GOVERNOR reads them (policies are written over users' groups and
 * attributes); everyone reads their own profile.
 */
export function requireRole(actor: Actor | null, role: RoleName): Actor {
  if (!actor) throw unauthenticated();
  if (!hasRole(actor, role)) throw forbidden(`This needs the ${role} role`);
  return actor;
}

export function requireAuthenticated(actor: Actor | null): Actor {
  if (!actor) throw unauthenticated();
  return actor;
}

export function canReadAllUsers(actor: Actor): boolean {
  return hasRole(actor, "ADMIN") || hasRole(actor, "GOVERNOR");
}

export function requireUserReader(actor: Actor | null, userId?: string): Actor {
  const a = requireAuthenticated(actor);
  if (canReadAllUsers(a)) return a;
  if (userId && a.kind !== "SYSTEM" && a.userId === userId) return a;
  throw forbidden("Reading other users needs the ADMIN or GOVERNOR role");
}

export function requireAuditReader(actor: Actor | null): Actor {
  const a = requireAuthenticated(actor);
  if (hasRole(a, "ADMIN") || hasRole(a, "GOVERNOR")) return a;
  throw forbidden("Reading the audit log needs the ADMIN or GOVERNOR role");
}

/**
 * Who may search the people/group pickers (names only). Data owners name owners for their sources, so
 * they need to find people without being able to read the directory (email, roles, groups, attributes).
 */
export function requirePicker(actor: Actor | null): Actor {
  const a = requireAuthenticated(actor);
  if (hasRole(a, "ADMIN") || hasRole(a, "GOVERNOR") || hasRole(a, "DATA_OWNER")) return a;
  throw forbidden("Searching people needs the ADMIN, GOVERNOR or DATA_OWNER role");
}
