import { badInput, notFound, parseInput } from "@steward/core";
import type { Db } from "@steward/db";
import type { DataPolicy } from "@steward/policy";
import { z } from "zod";
import { type DataPolicyIssue, validateDataPolicyDefinition } from "./definition";
import { toEngineDataPolicy } from "./load-data-policies";

/**
 * Id a not-yet-saved policy carries while it is planned or previewed. A UUID (the nil one) so it
 * can be looked up like a stored id without ever matching one.
 */
export const PROPOSED_DATA_POLICY_ID = "00000000-0000-0000-0000-000000000000";

export const CandidateInput = z.object({
  /** The stored policy the candidate replaces (edit or delete); omitted: a new policy. */
  policyId: z.uuid().nullish(),
  delete: z.boolean().nullish(),
  name: z.string().max(100).nullish(),
  /** Typed (`@oneOf`) form, as the API sends it; omitted: the stored policy's definition. */
  definition: z.unknown().nullish(),
});
export type CandidateInput = z.infer<typeof CandidateInput>;

export type CandidatePolicies = {
  current: DataPolicy[];
  proposed: DataPolicy[];
  /** The candidate as it would be saved (null when deleting). */
  candidate: DataPolicy | null;
  warnings: DataPolicyIssue[];
};

/**
 * The live data policies and the set with one candidate change applied: a new definition, an edit
 * of a stored one (same id, so conflict order by age is kept) or its removal. The definition is
 * validated exactly as saving would (BAD_USER_INPUT with field paths); nothing is written.
 */
export async function candidateDataPolicies(db: Db, input: unknown, now = new Date()): Promise<CandidatePolicies> {
  const data = parseInput(CandidateInput, input);
  const current = (await db.dataPolicy.findMany({ where: { deletedAt: null }, orderBy: { id: "asc" } })).map(toEngineDataPolicy);
  const existing = data.policyId ? current.find((p) => p.id === data.policyId) : undefined;
  if (data.policyId && !existing) throw notFound("Data policy");
  if (data.delete) {
    if (!existing) throw notFound("Data policy");
    return { current, proposed: current.filter((p) => p.id !== existing.id), candidate: null, warnings: [] };
  }
  let definition: Pick<DataPolicy, "scope" | "rule" | "except">;
  let warnings: DataPolicyIssue[] = [];
  if (data.definition !== undefined && data.definition !== null) {
    ({ definition, warnings } = await validateDataPolicyDefinition(db, data.definition, true));
  } else if (existing) {
    definition = existing;
  } else {
    throw badInput("Invalid input: input.definition: a new data policy needs a definition", [
      { path: "input.definition", message: "a new data policy needs a definition" },
    ]);
  }
  const candidate: DataPolicy = {
    id: existing?.id ?? PROPOSED_DATA_POLICY_ID,
    name: data.name ?? existing?.name ?? "proposed policy",
    scope: definition.scope,
    rule: definition.rule,
    ...(definition.except ? { except: definition.except } : {}),
    // A new policy is the newest one: it loses "older policy" tie-breaks, as it will once saved.
    createdAt: existing?.createdAt ?? now,
  };
  const proposed = [...current.filter((p) => p.id !== candidate.id), candidate].sort((a, b) => a.id.localeCompare(b.id));
  return { current, proposed, candidate, warnings };
}
