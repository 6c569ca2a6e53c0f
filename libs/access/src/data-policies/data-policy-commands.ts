import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { type Actor, actorUserId, conflict, fields, notFound, parseInput } from "@steward/core";
import { type Db, isUniqueViolation, type Tx, transaction } from "@steward/db";
import { emitEvent, recordAudit } from "@steward/events";
import { z } from "zod";
import { requireGovernor } from "../authz";
import { type DataPolicyDefinition, type DataPolicyIssue, validateDataPolicyDefinition } from "./definition";

const DataPolicyInput = z.object({
  name: fields.name,
  description: fields.description.nullish(),
  // The API sends the typed ("one of") form; in-process callers may pass the engine's form as `engineDefinition`.
  definition: z.unknown().optional(),
  engineDefinition: z.unknown().optional(),
});
const UpdateInput = DataPolicyInput.extend({ id: z.uuid() });

/** Parses and checks a definition (typed or engine form); throws BAD_USER_INPUT, returns warnings. */
export async function validateDataPolicyInput(
  db: Db | Tx,
  input: { definition?: unknown; engineDefinition?: unknown },
): Promise<{ definition: DataPolicyDefinition; warnings: DataPolicyIssue[] }> {
  const typed = input.engineDefinition === undefined || input.engineDefinition === null;
  return validateDataPolicyDefinition(db, typed ? input.definition : input.engineDefinition, typed);
}

type DataPolicyRow = Awaited<ReturnType<Db["dataPolicy"]["findUniqueOrThrow"]>>;
export type DataPolicyWrite = { policy: DataPolicyRow; warnings: DataPolicyIssue[] };

const snapshotOf = (p: { name: string; description: string; definition: unknown; version: number }) => ({
  name: p.name,
  description: p.description,
  definition: p.definition,
  version: p.version,
});

async function appendVersion(tx: Tx, actor: Actor, policy: DataPolicyRow, change: "CREATED" | "UPDATED" | "DELETED", name = policy.name) {
  await tx.dataPolicyVersion.create({
    data: {
      policyId: policy.id,
      version: policy.version,
      change,
      name,
      description: policy.description,
      definition: policy.definition as object,
      changedById: actorUserId(actor),
    },
  });
  await emitEvent(tx, {
    type: "data_policy.changed",
    aggregateType: "DataPolicy",
    aggregateId: policy.id,
    payload: { dataPolicyId: policy.id, version: policy.version },
  });
}

// Stored JSONB comes back with its keys reordered: compare structurally.
const sameJson = (a: unknown, b: unknown) => isDeepStrictEqual(a, JSON.parse(JSON.stringify(b)));

const nameTaken = () => conflict("A data policy with this name already exists");

/** A checked data policy ready to store (engine form). */
export type DataPolicyFields = { name: string; description: string; definition: DataPolicyDefinition };

/** Writes a new data policy, its first version, event and audit row in the caller's transaction. */
export async function insertDataPolicy(tx: Tx, actor: Actor, fields: DataPolicyFields): Promise<DataPolicyRow> {
  const policy = await tx.dataPolicy.create({
    data: {
      id: randomUUID(),
      name: fields.name,
      description: fields.description,
      definition: fields.definition as object,
      createdById: actorUserId(actor),
    },
  });
  await appendVersion(tx, actor, policy, "CREATED");
  await recordAudit(tx, actor, { action: "data_policy.created", targetType: "DataPolicy", targetId: policy.id, after: snapshotOf(policy) });
  return policy;
}

/** Replaces a live data policy (next version, event, audit); a no-op writes nothing. */
export async function replaceDataPolicy(tx: Tx, actor: Actor, before: DataPolicyRow, fields: DataPolicyFields): Promise<DataPolicyRow> {
  // No-op: no version, no event, no view rebuild.
  if (before.name === fields.name && before.description === fields.description && sameJson(before.definition, fields.definition))
    return before;
  const policy = await tx.dataPolicy.update({
    where: { id: before.id, version: before.version }, // optimistic: a concurrent edit fails instead of being lost
    data: { name: fields.name, description: fields.description, definition: fields.definition as object, version: before.version + 1 },
  });
  await appendVersion(tx, actor, policy, "UPDATED");
  await recordAudit(tx, actor, {
    action: "data_policy.updated",
    targetType: "DataPolicy",
    targetId: policy.id,
    before: snapshotOf(before),
    after: snapshotOf(policy),
  });
  return policy;
}

/** Soft delete in the caller's transaction: the name is freed, versions and audit history stay. */
export async function softDeleteDataPolicy(tx: Tx, actor: Actor, before: DataPolicyRow): Promise<void> {
  const policy = await tx.dataPolicy.update({
    where: { id: before.id },
    data: { deletedAt: new Date(), version: before.version + 1, name: `${before.name} (deleted ${before.id.slice(0, 8)})` },
  });
  await appendVersion(tx, actor, policy, "DELETED", before.name);
  await recordAudit(tx, actor, {
    action: "data_policy.deleted",
    targetType: "DataPolicy",
    targetId: before.id,
    before: snapshotOf(before),
  });
}

export async function createDataPolicy(deps: { db: Db }, actor: Actor | null, input: unknown): Promise<DataPolicyWrite> {
  const a = requireGovernor(actor);
  const data = parseInput(DataPolicyInput, input);
  const { definition, warnings } = await validateDataPolicyInput(deps.db, data);
  try {
    return await transaction(deps.db, async (tx) => {
      const policy = await insertDataPolicy(tx, a, { name: data.name, description: data.description ?? "", definition });
      return { policy, warnings };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken();
    throw err;
  }
}

export async function updateDataPolicy(deps: { db: Db }, actor: Actor | null, input: unknown): Promise<DataPolicyWrite> {
  const a = requireGovernor(actor);
  const data = parseInput(UpdateInput, input);
  const { definition, warnings } = await validateDataPolicyInput(deps.db, data);
  try {
    return await transaction(deps.db, async (tx) => {
      const before = await tx.dataPolicy.findUnique({ where: { id: data.id } });
      if (!before || before.deletedAt) throw notFound("Data policy");
      const policy = await replaceDataPolicy(tx, a, before, {
        name: data.name,
        description: data.description ?? before.description,
        definition,
      });
      return { policy, warnings };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken();
    throw err;
  }
}

/** Soft delete: the policy stops applying (its views are rebuilt without it); versions and audit stay. */
export async function deleteDataPolicy(deps: { db: Db }, actor: Actor | null, id: string): Promise<boolean> {
  const a = requireGovernor(actor);
  const policyId = parseInput(z.uuid(), id);
  return transaction(deps.db, async (tx) => {
    const before = await tx.dataPolicy.findUnique({ where: { id: policyId } });
    if (!before || before.deletedAt) throw notFound("Data policy");
    await softDeleteDataPolicy(tx, a, before);
    return true;
  });
}
