import { type Actor, badInput, conflict, fields, parseInput } from "@steward/core";
import { isUniqueViolation, transaction } from "@steward/db";
import { emitEvent, recordAudit } from "@steward/events";
import { z } from "zod";
import { requireRole } from "../authz";
import type { IdentityDeps } from "../deps";
import { hashPassword } from "../passwords";
import { requireUser, userSnapshot } from "./user-snapshot";

const UpdateUserInput = z.object({
  id: z.uuid(),
  displayName: fields.displayName.nullish(),
  email: fields.email.nullish(),
  password: fields.password.nullish(),
});

export async function updateUser(deps: IdentityDeps, actor: Actor | null, input: unknown) {
  const a = requireRole(actor, "ADMIN");
  const data = parseInput(UpdateUserInput, input);
  if (data.displayName == null && data.email == null && data.password == null) throw badInput("Nothing to update");
  const passwordHash = data.password ? await hashPassword(data.password) : undefined;
  try {
    return await transaction(deps.db, async (tx) => {
      await requireUser(tx, data.id);
      const before = await userSnapshot(tx, data.id);
      const user = await tx.user.update({
        where: { id: data.id },
        data: { displayName: data.displayName ?? undefined, email: data.email ?? undefined, passwordHash },
      });
      // A password reset by an admin ends the user's existing sessions.
      if (passwordHash) await tx.session.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: new Date() } });
      const after = await userSnapshot(tx, data.id);
      await recordAudit(tx, a, {
        action: "user.updated",
        targetType: "User",
        targetId: user.id,
        before,
        after: passwordHash ? { ...after, passwordChanged: true } : after,
      });
      await emitEvent(tx, { type: "user.updated", aggregateType: "User", aggregateId: user.id, payload: { userId: user.id } });
      return user;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict("A user with this email already exists");
    throw err;
  }
}
