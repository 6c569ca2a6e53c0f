import { applyPolicies, exportPolicies, planPolicies } from "@steward/policy-as-code";
import type { Resolvers } from "../resolvers-types.gen";

/** Changes come back without their canonical before/after objects: fields carry the differences. */
const shown = <T extends { changes: { section: string; name: string; action: string; fields: unknown[] }[] }>(r: T) => ({
  ...r,
  changes: r.changes.map(({ section, name, action, fields }) => ({ section, name, action, fields })),
});

export const policyAsCodeResolvers: Resolvers = {
  Query: {
    policyPlan: async (_p, { document }, ctx) => shown(await planPolicies(ctx.deps, ctx.actor, { document })) as never,
    exportPolicies: (_p, { format }, ctx) => exportPolicies(ctx.deps, ctx.actor, format ?? "YAML"),
  },
  Mutation: {
    applyPolicies: async (_p, { document, expectedDigest }, ctx) =>
      shown(await applyPolicies(ctx.deps, ctx.actor, { document, expectedDigest })) as never,
  },
};
