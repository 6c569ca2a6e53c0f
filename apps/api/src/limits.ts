import type { ApolloServerPlugin } from "@apollo/server";
import { getComplexity, simpleEstimator, type ComplexityEstimator } from "graphql-query-complexity";
import { GraphQLError, type GraphQLSchema } from "graphql";
import depthLimit from "graphql-depth-limit";

export const MAX_DEPTH = 12;
export const MAX_COMPLEXITY = 20_000;

/** A list field costs its page size times its children, so wide nested pages are priced honestly. */
const pagedEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const first = typeof args.first === "number" ? args.first : undefined;
  return first === undefined ? undefined : 1 + first * Math.max(childComplexity, 1);
};

export const depthLimitRule = depthLimit(MAX_DEPTH);

export function complexityLimitPlugin(schema: GraphQLSchema): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          // Errors thrown here must be GraphQLErrors carrying their code: Apollo turns anything else
          // from a plugin hook into an internal error.
          let complexity: number;
          try {
            complexity = getComplexity({
              schema,
              query: document,
              operationName: request.operationName,
              variables: request.variables,
              estimators: [pagedEstimator, simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (err) {
            // getComplexity coerces variables first; a wrongly typed variable is the caller's mistake.
            throw new GraphQLError(err instanceof Error ? err.message : "Invalid variables", {
              extensions: { code: "BAD_USER_INPUT", http: { status: 400 } },
            });
          }
          if (complexity > MAX_COMPLEXITY) {
            throw new GraphQLError(`Query is too complex (${complexity} > ${MAX_COMPLEXITY}); request smaller pages or fewer fields`, {
              extensions: { code: "BAD_USER_INPUT", http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
