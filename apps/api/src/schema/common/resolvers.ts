import { DateTimeResolver, JSONResolver } from "graphql-scalars";
import type { Resolvers } from "../resolvers-types.gen";

export const commonResolvers: Resolvers = {
  DateTime: DateTimeResolver,
  JSON: JSONResolver,
  Query: { ping: () => "pong" },
};
