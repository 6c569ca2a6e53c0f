import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { UnsafeIdentifierError } from "../../sql/quote";
import { classifyPgError } from "../errors";
import { PasswordUnavailableError } from "../password";
import { type Borrowed, borrowSession, isSessionLost, returnSession } from "./pool";
import { GrantsInputError, type GrantsTarget, type ReconcileError, type ReconcileOptions } from "./types";

const DEFAULTS = { statementTimeoutMs: 60_000, connectTimeoutMs: 5_000, maxAttempts: 3 } as const;

/** Statements are sent in multi-statement chunks: one round trip per ~256 KB instead of per statement. */
const CHUNK_BYTES = 256 * 1024;

// Connection-level failures (socket codes, auth, missing database) map through the connector's
// classifier; SQL failures inside the transaction get their own codes below.
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNRESET",
  "28P01",
  "28000",
  "3D000",
  "57P01",
  "57P03",
]);

export function isRetryable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  return e?.code === "40001" || e?.code === "40P01" || (e?.code === "XX000" && /tuple concurrently updated/.test(e.message ?? ""));
}

export function classifyError(err: unknown, target: GrantsTarget, database: string): ReconcileError {
  if (err instanceof GrantsInputError || err instanceof UnsafeIdentifierError) return { code: "INVALID_INPUT", message: err.message };
  if (err instanceof PasswordUnavailableError) return { code: err.problem.code, message: err.problem.message };
  const e = (err ?? {}) as { code?: string; message?: string };
  const code = e.code ?? "";
  if (code === "57014") return { code: "TIMEOUT", message: e.message ?? "statement timeout", sqlstate: code };
  if (code === "40001" || code === "40P01" || code === "XX000")
    return { code: "CONFLICT", message: e.message ?? "concurrent update", sqlstate: code };
  if (code === "42501") return { code: "MISSING_PRIVILEGE", message: e.message ?? "permission denied", sqlstate: code };
  if (/^[0-9A-Z]{5}$/.test(code) && !CONNECTION_CODES.has(code))
    return { code: "SQL_ERROR", message: e.message ?? "SQL error", sqlstate: code };
  if (!code && !(err instanceof Error && /connect|terminat|timeout|closed/i.test(err.message))) {
    return { code: "INTERNAL", message: err instanceof Error ? err.message : String(err) };
  }
  const problem = classifyPgError(err, { host: target.host, port: target.port, user: target.user, database });
  return { code: problem.code, message: problem.message, ...(/^[0-9A-Z]{5}$/.test(code) ? { sqlstate: code } : {}) };
}

function clientConfig(target: GrantsTarget, database: string, opts: Required<ReconcileOptions>): Omit<pg.ClientConfig, "password"> {
  const ssl = target.sslMode ?? "disable";
  return {
    host: target.host,
    port: target.port,
    user: target.user,
    database,
    ssl: ssl === "disable" ? false : { rejectUnauthorized: ssl === "verify-full" },
    connectionTimeoutMillis: opts.connectTimeoutMs,
    statement_timeout: opts.statementTimeoutMs,
    // A server that vanishes mid-transaction must not leave the worker waiting on a dead socket.
    query_timeout: opts.statementTimeoutMs + 5_000,
    application_name: "steward-grants",
  };
}

export type TxOutcome<T> = { ok: true; value: T } | { ok: false; error: ReconcileError; attempts: number };

/**
 * Runs `fn` inside one transaction on a pooled session (grants/pool.ts), committing when `commit`
 * says so, and rolling back otherwise. Serialization failures, deadlocks and "tuple concurrently
 * updated" (two GRANTs on one catalog row) retry the *whole* read-plan-apply, so a retry plans
 * against the state that won; so does, once, a kept session the server has meanwhile closed.
 */
export async function inTransaction<T>(
  target: GrantsTarget,
  database: string,
  options: ReconcileOptions,
  lockKey: string,
  fn: (client: pg.ClientBase) => Promise<{ value: T; commit: boolean }>,
): Promise<TxOutcome<T>> {
  const opts = { ...DEFAULTS, ...options };
  let staleRetried = false;
  for (let attempt = 1; ; attempt++) {
    let session: Borrowed | undefined;
    try {
      session = await borrowSession(clientConfig(target, database, opts), target.password);
      const client = session.client;
      await client.query("BEGIN");
      // Two reconciles of one scope would each plan against the other's half; serialize them.
      await client.query("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext($1))", [lockKey]);
      const { value, commit } = await fn(client);
      await client.query(commit ? "COMMIT" : "ROLLBACK");
      returnSession(session, false);
      return { ok: true, value };
    } catch (err) {
      if (session) {
        await session.client.query("ROLLBACK").catch(() => {});
        returnSession(session, true);
      }
      // A kept session may have been closed by the server while idle: that is no failure of the
      // target, so one fresh attempt does not count against maxAttempts.
      if (session?.reused && !staleRetried && isSessionLost(err)) {
        staleRetried = true;
        attempt--;
        continue;
      }
      if (isRetryable(err) && attempt < opts.maxAttempts) {
        await sleep(50 * 2 ** attempt + Math.floor(Math.random() * 50));
        continue;
      }
      return { ok: false, error: classifyError(err, target, database), attempts: attempt };
    }
  }
}

/** Sends statements in chunks; `onSent` records what reached the server (for statementsAttempted). */
export async function executeStatements(client: pg.ClientBase, statements: readonly string[], onSent: (n: number) => void): Promise<void> {
  let start = 0;
  while (start < statements.length) {
    let end = start;
    let bytes = 0;
    while (end < statements.length && (end === start || bytes + statements[end]!.length < CHUNK_BYTES))
      bytes += statements[end++]!.length + 2;
    onSent(end);
    await client.query(statements.slice(start, end).join(";\n"));
    start = end;
  }
}
