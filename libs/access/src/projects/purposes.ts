import { type Actor, actorUserId, badInput, conflict, fields, notFound, parseInput, unauthenticated } from "@steward/core";
import { type Db, isUniqueViolation, type Tx, transaction } from "@steward/db";
import { emitEvent, recordAudit } from "@steward/events";
import { z } from "zod";
import { requireGovernor } from "../authz";

/**
 * Purposes (GOVERNOR): what data is used for. Nested: a user acting under a sub-purpose also acts
 * under every ancestor, so a policy excepting "Research" also excepts "Research.Clinical". Changing
 * the acknowledgement statement bumps its version: earlier acknowledgements stop counting and the
 * members must acknowledge again before the project can be their current one.
 */
const PurposeInput = z.object({
  name: fields.name,
  description: fields.description.nullish(),
  acknowledgement: z.string().trim().min(1, "must not be empty").max(4000, "must be at most 4000 characters"),
  parentId: z.uuid().nullish(),
});
const UpdatePurposeInput = PurposeInput.extend({ id: z.uuid() });

type PurposeRow = Awaited<ReturnType<Db["purpose"]["findUniqueOrThrow"]>>;

const snapshotOf = (p: PurposeRow) => ({
  name: p.name,
  description: p.description,
  acknowledgement: p.acknowledgement,
  acknowledgementVersion: p.acknowledgementVersion,
  parentId: p.parentId,
});

/** A parent must exist, be live, and not be the purpose itself or one of its descendants. */
async function checkParent(tx: Tx, purposeId: string | null, parentId: string | null | undefined) {
  if (!parentId) return;
  const rows = await tx.purpose.findMany({ where: { deletedAt: null }, select: { id: true, parentId: true } });
  const parentOf = new Map(rows.map((r) => [r.id, r.parentId]));
  if (!parentOf.has(parentId)) throw badInput("Unknown parent purpose", [{ path: "input.parentId", message: "no such purpose" }]);
  for (let at: string | null | undefined = parentId; at; at = parentOf.get(at)) {
    if (at === purposeId)
      throw badInput("A purpose cannot be nested under itself", [{ path: "input.parentId", message: "would make a cycle" }]);
  }
}

async function emitPurposeChanged(tx: Tx, purposeId: string) {
  await emitEvent(tx, { type: "purpose.changed", aggregateType: "Purpose", aggregateId: purposeId, payload: { purposeId } });
}

const nameTaken = () => conflict("A purpose with this name already exists");

export async function createPurpose(deps: { db: Db }, actor: Actor | null, input: unknown): Promise<PurposeRow> {
  const a = requireGovernor(actor);
  const data = parseInput(PurposeInput, input);
  try {
    return await transaction(deps.db, async (tx) => {
      await checkParent(tx, null, data.parentId);
      const purpose = await tx.purpose.create({
        data: {
          name: data.name,
          description: data.description ?? "",
          acknowledgement: data.acknowledgement,
          parentId: data.parentId ?? null,
          createdById: actorUserId(a),
        },
      });
      await recordAudit(tx, a, { action: "purpose.created", targetType: "Purpose", targetId: purpose.id, after: snapshotOf(purpose) });
      await emitPurposeChanged(tx, purpose.id);
      return purpose;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken();
    throw err;
  }
}

export async function updatePurpose(deps: { db: Db }, actor: Actor | null, input: unknown): Promise<PurposeRow> {
  const a = requireGovernor(actor);
  const data = parseInput(UpdatePurposeInput, input);
  try {
    return await transaction(deps.db, async (tx) => {
      const before = await tx.purpose.findUnique({ where: { id: data.id } });
      if (!before || before.deletedAt) throw notFound("Purpose");
      await checkParent(tx, before.id, data.parentId);
      const next = {
        name: data.name,
        description: data.description ?? before.description,
        acknowledgement: data.acknowledgement,
        parentId: data.parentId ?? null,
      };
      if (
        next.name === before.name &&
        next.description === before.description &&
        next.acknowledgement === before.acknowledgement &&
        next.parentId === before.parentId
      )
        return before; // no-op: nothing written
      const purpose = await tx.purpose.update({
        where: { id: before.id },
        data: {
          ...next,
          acknowledgementVersion: before.acknowledgementVersion + (next.acknowledgement === before.acknowledgement ? 0 : 1),
        },
      });
      await recordAudit(tx, a, {
        action: "purpose.updated",
        targetType: "Purpose",
        targetId: purpose.id,
        before: snapshotOf(before),
        after: snapshotOf(purpose),
      });
      await emitPurposeChanged(tx, purpose.id);
      return purpose;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken();
    throw err;
  }
}

/** Soft delete; refused while a live sub-purpose or an active project still uses it. */
export async function deletePurpose(deps: { db: Db }, actor: Actor | null, id: string): Promise<boolean> {
  const a = requireGovernor(actor);
  const purposeId = parseInput(z.uuid(), id);
  return transaction(deps.db, async (tx) => {
    const before = await tx.purpose.findUnique({ where: { id: purposeId } });
    if (!before || before.deletedAt) throw notFound("Purpose");
    const [children, projects] = await Promise.all([
      tx.purpose.count({ where: { parentId: purposeId, deletedAt: null } }),
      tx.projectPurpose.count({ where: { purposeId, project: { status: "ACTIVE" } } }),
    ]);
    if (children > 0) throw conflict("Delete or move its sub-purposes first");
    if (projects > 0) throw conflict("Active projects are bound to this purpose");
    // The name is freed for reuse; history keeps the original in the audit row.
    await tx.purpose.update({
      where: { id: purposeId },
      data: { deletedAt: new Date(), name: `${before.name} (deleted ${purposeId.slice(0, 8)})` },
    });
    await recordAudit(tx, a, { action: "purpose.deleted", targetType: "Purpose", targetId: purposeId, before: snapshotOf(before) });
    await emitPurposeChanged(tx, purposeId);
    return true;
  });
}

/** Anyone signed in may read purposes: users bind projects to them. */
export async function listPurposes(deps: { db: Db }, actor: Actor | null, includeDeleted = false) {
  if (!actor) throw unauthenticated();
  return deps.db.purpose.findMany({ where: includeDeleted ? {} : { deletedAt: null }, orderBy: { name: "asc" } });
}

export async function getPurpose(deps: { db: Db }, actor: Actor | null, id: string) {
  if (!actor) throw unauthenticated();
  if (!z.uuid().safeParse(id).success) return null;
  return deps.db.purpose.findUnique({ where: { id } });
}

/** Each purpose with its ancestors (itself first), by id, over every purpose (deleted ones included, for history). */
export function ancestry(purposes: readonly { id: string; parentId: string | null }[]): Map<string, string[]> {
  const parentOf = new Map(purposes.map((p) => [p.id, p.parentId]));
  const out = new Map<string, string[]>();
  for (const p of purposes) {
    const chain: string[] = [];
    for (let at: string | null | undefined = p.id; at && !chain.includes(at); at = parentOf.get(at)) chain.push(at);
    out.set(p.id, chain);
  }
  return out;
}
