import { type Actor, conflict, parseInput } from "@steward/core";
import { transaction } from "@steward/db";
import { emitEvent, recordAudit } from "@steward/events";
import { z } from "zod";
import { requireRole } from "../authz";
import type { IdentityDeps } from "../deps";
import { assertAnotherActiveAdmin } from "../roles/last-admin";
import { requireUser } from "./user-snapshot";

const IdInput = z.object({ id: z.uuid() });

/**
 * Deactivation keeps the user and their history; it ends their sessions, revokes their API keys
 * and, through the outbox event, removes their platform access.
 */
export async function deactivateUser(deps: IdentityDeps, actor: Actor | null, input: unknown) {
  const a = requireRole(actor, "ADMIN");
  const { id } = parseInput(IdInput, input);
  if (a.kind !== "SYSTEM" && a.userId === id) throw conflict("You cannot deactivate yourself");
  return transaction(deps.db, async (tx) => {
    const user = await requireUser(tx, id);
    if (user.status === "DEACTIVATED") return user;
    await assertAnotherActiveAdmin(tx, id);
    const updated = await tx.user.update({ where: { id }, data: { status: "DEACTIVATED", deactivatedAt: new Date() } });
    await tx.session.updateMany({ where: { userId: id, revokedAt: null }, data: { revokedAt: new Date() } });
    // Keys are revoked, not just refused while the user is inactive: reactivating someone must not bring
    // back credentials issued before (they may have leaked with the reason for the deactivation).
    const keys = await tx.apiKey.findMany({ where: { ownerId: id, revokedAt: null }, select: { id: true, prefix: true } });
    if (keys.length) {
      await tx.apiKey.updateMany({ where: { id: { in: keys.map((k) => k.id) } }, data: { revokedAt: new Date() } });
      for (const key of keys) {
        await recordAudit(tx, a, {
          action: "api_key.revoked",
          targetType: "ApiKey",
          targetId: key.id,
          before: { prefix: key.prefix, ownerId: id },
          after: { reason: "owner deactivated" },
        });
      }
    }
    await recordAudit(tx, a, {
      action: "user.deactivated",
      targetType: "User",
      targetId: id,
      before: { status: user.status },
      after: { status: "DEACTIVATED" },
    });
    await emitEvent(tx, { type: "user.deactivated", aggregateType: "User", aggregateId: id, payload: { userId: id } });
    return updated;
  });
}

export async function reactivateUser(deps: IdentityDeps, actor: Actor | null, input: unknown) {
  const a = requireRole(actor, "ADMIN");
  const { id } = parseInput(IdInput, input);
  return transaction(deps.db, async (tx) => {
    const user = await requireUser(tx, id);
    if (user.status === "ACTIVE") return user;
    const updated = await tx.user.update({ where: { id }, data: { status: "ACTIVE", deactivatedAt: null } });
    await recordAudit(tx, a, {
      action: "user.reactivated",
      targetType: "User",
      targetId: id,
      before: { status: user.status },
      after: { status: "ACTIVE" },
    });
    await emitEvent(tx, { type: "user.reactivated", aggregateType: "User", aggregateId: id, payload: { userId: id } });
    return updated;
  });
}
