import type { ApolloServerPlugin } from "@apollo/server";
import { AppError } from "@steward/core";
import { getComplexity, simpleEstimator, type ComplexityEstimator } from "graphql-query-complexity";
import type { GraphQLSchema } from "graphql";
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
          const complexity = getComplexity({
            schema,
            query: document,
            operationName: request.operationName,
            variables: request.variables,
            estimators: [pagedEstimator, simpleEstimator({ defaultComplexity: 1 })],
          });
          if (complexity > MAX_COMPLEXITY) {
            throw new AppError("BAD_USER_INPUT", `Query is too complex (${complexity} > ${MAX_COMPLEXITY}); request smaller pages or fewer fields`);
          }
        },
      };
    },
  };
}
