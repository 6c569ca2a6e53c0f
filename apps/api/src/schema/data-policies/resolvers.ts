import {
  createDataPolicy,
  type DataPolicyDefinition,
  dataPolicyConflicts,
  deleteDataPolicy,
  getDataPolicy,
  listDataPolicies,
  listDataPolicyVersions,
  policyViewOf,
  resolveCurrentDataPolicies,
  setViewsForEverything,
  sourcesShapedBy,
  updateDataPolicy,
} from "@steward/access";
import { notFound } from "@steward/core";
import type { Expr, ViewColumn } from "@steward/policy";
import type { ApiContext } from "../../context";
import type { Resolvers } from "../resolvers-types.gen";

async function loadSource(ctx: ApiContext, id: string) {
  const source = await ctx.deps.db.dataSource.findUnique({ where: { id } });
  if (!source) throw notFound("Data source");
  return source;
}

/** The kind of the mask inside a column's expression (under its except CASE / conditional mask), if any. */
function maskKindIn(e: Expr): string | null {
  switch (e.k) {
    case "mask":
      return e.mask.kind;
    case "case":
      return maskKindIn(e.then) ?? maskKindIn(e.else);
    default:
      return null;
  }
}

async function policyNames(ctx: ApiContext, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await ctx.deps.db.dataPolicy.findMany({ where: { id: { in: [...new Set(ids)] } }, select: { id: true, name: true } });
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** A view column as clients see it: the mask kind and its policy, never the expression tree. */
export async function viewColumns(ctx: ApiContext, columns: readonly ViewColumn[]) {
  const names = await policyNames(
    ctx,
    columns.flatMap((c) => (c.maskedBy ? [c.maskedBy] : [])),
  );
  return columns.map((c) => ({
    name: c.name,
    dataType: c.dataType,
    mask: c.maskedBy ? (c.fallback?.applied ?? maskKindIn(c.expr)) : null,
    maskedBy: c.maskedBy ? { id: c.maskedBy, name: names.get(c.maskedBy) ?? c.maskedBy } : null,
    fallback: c.fallback ?? null,
  }));
}

// Stored definitions are the engine's format (checked when written), which the output unions mirror.
const definitionOf = (row: { definition: unknown }) => row.definition as DataPolicyDefinition;

export const dataPolicyResolvers: Resolvers = {
  Query: {
    dataPolicies: (_p, { includeDeleted }, ctx) => listDataPolicies(ctx.deps, ctx.actor, includeDeleted ?? false),
    dataPolicy: (_p, { id }, ctx) => getDataPolicy(ctx.deps, ctx.actor, id),
    dataPolicyConflicts: (_p, { dataSourceId }, ctx) => dataPolicyConflicts(ctx.deps, ctx.actor, dataSourceId),
    policyView: (_p, { dataSourceId }, ctx) => policyViewOf(ctx.deps, ctx.actor, dataSourceId),
  },
  Mutation: {
    createDataPolicy: (_p, { input }, ctx) => createDataPolicy(ctx.deps, ctx.actor, input),
    updateDataPolicy: (_p, { input }, ctx) => updateDataPolicy(ctx.deps, ctx.actor, input),
    deleteDataPolicy: (_p, { id }, ctx) => deleteDataPolicy(ctx.deps, ctx.actor, id),
    setViewsForEverything: (_p, { connectionId, enabled }, ctx) => setViewsForEverything(ctx.deps, ctx.actor, connectionId, enabled),
  },
  ConnectionAccessState: {
    viewsForEverything: (s) => s.viewsForEverything,
  },
  DataPolicy: {
    scope: (p) => definitionOf(p).scope,
    rule: (p) => definitionOf(p).rule,
    except: (p) => definitionOf(p).except ?? null,
    deleted: (p) => p.deletedAt !== null,
    versions: (p, _a, ctx) => listDataPolicyVersions(ctx.deps, ctx.actor, p.id),
    sourceCount: async (p, _a, ctx) => (p.deletedAt ? 0 : (await sourcesShapedBy(ctx.deps.db, p.id)).length),
    conflicts: async (p, _a, ctx) => {
      if (p.deletedAt) return [];
      const { conflicts } = await resolveCurrentDataPolicies(ctx.deps.db);
      return conflicts.filter((c) => c.winner.policyId === p.id || c.losers.some((l) => l.policyId === p.id));
    },
    createdBy: (p, _a, ctx) => (p.createdById ? ctx.loaders.user.load(p.createdById) : null),
  },
  MaskConflict: {
    dataSource: (c, _a, ctx) => loadSource(ctx, c.sourceId),
    winner: (c) => ({ id: c.winner.policyId, name: c.winner.policyName }),
    losers: (c) => c.losers.map((l) => ({ id: l.policyId, name: l.policyName })),
  },
  PolicyViewSummary: {
    dataSource: (v, _a, ctx) => loadSource(ctx, v.sourceId),
    columns: (v, _a, ctx) => viewColumns(ctx, v.columns),
    rowFiltered: (v) => v.rowFilter !== null,
    policies: async (v, _a, ctx) => {
      const rows = await ctx.deps.db.dataPolicy.findMany({ where: { id: { in: [...v.policyIds] } }, select: { id: true, name: true } });
      return rows.sort((a, b) => a.name.localeCompare(b.name));
    },
  },
  DataPolicyVersion: {
    scope: (v) => definitionOf(v).scope,
    rule: (v) => definitionOf(v).rule,
    except: (v) => definitionOf(v).except ?? null,
    changedBy: (v, _a, ctx) => (v.changedById ? ctx.loaders.user.load(v.changedById) : null),
  },
};
