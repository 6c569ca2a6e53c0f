/** Redshift failures in the shared taxonomy. Redshift reports PostgreSQL SQLSTATEs for most errors. */
import type { ErrorClass } from "../error-class";

export type RedshiftErrorCode =
  | "UNREACHABLE"
  | "TIMEOUT"
  | "CONFLICT"
  | "AUTH_FAILED"
  | "NOT_FOUND"
  | "MISSING_PRIVILEGE"
  | "INVALID_CONFIG"
  | "INVALID_INPUT"
  | "SQL_ERROR";

const CLASS: Record<RedshiftErrorCode, ErrorClass> = {
  UNREACHABLE: "TRANSIENT",
  TIMEOUT: "TRANSIENT",
  CONFLICT: "TRANSIENT",
  AUTH_FAILED: "CONFIGURATION",
  NOT_FOUND: "CONFIGURATION",
  MISSING_PRIVILEGE: "CONFIGURATION",
  INVALID_CONFIG: "CONFIGURATION",
  INVALID_INPUT: "PERMANENT",
  SQL_ERROR: "PERMANENT",
};

export function classifyRedshiftError(code: string): ErrorClass {
  return CLASS[code as RedshiftErrorCode] ?? "PERMANENT";
}

const SOCKET = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET", "EPIPE"]);

/** A driver or server error → our code. Unknown SQL errors are PERMANENT (retrying repeats them). */
export function redshiftErrorCode(err: unknown): RedshiftErrorCode {
  const e = (err ?? {}) as { code?: string; message?: string };
  const code = e.code ?? "";
  const message = e.message ?? "";
  if (SOCKET.has(code) || code === "57P01" || code === "57P03" || code.startsWith("08")) return "UNREACHABLE";
  if (/Connection terminated|timeout expired|connect ETIMEDOUT/i.test(message)) return "UNREACHABLE";
  if (code === "57014") return "TIMEOUT";
  // Redshift reports its serializable-isolation conflicts (error 1023) as XX000 with this text.
  if (code === "40001" || code === "40P01" || code === "55P03" || /serializable isolation violation/i.test(message)) return "CONFLICT";
  if (code.startsWith("28")) return "AUTH_FAILED";
  if (code === "3D000") return "NOT_FOUND";
  if (code === "42501") return "MISSING_PRIVILEGE";
  return "SQL_ERROR";
}
