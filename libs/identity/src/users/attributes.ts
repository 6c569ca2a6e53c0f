import { type Actor, fields, parseInput } from "@steward/core";
import { transaction } from "@steward/db";
import { emitEvent, recordAudit } from "@steward/events";
import { z } from "zod";
import { requireRole } from "../authz";
import type { IdentityDeps } from "../deps";
import { requireUser } from "./user-snapshot";

const SetInput = z.object({
  userId: z.uuid(),
  key: fields.attributeKey,
  values: z.array(fields.attributeValue).min(1, "give at least one value (use removeUserAttribute to clear a key)").max(100),
});
const RemoveInput = z.object({ userId: z.uuid(), key: fields.attributeKey });

/**
 * Serialises changes to one user's attributes: two concurrent replace-all writes would otherwise both
 * delete nothing and then insert the same rows, and one would fail on the primary key.
 */
async function lockUser(tx: Parameters<Parameters<typeof transaction>[1]>[0], userId: string) {
  await tx.$queryRaw`SELECT 1 FROM "User" WHERE "id" = ${userId}::uuid FOR UPDATE`;
}

async function valuesOf(tx: Parameters<Parameters<typeof transaction>[1]>[0], userId: string, key: string) {
  const rows = await tx.userAttribute.findMany({ where: { userId, key }, orderBy: { value: "asc" }, select: { value: true } });
  return rows.map((r) => r.value);
}

/** Replaces every value of one attribute key. A no-op change writes no audit and no event. */
export async function setUserAttribute(deps: IdentityDeps, actor: Actor | null, input: unknown) {
  const a = requireRole(actor, "ADMIN");
  const data = parseInput(SetInput, input);
  const values = [...new Set(data.values)].sort();
  return transaction(deps.db, async (tx) => {
    await lockUser(tx, data.userId);
    const user = await requireUser(tx, data.userId);
    const before = await valuesOf(tx, data.userId, data.key);
    if (before.length === values.length && before.every((v, i) => v === values[i])) return user;
    await tx.userAttribute.deleteMany({ where: { userId: data.userId, key: data.key } });
    await tx.userAttribute.createMany({ data: values.map((value) => ({ userId: data.userId, key: data.key, value })) });
    await recordAudit(tx, a, {
      action: "user.attribute.set",
      targetType: "User",
      targetId: data.userId,
      before: { key: data.key, values: before },
      after: { key: data.key, values },
    });
    await emitEvent(tx, {
      type: "user.attributes.changed",
      aggregateType: "User",
      aggregateId: data.userId,
      payload: { userId: data.userId, key: data.key },
    });
    return user;
  });
}

export async function removeUserAttribute(deps: IdentityDeps, actor: Actor | null, input: unknown) {
  const a = requireRole(actor, "ADMIN");
  const data = parseInput(RemoveInput, input);
  return transaction(deps.db, async (tx) => {
    await lockUser(tx, data.userId);
    const user = await requireUser(tx, data.userId);
    const before = await valuesOf(tx, data.userId, data.key);
    if (before.length === 0) return user;
    await tx.userAttribute.deleteMany({ where: { userId: data.userId, key: data.key } });
    await recordAudit(tx, a, {
      action: "user.attribute.removed",
      targetType: "User",
      targetId: data.userId,
      before: { key: data.key, values: before },
    });
    await emitEvent(tx, {
      type: "user.attributes.changed",
      aggregateType: "User",
      aggregateId: data.userId,
      payload: { userId: data.userId, key: data.key },
    });
    return user;
  });
}
