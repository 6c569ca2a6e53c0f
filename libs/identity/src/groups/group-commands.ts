import { type Actor, badInput, conflict, fields, notFound, parseInput } from "@steward/core";
import { isUniqueViolation, type Tx, transaction } from "@steward/db";
import { emitEvent, recordAudit } from "@steward/events";
import { z } from "zod";
import { requireRole } from "../authz";
import type { IdentityDeps } from "../deps";
import { requireUser } from "../users/user-snapshot";

const CreateInput = z.object({ name: fields.name, description: fields.description.nullish() });
const UpdateInput = z.object({ id: z.uuid(), name: fields.name.nullish(), description: fields.description.nullish() });
const IdInput = z.object({ id: z.uuid() });
const MemberInput = z.object({ groupId: z.uuid(), userId: z.uuid() });

async function requireGroup(tx: Tx, id: string) {
  const group = await tx.group.findUnique({ where: { id } });
  if (!group) throw notFound("Group");
  return group;
}

function rethrowDuplicate(err: unknown): never {
  if (isUniqueViolation(err)) throw conflict("A group with this name already exists");
  throw err;
}

export async function createGroup(deps: IdentityDeps, actor: Actor | null, input: unknown) {
  const a = requireRole(actor, "ADMIN");
  const data = parseInput(CreateInput, input);
  return transaction(deps.db, (tx) => createGroupIn(tx, a, { name: data.name, description: data.description ?? "" })).catch(
    rethrowDuplicate,
  );
}

/** The write behind `createGroup`, in the caller's transaction (single sign-on creates mapped groups this way). */
export async function createGroupIn(tx: Tx, a: Actor, data: { name: string; description: string }) {
  const group = await tx.group.create({ data });
  await recordAudit(tx, a, {
    action: "group.created",
    targetType: "Group",
    targetId: group.id,
    after: { name: group.name, description: group.description },
  });
  await emitEvent(tx, { type: "group.created", aggregateType: "Group", aggregateId: group.id, payload: { groupId: group.id } });
  return group;
}

export async function updateGroup(deps: IdentityDeps, actor: Actor | null, input: unknown) {
  const a = requireRole(actor, "ADMIN");
  const data = parseInput(UpdateInput, input);
  if (data.name == null && data.description == null) throw badInput("Nothing to update");
  return transaction(deps.db, async (tx) => {
    const before = await requireGroup(tx, data.id);
    const group = await tx.group.update({
      where: { id: data.id },
      data: { name: data.name ?? undefined, description: data.description ?? undefined },
    });
    await recordAudit(tx, a, {
      action: "group.updated",
      targetType: "Group",
      targetId: group.id,
      before: { name: before.name, description: before.description },
      after: { name: group.name, description: group.description },
    });
    await emitEvent(tx, { type: "group.updated", aggregateType: "Group", aggregateId: group.id, payload: { groupId: group.id } });
    return group;
  }).catch(rethrowDuplicate);
}

export async function deleteGroup(deps: IdentityDeps, actor: Actor | null, input: unknown): Promise<boolean> {
  const a = requireRole(actor, "ADMIN");
  const { id } = parseInput(IdInput, input);
  return transaction(deps.db, async (tx) => {
    const group = await requireGroup(tx, id);
    const members = await tx.groupMembership.findMany({ where: { groupId: id }, select: { userId: true } });
    await tx.group.delete({ where: { id } });
    const memberIds = members.map((m) => m.userId);
    await recordAudit(tx, a, {
      action: "group.deleted",
      targetType: "Group",
      targetId: id,
      before: { name: group.name, memberCount: memberIds.length },
    });
    await emitEvent(tx, {
      type: "group.deleted",
      aggregateType: "Group",
      aggregateId: id,
      payload: { groupId: id, name: group.name, memberIds },
    });
    return true;
  });
}

export async function addGroupMember(deps: IdentityDeps, actor: Actor | null, input: unknown) {
  const a = requireRole(actor, "ADMIN");
  const { groupId, userId } = parseInput(MemberInput, input);
  return transaction(deps.db, async (tx) => {
    const group = await requireGroup(tx, groupId);
    const user = await requireUser(tx, userId);
    await addMemberIn(tx, a, group, user);
    return group;
  });
}

type GroupRef = { id: string; name: string };
type UserRef = { id: string; username: string };

/** Adds a membership with its audit row and event in the caller's transaction; false when it already existed. */
export async function addMemberIn(tx: Tx, a: Actor, group: GroupRef, user: UserRef): Promise<boolean> {
  const created = await tx.groupMembership.createMany({ data: [{ groupId: group.id, userId: user.id }], skipDuplicates: true });
  if (created.count === 0) return false; // already a member: nothing changes
  await recordAudit(tx, a, {
    action: "group.member.added",
    targetType: "Group",
    targetId: group.id,
    after: { userId: user.id, username: user.username, group: group.name },
  });
  await emitEvent(tx, {
    type: "group.membership.changed",
    aggregateType: "Group",
    aggregateId: group.id,
    payload: { groupId: group.id, userId: user.id, member: true },
  });
  return true;
}

export async function removeGroupMember(deps: IdentityDeps, actor: Actor | null, input: unknown) {
  const a = requireRole(actor, "ADMIN");
  const { groupId, userId } = parseInput(MemberInput, input);
  return transaction(deps.db, async (tx) => {
    const group = await requireGroup(tx, groupId);
    const user = await requireUser(tx, userId);
    await removeMemberIn(tx, a, group, user);
    return group;
  });
}

/** Removes a membership with its audit row and event in the caller's transaction; false when there was none. */
export async function removeMemberIn(tx: Tx, a: Actor, group: GroupRef, user: UserRef): Promise<boolean> {
  const { count } = await tx.groupMembership.deleteMany({ where: { groupId: group.id, userId: user.id } });
  if (count === 0) return false;
  await recordAudit(tx, a, {
    action: "group.member.removed",
    targetType: "Group",
    targetId: group.id,
    before: { userId: user.id, username: user.username, group: group.name },
  });
  await emitEvent(tx, {
    type: "group.membership.changed",
    aggregateType: "Group",
    aggregateId: group.id,
    payload: { groupId: group.id, userId: user.id, member: false },
  });
  return true;
}
