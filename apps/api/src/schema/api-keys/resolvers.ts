import { notFound } from "@steward/core";
import { createApiKey, listAllApiKeys, listMyApiKeys, revokeApiKey } from "@steward/identity";
import type { Resolvers } from "../resolvers-types.gen";

export const apiKeyResolvers: Resolvers = {
  Query: {
    myApiKeys: (_p, { includeRevoked }, ctx) => listMyApiKeys(ctx.deps, ctx.actor, includeRevoked ?? false),
    apiKeys: (_p, { ownerId, includeRevoked }, ctx) => listAllApiKeys(ctx.deps, ctx.actor, ownerId, includeRevoked ?? false),
  },
  Mutation: {
    createApiKey: (_p, { input }, ctx) => createApiKey(ctx.deps, ctx.actor, input),
    revokeApiKey: (_p, { id }, ctx) => revokeApiKey(ctx.deps, ctx.actor, id),
  },
  ApiKey: {
    owner: async (k, _a, ctx) => {
      const owner = await ctx.loaders.user.load(k.ownerId);
      if (!owner) throw notFound("User");
      return owner;
    },
  },
};
