import type { ErrorClass } from "../error-class";

/** Codes the UC client raises (client.ts), in the shared taxonomy. */
export function classifyUcError(code: string): ErrorClass {
  switch (code) {
    case "UNREACHABLE":
    case "TIMEOUT":
    case "RATE_LIMITED":
    case "SERVER_ERROR":
      return "TRANSIENT";
    case "AUTH_FAILED":
    case "PERMISSION_DENIED":
    case "INVALID_CONFIG":
      return "CONFIGURATION";
    default:
      // NOT_FOUND, BAD_REQUEST, INVALID_INPUT: the same request fails the same way.
      return "PERMANENT";
  }
}
