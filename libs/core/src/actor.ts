/**
 * Who is acting. Built by transports (session cookie, API key, or the system itself) and passed to
 * every use-case, which authorises against it.
 */
export type RoleName = "ADMIN" | "GOVERNOR" | "DATA_OWNER";

export type Actor =
  | { kind: "USER"; userId: string; username: string; roles: ReadonlySet<RoleName>; requestId?: string }
  | {
      kind: "API_KEY";
      userId: string;
      username: string;
      apiKeyId: string;
      keyPrefix: string;
      roles: ReadonlySet<RoleName>;
      requestId?: string;
    }
  | { kind: "SYSTEM"; label: string; requestId?: string };

export function hasRole(actor: Actor, role: RoleName): boolean {
  return actor.kind === "SYSTEM" || actor.roles.has(role);
}

export function actorUserId(actor: Actor): string | null {
  return actor.kind === "SYSTEM" ? null : actor.userId;
}

export const systemActor = (label = "system"): Actor => ({ kind: "SYSTEM", label });

/**
 * Whether powers that come from what a person owns (data sources, through groups too) apply to this
 * actor. A person acts with all they own; an API key only when it carries DATA_OWNER, so a key created
 * with no roles stays a plain consumer whatever its owner owns.
 */
export function mayActAsOwner(actor: Actor): boolean {
  return actor.kind !== "API_KEY" || actor.roles.has("DATA_OWNER");
}
