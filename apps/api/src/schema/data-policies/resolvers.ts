import {
  createDataPolicy,
  type DataPolicyDefinition,
  dataPolicyConflicts,
  deleteDataPolicy,
  explainDataAccess,
  getDataPolicy,
  listDataPolicies,
  listDataPolicyVersions,
  planDataPolicyChange,
  policyViewOf,
  previewAs,
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

type Candidate = { id: string; name: string } | null | undefined;

/** Names of policies by id; `candidate` is an unsaved one (plans and previews of a draft). */
async function policyNames(ctx: ApiContext, ids: readonly string[], candidate?: Candidate): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await ctx.deps.db.dataPolicy.findMany({ where: { id: { in: [...new Set(ids)] } }, select: { id: true, name: true } });
  const names = new Map(rows.map((r) => [r.id, r.name]));
  if (candidate) names.set(candidate.id, candidate.name);
  return names;
}

/** A view column as clients see it: the mask kind and its policy, never the expression tree. */
export async function viewColumns(ctx: ApiContext, columns: readonly ViewColumn[], candidate?: Candidate) {
  const names = await policyNames(
    ctx,
    columns.flatMap((c) => (c.maskedBy ? [c.maskedBy] : [])),
    candidate,
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
    planDataPolicyChange: (_p, { input }, ctx) => planDataPolicyChange(ctx.deps, ctx.actor, input),
    previewAs: (_p, args, ctx) => previewAs(ctx.deps, ctx.actor, args),
    explainDataAccess: (_p, { userId, dataSourceId }, ctx) => explainDataAccess(ctx.deps, ctx.actor, userId, dataSourceId),
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
    columns: (v, _a, ctx) => viewColumns(ctx, v.columns, v.candidate),
    rowFiltered: (v) => v.rowFilter !== null,
    policies: async (v, _a, ctx) => {
      const names = await policyNames(ctx, v.policyIds, v.candidate);
      return v.policyIds
        .flatMap((id) => (names.has(id) ? [{ id, name: names.get(id)! }] : []))
        .sort((a, b) => a.name.localeCompare(b.name));
    },
  },
  DataPolicyChangePlan: {
    sources: (p) => p.sources.map((s) => ({ ...s, candidate: p.candidate })),
    affectedUsers: async (p, _a, ctx) =>
      (await ctx.loaders.user.loadMany(p.affectedUserIds)).filter(
        (u): u is Exclude<typeof u, Error | null> => !!u && !(u instanceof Error),
      ),
    affectedUserCount: (p) => p.affectedUserIds.length,
  },
  DataPolicySourceImpact: {
    dataSource: (i, _a, ctx) => loadSource(ctx, i.sourceId),
    before: (i) => i.before && { ...i.before, candidate: i.candidate },
    after: (i) => i.after && { ...i.after, candidate: i.candidate },
  },
  DataPreview: {
    dataSource: (p, _a, ctx) => loadSource(ctx, p.sourceId),
    user: async (p, _a, ctx) => {
      const u = await ctx.loaders.user.load(p.userId);
      if (!u) throw notFound("User");
      return u;
    },
    columns: async (p, _a, ctx) => {
      // The view's column descriptions (mask, policy, fallback) in the order the rows came back.
      if (!p.spec) return p.columns.map((c) => ({ ...c, mask: null, maskedBy: null, fallback: null }));
      const described = new Map((await viewColumns(ctx, p.spec.columns, p.candidate)).map((c) => [c.name, c]));
      return p.columns.map((c) => described.get(c.name) ?? { ...c, mask: null, maskedBy: null, fallback: null });
    },
  },
  DataAccessExplanation: {
    columns: (e) => e.dataPolicies.columns,
    rowRules: (e) => e.dataPolicies.rowRules,
    details: (e) => e.dataPolicies,
  },
  ColumnAccessExplanation: {
    masked: (c) => c.status === "masked" || c.status === "maskedWhen",
    mask: (c) => (c.status === "masked" || c.status === "maskedWhen" ? (c.applied?.kind ?? null) : null),
    policy: (c) => c.policy && { id: c.policy.policyId, name: c.policy.policyName },
    exempt: (c) => c.status === "exempt",
  },
  RowRuleExplanation: {
    policy: (r) => ({ id: r.policy.policyId, name: r.policy.policyName }),
    applies: (r) => !r.exempt,
  },
  DataPolicyVersion: {
    scope: (v) => definitionOf(v).scope,
    rule: (v) => definitionOf(v).rule,
    except: (v) => definitionOf(v).except ?? null,
    changedBy: (v, _a, ctx) => (v.changedById ? ctx.loaders.user.load(v.changedById) : null),
  },
};
