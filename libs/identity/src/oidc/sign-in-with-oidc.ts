import { type Actor, AppError, fields } from "@steward/core";
import { isUniqueViolation, type Tx, transaction } from "@steward/db";
import { recordAudit } from "@steward/events";
import type { IdentityDeps } from "../deps";
import { addMemberIn, createGroupIn, removeMemberIn } from "../groups/group-commands";
import { type LoginResult, openSessionIn, type SessionMeta } from "../sessions/sessions";
import { assertAccountFree, assertUsableUsername } from "../users/account-names";
import { removeAttributeIn, setAttributeIn } from "../users/attributes";
import { insertUser } from "../users/create-user";
import { type Claims, type MappedClaims, mapClaims, usernameFromClaims } from "./claims";
import { OidcError } from "./errors";
import type { VerifiedSignIn } from "./relying-party";
import type { OidcSettings } from "./settings";

export type OidcSignInResult = LoginResult & { userCreated: boolean; linked: boolean };

type SignInUser = { id: string; username: string; status: string; roles: { role: string }[] };

/**
 * Signs a person in from a verified OpenID Connect sign-in: finds their user by the stable link
 * (issuer + sub), or links the user with the same verified email (when allowed), or creates one (when
 * just-in-time creation is on); applies the claim mapping to groups and attributes through the identity
 * writes (audit + outbox events, so platform grants follow); opens a session. All in one transaction:
 * a refused sign-in changes nothing but its audit row.
 */
export async function signInWithOidc(
  deps: IdentityDeps,
  settings: OidcSettings,
  signIn: VerifiedSignIn,
  meta: SessionMeta,
): Promise<OidcSignInResult> {
  const { issuer, subject, claims } = signIn;
  if (!subject || subject.length > 255) throw new OidcError("CLAIMS_INVALID", { internal: "missing or oversized sub" });
  const mapped = mapClaims(claims, settings.mapping);
  const actor: Actor = { kind: "SYSTEM", label: `oidc:${issuer}`.slice(0, 200), requestId: meta.requestId };
  const attempt = () => transaction(deps.db, (tx) => signInIn(tx, actor, settings, signIn, mapped, meta));
  try {
    try {
      return await attempt();
    } catch (err) {
      // Two first sign-ins at once (or a group created meanwhile): the second attempt finds the other's rows.
      if (!isUniqueViolation(err)) throw err;
      return await attempt();
    }
  } catch (err) {
    if (
      err instanceof OidcError &&
      (err.reason === "USER_UNKNOWN" || err.reason === "USER_INACTIVE" || err.reason === "ACCOUNT_CONFLICT")
    ) {
      await transaction(deps.db, (tx) =>
        recordAudit(tx, actor, {
          action: "session.login_failed",
          targetType: "ExternalIdentity",
          targetId: `${issuer}#${subject}`.slice(0, 500),
          after: { method: "OIDC", issuer, subject, email: typeof claims.email === "string" ? claims.email : null, reason: err.reason },
        }),
      );
    }
    if (isUniqueViolation(err)) throw new OidcError("ACCOUNT_CONFLICT", { cause: err });
    throw err;
  }
}

async function signInIn(
  tx: Tx,
  actor: Actor,
  settings: OidcSettings,
  { issuer, subject, claims }: VerifiedSignIn,
  mapped: MappedClaims,
  meta: SessionMeta,
): Promise<OidcSignInResult> {
  const include = { user: { include: { roles: { select: { role: true } } } } } as const;
  let link = await tx.externalIdentity.findUnique({ where: { issuer_subject: { issuer, subject } }, include });
  let userCreated = false;
  let linked = false;
  if (!link) {
    const user = await findOrCreateUser(tx, actor, settings, claims);
    userCreated = user.created;
    linked = true;
    link = await tx.externalIdentity.create({ data: { issuer, subject, userId: user.user.id }, include });
    await recordAudit(tx, actor, {
      action: "user.external_identity.linked",
      targetType: "User",
      targetId: user.user.id,
      after: { issuer, subject, by: user.created ? "CREATED" : "VERIFIED_EMAIL" },
    });
  }
  const user: SignInUser = link.user;
  if (user.status !== "ACTIVE") throw new OidcError("USER_INACTIVE");

  const syncedGroups = await applyGroups(tx, actor, settings, user, link.syncedGroups, mapped.groups);
  for (const { key, values } of mapped.attributes) {
    if (values.length > 0) await setAttributeIn(tx, actor, user.id, key, values);
    else await removeAttributeIn(tx, actor, user.id, key);
  }
  await tx.externalIdentity.update({ where: { id: link.id }, data: { syncedGroups, lastLoginAt: new Date() } });
  const session = await openSessionIn(tx, { id: user.id, username: user.username, roles: user.roles.map((r) => r.role) }, meta, {
    method: "OIDC",
    issuer,
  });
  return { ...session, userCreated, linked };
}

async function findOrCreateUser(
  tx: Tx,
  actor: Actor,
  settings: OidcSettings,
  claims: Claims,
): Promise<{ user: { id: string }; created: boolean }> {
  const email = fields.email.safeParse(claims.email);
  if (settings.matchVerifiedEmail && email.success && claims.email_verified === true) {
    const byEmail = await tx.user.findUnique({ where: { email: email.data }, select: { id: true } });
    if (byEmail) {
      // A user already linked to another identity at this provider is not taken over by a second one.
      const other = await tx.externalIdentity.findFirst({ where: { userId: byEmail.id, issuer: String(claims.iss ?? "") } });
      if (other) throw new OidcError("ACCOUNT_CONFLICT", { internal: "the email's user is linked to another subject" });
      return { user: byEmail, created: false };
    }
  }
  if (!settings.jit) throw new OidcError("USER_UNKNOWN");
  if (!email.success) throw new OidcError("CLAIMS_INVALID", { internal: "no usable email claim" });
  // An unverified (or not-to-be-matched) email that someone already uses is never taken over.
  if (await tx.user.findUnique({ where: { email: email.data }, select: { id: true } })) throw new OidcError("ACCOUNT_CONFLICT");
  const displayName = fields.displayName.safeParse(claims.name);
  const username = await freeUsername(tx, usernameFromClaims(claims, settings.mapping.username) ?? "user");
  const user = await insertUser(tx, actor, {
    username,
    displayName: displayName.success ? displayName.data : username,
    email: email.data,
    passwordHash: null,
    roles: [],
  });
  return { user, created: true };
}

/** `base`, else `base-2`…`base-9`, else `base-<random>`: the first that is valid, not reserved by a platform and free. */
async function freeUsername(tx: Tx, base: string): Promise<string> {
  const candidates = [base, ...Array.from({ length: 8 }, (_, i) => `${base}-${i + 2}`), `${base}-${crypto.randomUUID().slice(0, 8)}`];
  for (const candidate of candidates) {
    if (!fields.username.safeParse(candidate).success) continue;
    try {
      assertUsableUsername(candidate);
      if (await tx.user.findUnique({ where: { username: candidate }, select: { id: true } })) continue;
      await assertAccountFree(tx, { username: candidate });
      return candidate;
    } catch (err) {
      if (err instanceof AppError) continue;
      throw err;
    }
  }
  throw new OidcError("ACCOUNT_CONFLICT", { internal: `no free username near ${base}` });
}

/**
 * Makes the user a member of the claimed groups (existing ones, or created when the mapping allows)
 * and removes them from groups an earlier sign-in added that the claims no longer name. Memberships
 * given by hand are left alone. Returns the groups now held because of the claims.
 */
async function applyGroups(
  tx: Tx,
  actor: Actor,
  settings: OidcSettings,
  user: { id: string; username: string },
  previouslySynced: readonly string[],
  claimed: readonly string[],
): Promise<string[]> {
  if (!settings.mapping.groups) return [];
  const groups = await tx.group.findMany({ where: { name: { in: [...claimed, ...previouslySynced] } }, select: { id: true, name: true } });
  const byName = new Map(groups.map((g) => [g.name, g]));
  const held: string[] = [];
  for (const name of claimed) {
    let group = byName.get(name);
    if (!group && settings.mapping.groups.createMissing) {
      group = await createGroupIn(tx, actor, { name, description: `Created by single sign-on (${settings.providerName})`.slice(0, 2000) });
    }
    if (!group) continue;
    await addMemberIn(tx, actor, group, user);
    held.push(name);
  }
  const claimedSet = new Set(claimed);
  for (const name of previouslySynced) {
    const group = byName.get(name);
    if (!claimedSet.has(name) && group) await removeMemberIn(tx, actor, group, user);
  }
  return held;
}
