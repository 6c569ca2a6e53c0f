import { isDeepStrictEqual } from "node:util";
import type { Actor, SecretBox } from "@steward/core";
import type { Db } from "@steward/db";
import { type AdapterLookup, adapterFor } from "@steward/integrations";
import { evaluateAll, type PolicyViewSpec, resolveDataPolicies, usersWithAccess } from "@steward/policy";
import { requireGovernor } from "../authz";
import { planConnectionStatements } from "../propagation/reconcile-connection";
import { loadPolicySnapshot } from "../snapshot";
import { candidateDataPolicies } from "./candidate-policies";
import type { DataPolicyIssue } from "./definition";
import { loadDataPolicyInput } from "./load-data-policies";

export type DataPolicySourceImpact = {
  sourceId: string;
  before: PolicyViewSpec | null;
  after: PolicyViewSpec | null;
  changedColumns: string[];
  rowFilterChanged: boolean;
};

export type DataPolicyChangePlan = {
  sources: DataPolicySourceImpact[];
  affectedUserIds: string[];
  warnings: DataPolicyIssue[];
  connectionPlans: { connectionId: string; statements: string[]; error: string | null }[];
  /** The unsaved candidate's id and name, so its references can be named before it exists. */
  candidate: { id: string; name: string } | null;
};

/** What a column of a view depends on: its expression (mask, exception, condition), policy and fallback. */
const columnKey = (spec: PolicyViewSpec | null, name: string) => {
  const c = spec?.columns.find((x) => x.name === name);
  return c ? { expr: c.expr, maskedBy: c.maskedBy ?? null, fallback: c.fallback ?? null } : null;
};

/** How one source's view changes; null when it does not. */
export function sourceImpact(sourceId: string, before: PolicyViewSpec | null, after: PolicyViewSpec | null): DataPolicySourceImpact | null {
  const names = [...new Set([...(before?.columns ?? []), ...(after?.columns ?? [])].map((c) => c.name))];
  const changedColumns = names.filter((n) => !isDeepStrictEqual(columnKey(before, n), columnKey(after, n)));
  const rowFilterChanged = !isDeepStrictEqual(before?.rowFilter ?? null, after?.rowFilter ?? null);
  const shapeChanged =
    (before === null) !== (after === null) ||
    !isDeepStrictEqual(before?.policyIds, after?.policyIds) ||
    !isDeepStrictEqual(before?.conflicts, after?.conflicts);
  if (changedColumns.length === 0 && !rowFilterChanged && !shapeChanged) return null;
  return { sourceId, before, after, changedColumns, rowFilterChanged };
}

/**
 * Dry run of a data policy create / edit / delete: which sources' views change (columns whose mask
 * changes, row filters, conflicts and their winners), who reads those sources, and per affected
 * connection whose platform enforces data policies the exact statements its reconcile would run
 * with the candidate set (the adapter's own plan, read from the live platform). Nothing is written.
 */
export async function planDataPolicyChange(
  deps: { db: Db; secretBox: SecretBox; adapterFor?: AdapterLookup },
  actor: Actor | null,
  input: unknown,
  now = new Date(),
): Promise<DataPolicyChangePlan> {
  requireGovernor(actor);
  const { current, proposed, candidate, warnings } = await candidateDataPolicies(deps.db, input, now);
  const facts = await loadDataPolicyInput(deps.db, { policies: current });
  const before = resolveDataPolicies(facts);
  const after = resolveDataPolicies({ ...facts, policies: proposed });
  const sources = facts.sources
    .map((s) => sourceImpact(s.id, before.specs.get(s.id) ?? null, after.specs.get(s.id) ?? null))
    .filter((x) => x !== null);

  // Resolution warnings about the candidate (e.g. a condition that does not fit a source, so it fails closed).
  const resolveWarnings: DataPolicyIssue[] = candidate
    ? after.warnings
        .filter((w) => w.policyId === candidate.id)
        .map((w) => ({ severity: "warning", code: w.code as DataPolicyIssue["code"], path: "input.definition", message: w.message }))
    : [];

  const affectedIds = new Set(sources.map((s) => s.sourceId));
  const access = evaluateAll(await loadPolicySnapshot(deps.db), now);
  const affectedUserIds = [...new Set([...affectedIds].flatMap((id) => usersWithAccess(access, id, "READ")))].sort();

  const lookup = deps.adapterFor ?? adapterFor;
  const connectionIds = [...new Set(facts.sources.filter((s) => affectedIds.has(s.id)).map((s) => s.connectionId))];
  const connections = await deps.db.connection.findMany({
    where: { id: { in: connectionIds }, deletedAt: null },
    select: { id: true, kind: true },
    orderBy: { id: "asc" },
  });
  const enforcing = connections.filter((c) => lookup(c.kind).access !== undefined && lookup(c.kind).capabilities.dataPolicies);
  const connectionPlans = await Promise.all(
    enforcing.map(async (c) => ({ connectionId: c.id, ...(await planConnectionStatements(deps, c.id, undefined, proposed)) })),
  );
  return {
    sources,
    affectedUserIds,
    warnings: [...warnings, ...resolveWarnings],
    connectionPlans,
    candidate: candidate && !current.some((p) => p.id === candidate.id) ? { id: candidate.id, name: candidate.name } : null,
  };
}
