import { type Actor, AppError, fields, parseInput, type RoleName, randomToken, sha256Hex, unauthenticated } from "@steward/core";
import { type Tx, transaction } from "@steward/db";
import { recordAudit } from "@steward/events";
import { z } from "zod";
import type { IdentityDeps } from "../deps";
import { hashPassword, verifyPassword } from "../passwords";

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
// Sliding expiry is written at most this often, so authenticated reads do not each cost a write.
const TOUCH_INTERVAL_MS = 60 * 1000;

const LoginInput = z.object({ username: z.string().trim().toLowerCase().min(1).max(254), password: z.string().min(1).max(256) });

/** The same message for an unknown user, a wrong password and a deactivated account. */
const invalidCredentials = () => new AppError("UNAUTHENTICATED", "Invalid username or password");

export type LoginResult = { token: string; expiresAt: Date; actor: Actor & { kind: "USER" } };

/** Whether this deployment lets people sign in with a Steward password (STEWARD_LOCAL_PASSWORDS). */
export type PasswordPolicy = { localPasswords: boolean };

/** The typed refusal for password sign-in and password changes when the deployment turned passwords off. */
export const localPasswordsDisabled = () =>
  new AppError("FORBIDDEN", "Password sign-in is turned off for this deployment: use single sign-on", {
    reason: "LOCAL_PASSWORDS_DISABLED",
  });

/** Verifies credentials and opens a session. The raw token goes to the cookie; only its hash is stored. */
export async function login(
  deps: IdentityDeps,
  input: unknown,
  meta: SessionMeta,
  policy: PasswordPolicy = { localPasswords: true },
): Promise<LoginResult> {
  if (!policy.localPasswords) throw localPasswordsDisabled();
  const { username, password } = parseInput(LoginInput, input);
  const user = await deps.db.user.findFirst({
    where: { OR: [{ username }, { email: username }] },
    include: { roles: { select: { role: true } } },
  });
  const ok = await verifyPassword(user?.passwordHash, password);
  if (!user || !ok || user.status !== "ACTIVE") {
    await auditFailedLogin(deps, username, user, !user ? "UNKNOWN_USER" : !ok ? "WRONG_PASSWORD" : "INACTIVE", meta);
    throw invalidCredentials();
  }
  return transaction(deps.db, (tx) => openSessionIn(tx, { ...user, roles: user.roles.map((r) => r.role) }, meta));
}

export type SessionMeta = { userAgent?: string; ip?: string; requestId?: string };

/**
 * Opens a session for an already authenticated, active user in the caller's transaction, with its
 * `session.login` audit row (`method` says how they signed in). Password and single sign-on share it.
 */
export async function openSessionIn(
  tx: Tx,
  user: { id: string; username: string; roles: readonly string[] },
  meta: SessionMeta,
  method: Record<string, string> = { method: "PASSWORD" },
): Promise<LoginResult> {
  const token = randomToken(32);
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  const actor = {
    kind: "USER" as const,
    userId: user.id,
    username: user.username,
    roles: new Set(user.roles as RoleName[]),
    requestId: meta.requestId,
  };
  await tx.session.create({
    data: {
      tokenHash: sha256Hex(token),
      userId: user.id,
      expiresAt,
      userAgent: meta.userAgent?.slice(0, 500),
      ip: meta.ip?.slice(0, 100),
    },
  });
  await recordAudit(tx, actor, { action: "session.login", targetType: "User", targetId: user.id, after: method });
  return { token, expiresAt, actor };
}

/**
 * Failed logins leave an audit row for the account tried (or the name, when no such account exists).
 * Callers throttle attempts before they reach here, so the audit log grows no faster than the limit allows.
 */
async function auditFailedLogin(
  deps: IdentityDeps,
  username: string,
  user: { id: string; username: string } | null,
  reason: "UNKNOWN_USER" | "WRONG_PASSWORD" | "INACTIVE",
  meta: { ip?: string; requestId?: string },
): Promise<void> {
  const actor: Actor = user
    ? { kind: "USER", userId: user.id, username: user.username, roles: new Set(), requestId: meta.requestId }
    : { kind: "SYSTEM", label: "anonymous", requestId: meta.requestId };
  await transaction(deps.db, (tx) =>
    recordAudit(tx, actor, {
      action: "session.login_failed",
      targetType: "User",
      targetId: user?.id ?? username,
      after: { username, ip: meta.ip?.slice(0, 100) ?? null, reason },
    }),
  );
}

/** Resolves a session cookie to an actor, or null when the session is unknown, expired or revoked. */
export async function authenticateSession(deps: IdentityDeps, token: string, requestId?: string): Promise<Actor | null> {
  if (!token || token.length > 200) return null;
  const session = await deps.db.session.findUnique({
    where: { tokenHash: sha256Hex(token) },
    include: { user: { include: { roles: { select: { role: true } } } } },
  });
  const now = Date.now();
  if (!session || session.revokedAt || session.expiresAt.getTime() <= now || session.user.status !== "ACTIVE") return null;
  if (now - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    await deps.db.session.update({
      where: { id: session.id },
      data: { lastSeenAt: new Date(now), expiresAt: new Date(now + SESSION_TTL_MS) },
    });
  }
  return {
    kind: "USER",
    userId: session.userId,
    username: session.user.username,
    roles: new Set(session.user.roles.map((r) => r.role as RoleName)),
    requestId,
  };
}

export async function logout(deps: IdentityDeps, actor: Actor | null, token: string | undefined): Promise<boolean> {
  if (!token) return false;
  return transaction(deps.db, async (tx) => {
    const { count } = await tx.session.updateMany({
      where: { tokenHash: sha256Hex(token), revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (count > 0 && actor && actor.kind !== "SYSTEM")
      await recordAudit(tx, actor, { action: "session.logout", targetType: "User", targetId: actor.userId });
    return count > 0;
  });
}

const ChangePasswordInput = z.object({ currentPassword: z.string().min(1).max(256), newPassword: fields.password });

/** Changes the caller's own password and ends their other sessions. */
export async function changePassword(
  deps: IdentityDeps,
  actor: Actor | null,
  input: unknown,
  currentToken?: string,
  policy: PasswordPolicy = { localPasswords: true },
): Promise<boolean> {
  if (!actor || actor.kind === "SYSTEM") throw unauthenticated();
  if (!policy.localPasswords) throw localPasswordsDisabled();
  const data = parseInput(ChangePasswordInput, input);
  const user = await deps.db.user.findUniqueOrThrow({ where: { id: actor.userId } });
  if (!(await verifyPassword(user.passwordHash, data.currentPassword))) {
    throw new AppError("BAD_USER_INPUT", "The current password is wrong", {
      fields: [{ path: "currentPassword", message: "wrong password" }],
    });
  }
  const passwordHash = await hashPassword(data.newPassword);
  await transaction(deps.db, async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    await tx.session.updateMany({
      where: { userId: user.id, revokedAt: null, ...(currentToken ? { NOT: { tokenHash: sha256Hex(currentToken) } } : {}) },
      data: { revokedAt: new Date() },
    });
    await recordAudit(tx, actor, { action: "user.password_changed", targetType: "User", targetId: user.id });
  });
  return true;
}
