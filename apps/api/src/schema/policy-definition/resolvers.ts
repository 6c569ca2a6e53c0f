import { conditionDepth } from "@steward/policy";
import type { Resolvers } from "../resolvers-types.gen";
import { outputTypeName } from "./generate-sdl";

/** Stored definitions are the engine's JSON; its `kind` picks the output type by the SDL's naming rule. */
export const policyDefinitionResolvers: Resolvers = {
  Restriction: { __resolveType: (r) => outputTypeName("Restriction", r.kind) as never },
  Scope: { __resolveType: (s) => outputTypeName("Scope", s.kind) as never },
  Condition: { __resolveType: (c) => outputTypeName("Condition", c.kind) as never },
  ConditionsRestriction: {
    depth: (r) => (r.kind === "conditions" ? conditionDepth(r.condition) : 0),
  },
};
