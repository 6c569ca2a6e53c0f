import {
  approveAccessRequest,
  cancelAccessRequest,
  createPolicy,
  deletePolicy,
  denyAccessRequest,
  explainAccess,
  getConnectionAccessState,
  getPolicy,
  listManualSubscriptions,
  listPolicies,
  listPolicyVersions,
  listReconcileRuns,
  myAccessRequests,
  myPendingApprovals,
  mySubscriptions,
  planPolicyImpact,
  requestAccess,
  setDriftEnforcement,
  setUnmanagedGrants,
  storedAccountProblems,
  subscribeUser,
  unsubscribeUser,
  updatePolicy,
} from "@steward/access";
import { notFound, unauthenticated } from "@steward/core";
import type { Restriction, Scope } from "@steward/policy";
import type { ApiContext } from "../../context";
import type { Resolvers } from "../resolvers-types.gen";

type PolicyDefinition = { restriction: Restriction; scope: Scope };

async function loadUser(ctx: ApiContext, id: string) {
  const user = await ctx.loaders.user.load(id);
  if (!user) throw notFound("User");
  return user;
}

async function loadSource(ctx: ApiContext, id: string) {
  const source = await ctx.deps.db.dataSource.findUnique({ where: { id } });
  if (!source) throw notFound("Data source");
  return source;
}

// Stored definitions are the engine's format (checked when written), which the output unions mirror.
const definitionOf = (row: { definition: unknown }) => row.definition as PolicyDefinition;

export const policyResolvers: Resolvers = {
  Query: {
    policies: (_p, { includeDeleted }, ctx) => listPolicies(ctx.deps, ctx.actor, includeDeleted ?? false),
    policy: (_p, { id }, ctx) => getPolicy(ctx.deps, ctx.actor, id),
    planPolicyChange: (_p, { input }, ctx) => planPolicyImpact(ctx.deps, ctx.actor, input),
    explainAccess: async (_p, { userId, dataSourceId }, ctx) => {
      const explanation = await explainAccess(ctx.deps, ctx.actor, userId, dataSourceId);
      return {
        level: explanation.level,
        details: explanation,
        platformLevel: explanation.platform?.level ?? explanation.level,
        platform: explanation.platform,
      };
    },
    mySubscriptions: (_p, _a, ctx) => mySubscriptions(ctx.deps, ctx.actor),
    myAccessRequests: (_p, _a, ctx) => myAccessRequests(ctx.deps, ctx.actor),
    myPendingApprovals: (_p, _a, ctx) => myPendingApprovals(ctx.deps, ctx.actor),
    manualSubscriptions: (_p, { dataSourceId }, ctx) => listManualSubscriptions(ctx.deps, ctx.actor, dataSourceId),
    requestableDataSources: async (_p, { search, first }, ctx) => {
      if (!ctx.actor) throw unauthenticated();
      const rows = await ctx.deps.db.dataSource.findMany({
        where: {
          status: "ACTIVE",
          connection: { deletedAt: null },
          ...(search?.trim() ? { name: { contains: search.trim().slice(0, 200), mode: "insensitive" as const } } : {}),
        },
        include: { connection: { select: { name: true } } },
        orderBy: [{ name: "asc" }, { id: "asc" }],
        take: Math.min(Math.max(first ?? 20, 1), 50),
      });
      return rows.map((r) => ({ id: r.id, name: r.name, objectType: r.objectType, connectionName: r.connection.name }));
    },
  },
  Mutation: {
    createPolicy: (_p, { input }, ctx) => createPolicy(ctx.deps, ctx.actor, input),
    updatePolicy: (_p, { input }, ctx) => updatePolicy(ctx.deps, ctx.actor, input),
    deletePolicy: (_p, { id }, ctx) => deletePolicy(ctx.deps, ctx.actor, id),
    requestAccess: (_p, { input }, ctx) => requestAccess(ctx.deps, ctx.actor, input),
    approveAccessRequest: (_p, { input }, ctx) => approveAccessRequest(ctx.deps, ctx.actor, input),
    denyAccessRequest: (_p, { input }, ctx) => denyAccessRequest(ctx.deps, ctx.actor, input),
    cancelAccessRequest: (_p, { id }, ctx) => cancelAccessRequest(ctx.deps, ctx.actor, id),
    subscribeUser: (_p, { input }, ctx) => subscribeUser(ctx.deps, ctx.actor, input),
    unsubscribeUser: (_p, args, ctx) => unsubscribeUser(ctx.deps, ctx.actor, args),
    setDriftEnforcement: (_p, { connectionId, enforce }, ctx) => setDriftEnforcement(ctx.deps, ctx.actor, connectionId, enforce),
    setUnmanagedGrants: (_p, { connectionId, mode }, ctx) => setUnmanagedGrants(ctx.deps, ctx.actor, connectionId, mode),
  },
  ConnectionStatementPlan: {
    connection: async (p, _a, ctx) => {
      const c = await ctx.loaders.connection.load(p.connectionId);
      if (!c) throw notFound("Connection");
      return c;
    },
  },
  Connection: {
    accessState: (c, _a, ctx) => getConnectionAccessState(ctx.deps, ctx.loaders.connectionVisible, c.id),
    reconcileRuns: (c, { first }, ctx) => listReconcileRuns(ctx.deps, ctx.loaders.connectionVisible, c.id, first ?? 20),
  },
  ConnectionAccessState: {
    inSync: (s) => s.appliedVersion >= s.desiredVersion,
    accountProblems: (s) => storedAccountProblems(s.accountProblems),
  },
  ReconcileRun: {
    accountProblems: (r) => storedAccountProblems(r.accountProblems),
  },
  SubscriptionPolicy: {
    restriction: (p) => definitionOf(p).restriction,
    scope: (p) => definitionOf(p).scope,
    deleted: (p) => p.deletedAt !== null,
    versions: (p, _a, ctx) => listPolicyVersions(ctx.deps, ctx.actor, p.id),
  },
  PolicyVersion: {
    restriction: (v) => definitionOf(v).restriction,
    scope: (v) => definitionOf(v).scope,
    changedBy: (v, _a, ctx) => (v.changedById ? ctx.loaders.user.load(v.changedById) : null),
  },
  AccessChange: {
    dataSource: (c, _a, ctx) => loadSource(ctx, c.dataSourceId),
    user: (c, _a, ctx) => loadUser(ctx, c.userId),
  },
  MySubscription: {
    dataSource: (s, _a, ctx) => loadSource(ctx, s.dataSourceId),
  },
  ManualSubscription: {
    user: (m, _a, ctx) => loadUser(ctx, m.userId),
    dataSource: (m, _a, ctx) => loadSource(ctx, m.dataSourceId),
    grantedBy: (m, _a, ctx) => (m.grantedById ? ctx.loaders.user.load(m.grantedById) : null),
  },
  AccessRequest: {
    user: (r, _a, ctx) => loadUser(ctx, r.userId),
    dataSource: (r, _a, ctx) => loadSource(ctx, r.dataSourceId),
    decidedBy: (r, _a, ctx) => (r.decidedById ? ctx.loaders.user.load(r.decidedById) : null),
  },
};
