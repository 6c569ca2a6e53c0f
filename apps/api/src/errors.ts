import { unwrapResolverError } from "@apollo/server/errors";
import { AppError, assertNever, type ErrorCode, type Logger } from "@steward/core";
import type { GraphQLFormattedError } from "graphql";

/**
 * The one place domain errors become GraphQL errors. Clients switch on `extensions.code`; internal
 * details never leave the server (they are logged with the request id instead).
 */
function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case "UNAUTHENTICATED":
      return 401;
    case "FORBIDDEN":
      return 403;
    case "BAD_USER_INPUT":
      return 400;
    case "NOT_FOUND":
      return 404;
    case "CONFLICT":
      return 409;
    case "RATE_LIMITED":
      return 429;
    case "INTERNAL":
      return 500;
    default:
      return assertNever(code, "error code");
  }
}

// Apollo's own codes for requests that never reach a resolver: malformed or invalid documents and
// variables are the caller's mistake, so they surface as BAD_USER_INPUT with the original reason.
const CALLER_MISTAKES = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
]);

const OUR_CODES = new Set<string>([
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "BAD_USER_INPUT",
  "NOT_FOUND",
  "CONFLICT",
  "RATE_LIMITED",
  "INTERNAL",
] satisfies ErrorCode[]);

export function makeFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof AppError) {
      return {
        message: original.userMessage,
        path: formatted.path,
        locations: formatted.locations,
        extensions: {
          code: original.code,
          http: { status: httpStatusOf(original.code) },
          ...(original.fields.length ? { fields: original.fields } : {}),
          ...(original.reason ? { reason: original.reason } : {}),
        },
      };
    }
    const apolloCode = formatted.extensions?.code;
    if (typeof apolloCode === "string" && CALLER_MISTAKES.has(apolloCode)) {
      return { ...formatted, extensions: { code: "BAD_USER_INPUT", reason: apolloCode } };
    }
    // GraphQLErrors raised deliberately with one of our codes (e.g. a refused API key in the context).
    // (Checked by code, not instanceof: graphql's CJS and ESM builds can both be loaded.)
    if (typeof apolloCode === "string" && OUR_CODES.has(apolloCode)) {
      return {
        message: formatted.message.replace(/^Context creation failed: /, ""),
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: apolloCode },
      };
    }
    logger.error({ err: original, path: formatted.path }, "unhandled error in GraphQL request");
    return { message: "Internal server error", path: formatted.path, locations: formatted.locations, extensions: { code: "INTERNAL" } };
  };
}

export { httpStatusOf };
