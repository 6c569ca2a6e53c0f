import type { CombinedError } from "urql";

/** Mirrors the API's `extensions.code` vocabulary. */
export type ApiErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "BAD_USER_INPUT"
  | "NOT_FOUND"
  | "CONFLICT"
  | "RATE_LIMITED"
  | "INTERNAL"
  | "NETWORK";

export type FieldIssue = { path: string; message: string };

export type ApiError = { code: ApiErrorCode; message: string; fields: FieldIssue[] };

const KNOWN_CODES = new Set<string>([
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "BAD_USER_INPUT",
  "NOT_FOUND",
  "CONFLICT",
  "RATE_LIMITED",
  "INTERNAL",
]);

function isFieldIssue(value: unknown): value is FieldIssue {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as FieldIssue).path === "string" &&
    typeof (value as FieldIssue).message === "string"
  );
}

/** Turns urql's combined error into the first API error, keeping the API's user-facing message. */
export function toApiError(error: CombinedError | undefined | null): ApiError | null {
  if (!error) return null;
  const first = error.graphQLErrors[0];
  if (first) {
    const rawCode = first.extensions?.code;
    const code = typeof rawCode === "string" && KNOWN_CODES.has(rawCode) ? (rawCode as ApiErrorCode) : "INTERNAL";
    const rawFields = first.extensions?.fields;
    const fields = Array.isArray(rawFields) ? rawFields.filter(isFieldIssue) : [];
    return { code, message: first.message, fields };
  }
  if (error.networkError) {
    return { code: "NETWORK", message: "The Steward API could not be reached. Check that it is running and try again.", fields: [] };
  }
  return { code: "INTERNAL", message: error.message, fields: [] };
}

export function hasCode(error: CombinedError | undefined | null, code: ApiErrorCode): boolean {
  return toApiError(error)?.code === code;
}

/**
 * Field issue paths come from the API's input validation ("input.email", "values.0"); forms name
 * fields after the input's own keys, so strip the argument wrapper and any list index.
 */
export function fieldNameOf(path: string): string {
  const parts = path.split(".").filter((p) => p !== "input" && !/^\d+$/.test(p));
  return parts.join(".") || path;
}
