import type { ErrorClass } from "../error-class";

/** Codes the Trino client and connector raise (client.ts), in the shared taxonomy. */
export function classifyTrinoError(code: string): ErrorClass {
  switch (code) {
    case "UNREACHABLE":
    case "SERVER_STARTING":
    case "TIMEOUT":
      return "TRANSIENT";
    case "AUTH_FAILED":
    case "PERMISSION_DENIED":
      return "CONFIGURATION";
    case "INVALID_CONFIG":
    case "NOT_FOUND":
      return "CONFIGURATION";
    default:
      return "PERMANENT";
  }
}
