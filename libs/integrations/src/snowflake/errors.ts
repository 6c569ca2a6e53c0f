/**
 * Snowflake failures in the shared taxonomy. The driver reports its own network errors as 4xxxxx
 * codes and passes Global Services' codes (and the SQL state) through for server errors.
 */
import type { ErrorClass } from "../error-class";

export type SnowflakeErrorCode =
  | "UNREACHABLE"
  | "TIMEOUT"
  | "CONFLICT"
  | "AUTH_FAILED"
  | "NOT_FOUND"
  | "MISSING_PRIVILEGE"
  | "INVALID_CONFIG"
  | "INVALID_INPUT"
  | "SQL_ERROR";

const CLASS: Record<SnowflakeErrorCode, ErrorClass> = {
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

export function classifySnowflakeError(code: string): ErrorClass {
  return CLASS[code as SnowflakeErrorCode] ?? "PERMANENT";
}

const SOCKET = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET", "EPIPE"]);
// Global Services codes: 390100 wrong user/password, 390144 bad JWT, 390102 user locked / disabled,
// 390201/390189 the role, database or warehouse named at login is unknown or not granted.
const AUTH = new Set(["390100", "390101", "390102", "390144", "390318", "394304"]);
const LOGIN_CONFIG = new Set(["390189", "390201", "390186"]);

export function snowflakeErrorCode(err: unknown): SnowflakeErrorCode {
  const e = (err ?? {}) as { code?: string | number; sqlState?: string; message?: string; cause?: { code?: string } };
  const code = String(e.code ?? "");
  const sqlState = e.sqlState ?? "";
  const message = e.message ?? "";
  if (code === "401001" || code === "401002" || code === "402001" || SOCKET.has(code) || SOCKET.has(e.cause?.code ?? ""))
    return "UNREACHABLE";
  if (/ECONNREFUSED|socket hang up|Network error/i.test(message)) return "UNREACHABLE";
  if (AUTH.has(code)) return "AUTH_FAILED";
  if (LOGIN_CONFIG.has(code)) return "NOT_FOUND";
  // 000630: statement reached its timeout; 000625 / 000604: a concurrent DDL conflict or an abort.
  if (code === "630" || code === "000630" || sqlState === "57014") return "TIMEOUT";
  if (code === "625" || code === "000625" || code === "604" || code === "000604" || sqlState === "40001") return "CONFLICT";
  if (sqlState === "42501" || code === "3001" || code === "003001") return "MISSING_PRIVILEGE";
  if (sqlState === "02000" && /does not exist or not authorized/i.test(message)) return "NOT_FOUND";
  return "SQL_ERROR";
}
