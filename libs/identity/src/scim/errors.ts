import { AppError, assertNever } from "@steward/core";

export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

/** RFC 7644 §3.12 detail error keywords. */
export type ScimType =
  | "invalidFilter"
  | "tooMany"
  | "uniqueness"
  | "mutability"
  | "invalidSyntax"
  | "invalidPath"
  | "noTarget"
  | "invalidValue"
  | "invalidVers"
  | "sensitive";

/** A SCIM protocol error: the HTTP status and, for 400/409, the RFC's `scimType`. */
export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;

  constructor(status: number, detail: string, scimType?: ScimType) {
    super(detail);
    this.name = "ScimError";
    this.status = status;
    this.scimType = scimType;
  }
}

export const invalidValue = (detail: string) => new ScimError(400, detail, "invalidValue");
export const invalidSyntax = (detail: string) => new ScimError(400, detail, "invalidSyntax");
export const invalidPath = (detail: string) => new ScimError(400, detail, "invalidPath");
export const invalidFilter = (detail: string) => new ScimError(400, detail, "invalidFilter");
export const mutability = (detail: string) => new ScimError(400, detail, "mutability");
export const noTarget = (detail: string) => new ScimError(400, detail, "noTarget");
export const scimNotFound = (what: string, id: string) => new ScimError(404, `${what} ${id} not found`);

export type ScimErrorBody = { schemas: [typeof ERROR_SCHEMA]; status: string; scimType?: ScimType; detail: string };

/** Maps anything a SCIM request can throw to the RFC's error body; unknown errors become a bare 500. */
export function toScimError(err: unknown): ScimError {
  if (err instanceof ScimError) return err;
  if (err instanceof AppError) {
    switch (err.code) {
      case "BAD_USER_INPUT":
        return invalidValue(err.userMessage);
      case "CONFLICT":
        return new ScimError(409, err.userMessage, "uniqueness");
      case "NOT_FOUND":
        return new ScimError(404, err.userMessage);
      case "FORBIDDEN":
        return new ScimError(403, err.userMessage);
      case "UNAUTHENTICATED":
        return new ScimError(401, err.userMessage);
      case "RATE_LIMITED":
        return new ScimError(429, err.userMessage);
      case "INTERNAL":
        return new ScimError(500, "Internal server error");
      default:
        return assertNever(err.code, "error code");
    }
  }
  return new ScimError(500, "Internal server error");
}

export function errorBody(err: ScimError): ScimErrorBody {
  return { schemas: [ERROR_SCHEMA], status: String(err.status), ...(err.scimType ? { scimType: err.scimType } : {}), detail: err.message };
}
