import { dataPolicyGrammar } from "@steward/policy";
import { outputTypeName } from "../policy-definition/generate-sdl";
import type { Resolvers } from "../resolvers-types.gen";

/** Stored data policy definitions are the engine's JSON; each union's `kind` picks the output type. */
export const dataPolicyDefinitionResolvers: Resolvers = Object.fromEntries(
  dataPolicyGrammar.map((u) => [u.name, { __resolveType: (v: { kind: string }) => outputTypeName(u.name, v.kind) }]),
) as Resolvers;
