import type { ApolloServerPlugin } from "@apollo/server";
import { findNulByte } from "@steward/core";
import {
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
  visit,
} from "graphql";
import { type ComplexityEstimator, getComplexity, simpleEstimator } from "graphql-query-complexity";

export const MAX_DEPTH = 12;
export const MAX_COMPLEXITY = 20_000;
export const MAX_TOKENS = 5_000;
/**
 * graphql-query-complexity does not see meta fields, yet one `__schema` answers with the whole schema:
 * each costs this much, so a normal introspection passes and a thousand aliased copies do not.
 */
export const INTROSPECTION_COST: Record<string, number> = { __schema: 5_000, __type: 100 };

/** A list field costs its page size times its children, so wide nested pages are priced honestly. */
const pagedEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const first = typeof args.first === "number" ? args.first : undefined;
  return first === undefined ? undefined : 1 + first * Math.max(childComplexity, 1);
};

const badInput = (message: string) => new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", http: { status: 400 } } });

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const map = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) map.set(d.name.value, d);
  return map;
}

/**
 * Folds over a selection set, following fragment spreads. Each fragment is computed once (memoised),
 * so a chain of fragments that each spread the next twice cannot make this exponential, and a fragment
 * cycle (reported by graphql's own NoFragmentCyclesRule) counts as nothing instead of recursing forever.
 */
function foldSelections(
  fragments: Map<string, FragmentDefinitionNode>,
  onField: (name: string, child: number) => number,
  combine: (a: number, b: number) => number,
): (set: SelectionSetNode | undefined) => number {
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const fold = (set: SelectionSetNode | undefined): number => {
    let acc = 0;
    for (const sel of set?.selections ?? []) {
      if (sel.kind === Kind.FIELD) acc = combine(acc, onField(sel.name.value, fold(sel.selectionSet)));
      else if (sel.kind === Kind.INLINE_FRAGMENT) acc = combine(acc, fold(sel.selectionSet));
      else {
        const name = sel.name.value;
        if (!memo.has(name)) {
          if (visiting.has(name)) continue;
          visiting.add(name);
          memo.set(name, fold(fragments.get(name)?.selectionSet));
          visiting.delete(name);
        }
        acc = combine(acc, memo.get(name) ?? 0);
      }
    }
    return acc;
  };
  return fold;
}

/**
 * Refuses operations nested deeper than MAX_DEPTH. Replaces graphql-depth-limit, which recursed without
 * end on a fragment cycle (a stack overflow, HTTP 500) before graphql's own rule could report the cycle.
 * Meta fields (`__schema`, `__type`…) do not count towards depth; they are priced by the complexity limit.
 */
export function depthLimitRule(context: ValidationContext): ASTVisitor {
  const depthOf = foldSelections(fragmentsOf(context.getDocument()), (name, child) => (name.startsWith("__") ? 0 : 1 + child), Math.max);
  return {
    OperationDefinition(op) {
      const depth = depthOf(op.selectionSet) - 1;
      if (depth > MAX_DEPTH) {
        context.reportError(
          new GraphQLError(`'${op.name?.value ?? "anonymous"}' exceeds maximum operation depth of ${MAX_DEPTH}`, { nodes: [op] }),
        );
      }
    },
  };
}

function introspectionCost(document: DocumentNode, operationName: string | null | undefined): number {
  const op = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName));
  if (!op || op.kind !== Kind.OPERATION_DEFINITION) return 0;
  return foldSelections(
    fragmentsOf(document),
    (name, child) => (INTROSPECTION_COST[name] ?? 0) + child,
    (a, b) => a + b,
  )(op.selectionSet);
}

export function complexityLimitPlugin(schema: GraphQLSchema): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          // Errors thrown here must be GraphQLErrors carrying their code: Apollo turns anything else
          // from a plugin hook into an internal error.
          let complexity: number;
          try {
            complexity =
              introspectionCost(document, request.operationName) +
              getComplexity({
                schema,
                query: document,
                operationName: request.operationName,
                variables: request.variables,
                estimators: [pagedEstimator, simpleEstimator({ defaultComplexity: 1 })],
              });
          } catch (err) {
            // getComplexity coerces variables first; a wrongly typed variable is the caller's mistake.
            throw badInput(err instanceof Error ? err.message : "Invalid variables");
          }
          if (complexity > MAX_COMPLEXITY) {
            throw badInput(`Query is too complex (${complexity} > ${MAX_COMPLEXITY}); request smaller pages or fewer fields`);
          }
        },
      };
    },
  };
}

/**
 * PostgreSQL text cannot hold U+0000, so a NUL byte in any input would fail deep inside a write as an
 * internal error. Refused here, once, for every operation: in variables and in the document's literals.
 */
export function nulByteGuardPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let inDocument = false;
          visit(document, {
            StringValue(node) {
              if (node.value.includes("\u0000")) inDocument = true;
            },
          });
          if (inDocument || findNulByte(request.variables) !== null) throw badInput("Input must not contain NUL (\\u0000) characters");
        },
      };
    },
  };
}
