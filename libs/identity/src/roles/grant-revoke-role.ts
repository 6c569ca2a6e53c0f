import { type Actor, parseInput } from "@steward/core";
import { transaction } from "@steward/db";
import { emitEvent, recordAudit } from "@steward/events";
import { z } from "zod";
import { requireRole } from "../authz";
import type { IdentityDeps } from "../deps";
import { requireUser } from "../users/user-snapshot";
import { assertAnotherActiveAdmin } from "./last-admin";

const RoleInput = z.object({ userId: z.uuid(), role: z.enum(["ADMIN", "GOVERNOR", "DATA_OWNER"]) });

export async function grantRole(deps: IdentityDeps, actor: Actor | null, input: unknown) {
  const a = requireRole(actor, "ADMIN");
  const { userId, role } = parseInput(RoleInput, input);
  return transaction(deps.db, async (tx) => {
    const user = await requireUser(tx, userId);
    const existing = await tx.roleAssignment.findUnique({ where: { userId_role: { userId, role } } });
    if (existing) return user; // idempotent: granting a held role changes nothing and audits nothing
    await tx.roleAssignment.create({ data: { userId, role, grantedById: a.kind === "SYSTEM" ? null : a.userId } });
    await recordAudit(tx, a, { action: "role.granted", targetType: "User", targetId: userId, after: { role } });
    await emitEvent(tx, { type: "user.roles.changed", aggregateType: "User", aggregateId: userId, payload: { userId } });
    return user;
  });
}

export async function revokeRole(deps: IdentityDeps, actor: Actor | null, input: unknown) {
  const a = requireRole(actor, "ADMIN");
  const { userId, role } = parseInput(RoleInput, input);
  return transaction(deps.db, async (tx) => {
    const user = await requireUser(tx, userId);
    if (role === "ADMIN") await assertAnotherActiveAdmin(tx, userId);
    const { count } = await tx.roleAssignment.deleteMany({ where: { userId, role } });
    if (count === 0) return user;
    await recordAudit(tx, a, { action: "role.revoked", targetType: "User", targetId: userId, before: { role } });
    await emitEvent(tx, { type: "user.roles.changed", aggregateType: "User", aggregateId: userId, payload: { userId } });
    return user;
  });
}
