/**
 * One error family for the whole domain. Use-cases throw AppError; transports map `code` to their own
 * vocabulary in exactly one place (the API's GraphQL error formatter).
 */
export type ErrorCode = "UNAUTHENTICATED" | "FORBIDDEN" | "BAD_USER_INPUT" | "NOT_FOUND" | "CONFLICT" | "RATE_LIMITED" | "INTERNAL";

/** `line`/`column` (1-based) when the input was a text document, e.g. a policy-as-code file. */
export type FieldIssue = { path: string; message: string; line?: number; column?: number };

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Safe to show to the caller. `message` may carry internal detail for logs. */
  readonly userMessage: string;
  readonly fields: FieldIssue[];
  /** A finer, stable reason within `code` that clients may switch on (e.g. LOCAL_PASSWORDS_DISABLED). */
  readonly reason: string | undefined;

  constructor(
    code: ErrorCode,
    userMessage: string,
    opts: { internal?: string; fields?: FieldIssue[]; cause?: unknown; reason?: string } = {},
  ) {
    super(opts.internal ?? userMessage, { cause: opts.cause });
    this.name = "AppError";
    this.code = code;
    this.userMessage = userMessage;
    this.fields = opts.fields ?? [];
    this.reason = opts.reason;
  }
}

export const unauthenticated = (msg = "Authentication required") => new AppError("UNAUTHENTICATED", msg);
export const forbidden = (msg = "You are not allowed to do this") => new AppError("FORBIDDEN", msg);
export const notFound = (what: string) => new AppError("NOT_FOUND", `${what} not found`);
export const conflict = (msg: string) => new AppError("CONFLICT", msg);
export const badInput = (msg: string, fields: FieldIssue[] = []) => new AppError("BAD_USER_INPUT", msg, { fields });

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

export function assertNever(value: never, what = "value"): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`);
}
