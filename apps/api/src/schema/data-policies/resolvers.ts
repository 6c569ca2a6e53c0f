import {
  createDataPolicy,
  type DataPolicyDefinition,
  deleteDataPolicy,
  getDataPolicy,
  listDataPolicies,
  listDataPolicyVersions,
  loadSourceFacts,
  scopeCovers,
  setViewsForEverything,
  updateDataPolicy,
} from "@steward/access";
import type { Resolvers } from "../resolvers-types.gen";

// Stored definitions are the engine's format (checked when written), which the output unions mirror.
const definitionOf = (row: { definition: unknown }) => row.definition as DataPolicyDefinition;

export const dataPolicyResolvers: Resolvers = {
  Query: {
    dataPolicies: (_p, { includeDeleted }, ctx) => listDataPolicies(ctx.deps, ctx.actor, includeDeleted ?? false),
    dataPolicy: (_p, { id }, ctx) => getDataPolicy(ctx.deps, ctx.actor, id),
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
    sourceCount: async (p, _a, ctx) => {
      if (p.deletedAt) return 0;
      const facts = await loadSourceFacts(ctx.deps.db);
      return facts.filter((s) => scopeCovers(definitionOf(p).scope, s)).length;
    },
    createdBy: (p, _a, ctx) => (p.createdById ? ctx.loaders.user.load(p.createdById) : null),
  },
  DataPolicyVersion: {
    scope: (v) => definitionOf(v).scope,
    rule: (v) => definitionOf(v).rule,
    except: (v) => definitionOf(v).except ?? null,
    changedBy: (v, _a, ctx) => (v.changedById ? ctx.loaders.user.load(v.changedById) : null),
  },
};
