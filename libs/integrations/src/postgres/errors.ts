import type { ConnectionProblem } from "../connector";
import { PasswordUnavailableError } from "./password";

type PgLikeError = { code?: string; message?: string; routine?: string };

/**
 * Classifies driver errors into problems a person can act on. SQLSTATEs from PostgreSQL's
 * errcodes table; socket codes from Node.
 */
export function classifyPgError(err: unknown, ctx: { host: string; port: number; database?: string; user: string }): ConnectionProblem {
  // The password provider already said what went wrong (token endpoint down, secret refused).
  if (err instanceof PasswordUnavailableError) return err.problem;
  const e = (err ?? {}) as PgLikeError;
  const code = e.code ?? "";
  switch (code) {
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "ECONNRESET":
      return { code: "UNREACHABLE", message: `Cannot reach PostgreSQL at ${ctx.host}:${ctx.port} (${code})` };
    case "28P01":
      return { code: "AUTH_FAILED", message: `Password authentication failed for user "${ctx.user}"` };
    case "28000":
      return { code: "AUTH_FAILED", message: `PostgreSQL refused user "${ctx.user}": ${e.message ?? "not authorised"}` };
    case "3D000":
      return { code: "NOT_FOUND", message: `Database "${ctx.database ?? "?"}" does not exist` };
    case "42501":
      return { code: "MISSING_PRIVILEGE", message: e.message ?? "permission denied", privilege: privilegeFrom(e.message) };
    case "57P03":
      return { code: "UNREACHABLE", message: "PostgreSQL is starting up or shutting down" };
    default:
      if (/timeout/i.test(e.message ?? "")) return { code: "UNREACHABLE", message: `Timed out connecting to ${ctx.host}:${ctx.port}` };
      if (/SSL|TLS/i.test(e.message ?? "")) return { code: "INVALID_CONFIG", message: `TLS problem: ${e.message}` };
      return { code: "UNREACHABLE", message: e.message ?? "Unknown connection error" };
  }
}

/** "permission denied for table pg_class" → "SELECT on pg_class"; "for database x" → "CONNECT on database x". */
function privilegeFrom(message: string | undefined): string {
  const m = /permission denied for (table|view|schema|database|relation) (.+)$/i.exec(message ?? "");
  if (!m) return "unknown privilege";
  const [, kind, name] = m;
  switch (kind!.toLowerCase()) {
    case "database":
      return `CONNECT on database ${name}`;
    case "schema":
      return `USAGE on schema ${name}`;
    default:
      return `SELECT on ${name}`;
  }
}
