import { type Actor, fields, parseInput } from "@steward/core";
import { type Tx, transaction } from "@steward/db";
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
async function lockUser(tx: Tx, userId: string) {
  await tx.$queryRaw`SELECT 1 FROM "User" WHERE "id" = ${userId}::uuid FOR UPDATE`;
}

async function valuesOf(tx: Tx, userId: string, key: string) {
  const rows = await tx.userAttribute.findMany({ where: { userId, key }, orderBy: { value: "asc" }, select: { value: true } });
  return rows.map((r) => r.value);
}

/** Replaces every value of one attribute key. A no-op change writes no audit and no event. */
export async function setUserAttribute(deps: IdentityDeps, actor: Actor | null, input: unknown) {
  const a = requireRole(actor, "ADMIN");
  const data = parseInput(SetInput, input);
  return transaction(deps.db, async (tx) => {
    const user = await requireUser(tx, data.userId);
    await setAttributeIn(tx, a, data.userId, data.key, data.values);
    return user;
  });
}

/**
 * The write behind `setUserAttribute` in the caller's transaction (single sign-on applies claim
 * mappings this way); values are validated by the caller. False when nothing changed.
 */
export async function setAttributeIn(tx: Tx, a: Actor, userId: string, key: string, rawValues: readonly string[]): Promise<boolean> {
  const values = [...new Set(rawValues)].sort();
  await lockUser(tx, userId);
  const before = await valuesOf(tx, userId, key);
  if (before.length === values.length && before.every((v, i) => v === values[i])) return false;
  await tx.userAttribute.deleteMany({ where: { userId, key } });
  await tx.userAttribute.createMany({ data: values.map((value) => ({ userId, key, value })) });
  await recordAudit(tx, a, {
    action: "user.attribute.set",
    targetType: "User",
    targetId: userId,
    before: { key, values: before },
    after: { key, values },
  });
  await emitEvent(tx, { type: "user.attributes.changed", aggregateType: "User", aggregateId: userId, payload: { userId, key } });
  return true;
}

export async function removeUserAttribute(deps: IdentityDeps, actor: Actor | null, input: unknown) {
  const a = requireRole(actor, "ADMIN");
  const data = parseInput(RemoveInput, input);
  return transaction(deps.db, async (tx) => {
    const user = await requireUser(tx, data.userId);
    await removeAttributeIn(tx, a, data.userId, data.key);
    return user;
  });
}

/** The write behind `removeUserAttribute` in the caller's transaction. False when the key had no values. */
export async function removeAttributeIn(tx: Tx, a: Actor, userId: string, key: string): Promise<boolean> {
  await lockUser(tx, userId);
  const before = await valuesOf(tx, userId, key);
  if (before.length === 0) return false;
  await tx.userAttribute.deleteMany({ where: { userId, key } });
  await recordAudit(tx, a, { action: "user.attribute.removed", targetType: "User", targetId: userId, before: { key, values: before } });
  await emitEvent(tx, { type: "user.attributes.changed", aggregateType: "User", aggregateId: userId, payload: { userId, key } });
  return true;
}
