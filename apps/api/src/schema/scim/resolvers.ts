import { listScimAttributeMappings, setScimAttributeMappings } from "@steward/identity";
import type { Resolvers } from "../resolvers-types.gen";

export const scimResolvers: Resolvers = {
  Query: {
    scimAttributeMappings: (_p, _a, ctx) => listScimAttributeMappings(ctx.deps, ctx.actor),
  },
  Mutation: {
    setScimAttributeMappings: (_p, { mappings }, ctx) => setScimAttributeMappings(ctx.deps, ctx.actor, { mappings }),
  },
};
