import type { Actor } from "@steward/core";
import type { Db } from "@steward/db";
import { type DataPolicy, resolveDataPolicies } from "@steward/policy";
import { z } from "zod";
import { requirePolicyReader } from "../authz";
import { loadDataPolicyInput } from "./load-data-policies";

export async function listDataPolicies(deps: { db: Db }, actor: Actor | null, includeDeleted = false) {
  requirePolicyReader(actor);
  return deps.db.dataPolicy.findMany({ where: includeDeleted ? {} : { deletedAt: null }, orderBy: { name: "asc" } });
}

export async function getDataPolicy(deps: { db: Db }, actor: Actor | null, id: string) {
  requirePolicyReader(actor);
  if (!z.uuid().safeParse(id).success) return null;
  return deps.db.dataPolicy.findUnique({ where: { id } });
}

export async function listDataPolicyVersions(deps: { db: Db }, actor: Actor | null, policyId: string) {
  requirePolicyReader(actor);
  return deps.db.dataPolicyVersion.findMany({ where: { policyId }, orderBy: { version: "desc" } });
}

/**
 * The engine's resolution over the whole catalog (or one connection): one view spec per source
 * shaped by a data policy (or every source of a "views for everything" connection), every mask
 * conflict and its winner, and warnings.
 */
export async function resolveCurrentDataPolicies(db: Db, opts: { connectionId?: string; policies?: DataPolicy[] } = {}) {
  return resolveDataPolicies(await loadDataPolicyInput(db, opts));
}

export async function dataPolicyConflicts(deps: { db: Db }, actor: Actor | null, dataSourceId?: string | null) {
  requirePolicyReader(actor);
  const { conflicts } = await resolveCurrentDataPolicies(deps.db);
  return dataSourceId ? conflicts.filter((c) => c.sourceId === dataSourceId) : conflicts;
}

export async function policyViewOf(deps: { db: Db }, actor: Actor | null, dataSourceId: string) {
  requirePolicyReader(actor);
  if (!z.uuid().safeParse(dataSourceId).success) return null;
  const { specs } = await resolveCurrentDataPolicies(deps.db);
  return specs.get(dataSourceId) ?? null;
}

/** Sources a policy shapes now (its id among the view specs' policies). */
export async function sourcesShapedBy(db: Db, policyId: string): Promise<string[]> {
  const { specs } = await resolveCurrentDataPolicies(db);
  return [...specs.values()].filter((s) => s.policyIds.includes(policyId)).map((s) => s.sourceId);
}
