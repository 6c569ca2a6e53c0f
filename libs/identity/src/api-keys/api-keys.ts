import {
  type Actor,
  badInput,
  forbidden,
  hasRole,
  notFound,
  parseInput,
  type RoleName,
  randomToken,
  sha256Hex,
  unauthenticated,
} from "@steward/core";
import { transaction } from "@steward/db";
import { recordAudit } from "@steward/events";
import { z } from "zod";
import { requireAuthenticated } from "../authz";
import type { IdentityDeps } from "../deps";

const ROLES = ["ADMIN", "GOVERNOR", "DATA_OWNER"] as const;
const TOUCH_INTERVAL_MS = 60 * 1000;
// `stw_<8 chars>_<43 chars>`: the prefix is public (shown in lists, logs, audit); the rest is the secret.
const KEY_PATTERN = /^stw_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}$/;

const CreateInput = z.object({
  name: z.string().trim().min(1).max(100),
  roles: z.array(z.enum(ROLES)).max(3).nullish(),
  expiresAt: z.coerce.date().nullish(),
  ownerId: z.uuid().nullish(),
  scope: z.enum(["GRAPHQL", "SCIM"]).nullish(),
});

export type ApiKeyScopeName = "GRAPHQL" | "SCIM";

function newPrefix(): string {
  return `stw_${randomToken(12)
    .replace(/[^A-Za-z0-9]/g, "")
    .slice(0, 8)
    .padEnd(8, "0")}`;
}

/**
 * Creates an API key. The secret is returned once and stored only as a SHA-256 hash: keys carry
 * 256 random bits, so a slow password hash adds nothing and a fast one allows an indexed lookup.
 */
export async function createApiKey(deps: IdentityDeps, actor: Actor | null, input: unknown) {
  const a = requireAuthenticated(actor);
  const data = parseInput(CreateInput, input);
  if (a.kind === "SYSTEM") throw forbidden("The system actor does not own API keys");
  const ownerId = data.ownerId ?? a.userId;
  if (ownerId !== a.userId && !hasRole(a, "ADMIN")) throw forbidden("Only administrators create keys for other users");
  const scope = data.scope ?? "GRAPHQL";
  // A SCIM key provisions identities (ADMIN work) for an IdP and can call nothing else; only an admin makes one.
  if (scope === "SCIM" && !hasRole(a, "ADMIN")) throw forbidden("Only administrators create SCIM keys");
  if (scope === "SCIM" && data.roles && (data.roles.length !== 1 || data.roles[0] !== "ADMIN"))
    throw badInput("A SCIM key acts with the ADMIN role only", [{ path: "roles", message: "must be [ADMIN] or omitted" }]);
  if (data.expiresAt && data.expiresAt.getTime() <= Date.now()) {
    throw badInput("expiresAt must be in the future", [{ path: "expiresAt", message: "must be in the future" }]);
  }
  return transaction(deps.db, async (tx) => {
    const owner = await tx.user.findUnique({ where: { id: ownerId }, include: { roles: true } });
    if (!owner) throw notFound("User");
    // A key acting through the API may hand on only what it holds itself: the new key's roles are
    // within the owner's roles and, when the caller is a key, within that key's (possibly empty) roles.
    // Omitting `roles` asks for everything allowed, so a key with no roles mints only keys with none.
    const ownerRoles = new Set<RoleName>(owner.roles.map((r) => r.role));
    const allowed = a.kind === "API_KEY" ? new Set([...ownerRoles].filter((r) => a.roles.has(r))) : ownerRoles;
    const roles = scope === "SCIM" ? ["ADMIN" as const] : [...new Set(data.roles ?? [...allowed])].sort();
    const notOwned = roles.filter((r) => !ownerRoles.has(r));
    if (notOwned.length) throw forbidden(`The key owner does not hold ${notOwned.join(", ")}`);
    const notHeld = roles.filter((r) => !allowed.has(r));
    if (notHeld.length) throw forbidden(`This API key does not hold ${notHeld.join(", ")}, so it cannot give it to a new key`);
    const prefix = newPrefix();
    const secret = `${prefix}_${randomToken(32)}`;
    const apiKey = await tx.apiKey.create({
      data: { name: data.name, prefix, secretHash: sha256Hex(secret), ownerId, roles, scope, expiresAt: data.expiresAt ?? null },
    });
    await recordAudit(tx, a, {
      action: "api_key.created",
      targetType: "ApiKey",
      targetId: apiKey.id,
      after: { name: apiKey.name, prefix, ownerId, roles, scope },
    });
    return { apiKey, secret };
  });
}

export async function revokeApiKey(deps: IdentityDeps, actor: Actor | null, id: string) {
  const a = requireAuthenticated(actor);
  if (!z.uuid().safeParse(id).success) throw notFound("API key");
  return transaction(deps.db, async (tx) => {
    const key = await tx.apiKey.findUnique({ where: { id } });
    const own = key && a.kind !== "SYSTEM" && key.ownerId === a.userId;
    if (!key || (!own && !hasRole(a, "ADMIN"))) throw notFound("API key"); // others' keys are invisible, not forbidden
    if (key.revokedAt) return key;
    const revoked = await tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
    await recordAudit(tx, a, {
      action: "api_key.revoked",
      targetType: "ApiKey",
      targetId: id,
      before: { prefix: key.prefix, ownerId: key.ownerId },
    });
    return revoked;
  });
}

export async function listMyApiKeys(deps: IdentityDeps, actor: Actor | null, includeRevoked: boolean) {
  const a = requireAuthenticated(actor);
  if (a.kind === "SYSTEM") return [];
  return deps.db.apiKey.findMany({
    where: { ownerId: a.userId, ...(includeRevoked ? {} : { revokedAt: null }) },
    orderBy: { createdAt: "desc" },
  });
}

export async function listAllApiKeys(deps: IdentityDeps, actor: Actor | null, ownerId: string | null | undefined, includeRevoked: boolean) {
  const a = requireAuthenticated(actor);
  if (!hasRole(a, "ADMIN")) throw forbidden("Listing every API key needs the ADMIN role");
  if (ownerId && !z.uuid().safeParse(ownerId).success) return [];
  return deps.db.apiKey.findMany({
    where: { ownerId: ownerId ?? undefined, ...(includeRevoked ? {} : { revokedAt: null }) },
    orderBy: { createdAt: "desc" },
  });
}

/**
 * Resolves a bearer key to an actor. Roles are the key's roles intersected with the owner's current
 * roles, so revoking a role from a person also takes it from their keys. A key is valid only on the
 * surface its scope names: SCIM keys at /scim/v2, others at /graphql.
 */
export async function authenticateApiKey(
  deps: IdentityDeps,
  bearer: string,
  requestId?: string,
  surface: ApiKeyScopeName = "GRAPHQL",
): Promise<Actor> {
  if (!KEY_PATTERN.test(bearer)) throw unauthenticated("Invalid API key");
  const key = await deps.db.apiKey.findUnique({
    where: { secretHash: sha256Hex(bearer) },
    include: { owner: { include: { roles: { select: { role: true } } } } },
  });
  const now = Date.now();
  if (!key || key.revokedAt || (key.expiresAt && key.expiresAt.getTime() <= now) || key.owner.status !== "ACTIVE") {
    throw unauthenticated("Invalid API key");
  }
  if (key.scope !== surface)
    throw unauthenticated(surface === "SCIM" ? "This API key has no SCIM scope" : "A SCIM API key can call only /scim/v2");
  if (!key.lastUsedAt || now - key.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
    await deps.db.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date(now) } });
  }
  const ownerRoles = new Set(key.owner.roles.map((r) => r.role));
  const roles = new Set(key.roles.filter((r) => ownerRoles.has(r)) as RoleName[]);
  return { kind: "API_KEY", userId: key.ownerId, username: key.owner.username, apiKeyId: key.id, keyPrefix: key.prefix, roles, requestId };
}
