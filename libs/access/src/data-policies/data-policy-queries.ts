import type { Actor } from "@steward/core";
import type { Db } from "@steward/db";
import { z } from "zod";
import { requirePolicyReader } from "../authz";

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
