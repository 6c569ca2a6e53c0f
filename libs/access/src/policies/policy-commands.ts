import { randomUUID } from "node:crypto";
import { type Actor, AppError, badInput, conflict, fields, notFound, parseInput } from "@steward/core";
import { type Db, isUniqueViolation, type Tx, transaction } from "@steward/db";
import { emitEvent, recordAudit } from "@steward/events";
import { fromTypedDefinition, type PolicyIssue, validatePolicy } from "@steward/policy";
import { z } from "zod";
import { requireGovernor } from "../authz";
import { loadPolicySnapshot } from "../snapshot";

const PolicyInput = z.object({
  name: fields.name,
  description: fields.description.nullish(),
  accessType: z.enum(["READ", "WRITE"]),
  // The API sends the typed ("one of") form; in-process callers (seeds, benches, tests) may pass the
  // engine's own format instead, which is also what is stored.
  definition: z.unknown().optional(),
  restriction: z.unknown().optional(),
  scope: z.unknown().optional(),
});
const UpdateInput = PolicyInput.extend({ id: z.uuid() });

export type DefinitionInput = {
  id?: string;
  name: string;
  accessType: "READ" | "WRITE";
  /** Typed form (the GraphQL input); wins over `restriction`/`scope` when given. */
  definition?: unknown;
  restriction?: unknown;
  scope?: unknown;
};

/** Where the typed definition sits in the API's input, so error paths name the field the caller sent. */
const TYPED_ROOT = "input.definition";

/**
 * Validates a definition against the engine's schema and the current catalog and identities. Errors
 * and warnings about a typed definition carry the typed input's paths.
 */
export async function validateDefinition(db: Db | Tx, input: DefinitionInput) {
  const typed = input.definition === undefined || input.definition === null ? null : fromTypedDefinition(input.definition, TYPED_ROOT);
  const restriction = typed ? typed.definition.restriction : input.restriction;
  const scope = typed ? typed.definition.scope : input.scope;
  const snapshot = await loadPolicySnapshot(db, { policies: [] });
  const [keys, groups, purposes] = await Promise.all([
    db.userAttribute.findMany({ distinct: ["key"], select: { key: true } }),
    db.group.findMany({ select: { id: true } }),
    db.purpose.findMany({ where: { deletedAt: null }, select: { id: true } }),
  ]);
  try {
    const checked = validatePolicy(
      { id: input.id ?? randomUUID(), name: input.name, accessType: input.accessType, restriction, scope },
      {
        attributeKeys: keys.map((k) => ({ key: k.key, multiValued: true })),
        sources: snapshot.sources,
        userIds: snapshot.users.map((u) => u.id),
        groupIds: groups.map((g) => g.id),
        purposeIds: purposes.map((p) => p.id),
      },
    );
    return typed ? { ...checked, warnings: checked.warnings.map((w) => ({ ...w, path: typed.typedPath(w.path) })) } : checked;
  } catch (err) {
    if (!typed || !(err instanceof AppError) || err.code !== "BAD_USER_INPUT") throw err;
    const fieldIssues = err.fields.map((f) => ({ ...f, path: typed.typedPath(f.path) }));
    throw badInput(`Invalid policy definition: ${fieldIssues.map((f) => `${f.path}: ${f.message}`).join("; ")}`, fieldIssues);
  }
}

const snapshotOf = (p: { name: string; description: string; accessType: string; definition: unknown; version: number }) => ({
  name: p.name,
  description: p.description,
  accessType: p.accessType,
  definition: p.definition,
  version: p.version,
});

async function appendVersion(
  tx: Tx,
  actor: Actor,
  policy: { id: string; version: number; name: string; description: string; accessType: "READ" | "WRITE"; definition: unknown },
  change: "CREATED" | "UPDATED" | "DELETED",
) {
  await tx.policyVersion.create({
    data: {
      policyId: policy.id,
      version: policy.version,
      change,
      name: policy.name,
      description: policy.description,
      accessType: policy.accessType,
      definition: policy.definition as object,
      changedById: actor.kind === "SYSTEM" ? null : actor.userId,
    },
  });
  await emitEvent(tx, {
    type: "policy.changed",
    aggregateType: "SubscriptionPolicy",
    aggregateId: policy.id,
    payload: { policyId: policy.id, version: policy.version },
  });
}

export type PolicyWrite = { policy: Awaited<ReturnType<Db["subscriptionPolicy"]["findUniqueOrThrow"]>>; warnings: PolicyIssue[] };
type PolicyRow = PolicyWrite["policy"];
/** A checked policy ready to store (engine form). */
export type PolicyFields = {
  name: string;
  description: string;
  accessType: "READ" | "WRITE";
  definition: { restriction: unknown; scope: unknown };
};

/** Writes a new policy, its first version, event and audit row in the caller's transaction. */
export async function insertPolicy(tx: Tx, actor: Actor, id: string, fields: PolicyFields): Promise<PolicyRow> {
  const policy = await tx.subscriptionPolicy.create({
    data: {
      id,
      name: fields.name,
      description: fields.description,
      accessType: fields.accessType,
      definition: fields.definition as object,
      createdById: actor.kind === "SYSTEM" ? null : actor.userId,
    },
  });
  await appendVersion(tx, actor, policy, "CREATED");
  await recordAudit(tx, actor, {
    action: "policy.created",
    targetType: "SubscriptionPolicy",
    targetId: policy.id,
    after: snapshotOf(policy),
  });
  return policy;
}

/** Replaces a live policy's fields (next version, event, audit) in the caller's transaction. */
export async function replacePolicy(tx: Tx, actor: Actor, before: PolicyRow, fields: PolicyFields): Promise<PolicyRow> {
  const policy = await tx.subscriptionPolicy.update({
    where: { id: before.id, version: before.version }, // optimistic: a concurrent edit fails instead of being lost
    data: { ...fields, definition: fields.definition as object, version: before.version + 1 },
  });
  await appendVersion(tx, actor, policy, "UPDATED");
  await recordAudit(tx, actor, {
    action: "policy.updated",
    targetType: "SubscriptionPolicy",
    targetId: policy.id,
    before: snapshotOf(before),
    after: snapshotOf(policy),
  });
  return policy;
}

/** Soft delete in the caller's transaction: the name is freed, versions and audit history stay. */
export async function softDeletePolicy(tx: Tx, actor: Actor, before: PolicyRow): Promise<void> {
  const policy = await tx.subscriptionPolicy.update({
    where: { id: before.id },
    data: { deletedAt: new Date(), version: before.version + 1, name: `${before.name} (deleted ${before.id.slice(0, 8)})` },
  });
  await appendVersion(tx, actor, { ...policy, name: before.name }, "DELETED");
  await recordAudit(tx, actor, {
    action: "policy.deleted",
    targetType: "SubscriptionPolicy",
    targetId: before.id,
    before: snapshotOf(before),
  });
}

export async function createPolicy(deps: { db: Db }, actor: Actor | null, input: unknown): Promise<PolicyWrite> {
  const a = requireGovernor(actor);
  const data = parseInput(PolicyInput, input);
  const { policy: checked, warnings } = await validateDefinition(deps.db, data);
  try {
    return await transaction(deps.db, async (tx) => {
      const policy = await insertPolicy(tx, a, checked.id, {
        name: data.name,
        description: data.description ?? "",
        accessType: data.accessType,
        definition: { restriction: checked.restriction, scope: checked.scope },
      });
      return { policy, warnings };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict("A policy with this name already exists");
    throw err;
  }
}

export async function updatePolicy(deps: { db: Db }, actor: Actor | null, input: unknown): Promise<PolicyWrite> {
  const a = requireGovernor(actor);
  const data = parseInput(UpdateInput, input);
  const { policy: checked, warnings } = await validateDefinition(deps.db, data);
  try {
    return await transaction(deps.db, async (tx) => {
      const before = await tx.subscriptionPolicy.findUnique({ where: { id: data.id } });
      if (!before || before.deletedAt) throw notFound("Policy");
      const policy = await replacePolicy(tx, a, before, {
        name: data.name,
        description: data.description ?? before.description,
        accessType: data.accessType,
        definition: { restriction: checked.restriction, scope: checked.scope },
      });
      return { policy, warnings };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict("A policy with this name already exists");
    throw err;
  }
}

/** Soft delete: the policy stops applying; its versions and audit history stay. */
export async function deletePolicy(deps: { db: Db }, actor: Actor | null, id: string): Promise<boolean> {
  const a = requireGovernor(actor);
  const policyId = parseInput(z.uuid(), id);
  return transaction(deps.db, async (tx) => {
    const before = await tx.subscriptionPolicy.findUnique({ where: { id: policyId } });
    if (!before || before.deletedAt) throw notFound("Policy");
    await softDeletePolicy(tx, a, before);
    return true;
  });
}
