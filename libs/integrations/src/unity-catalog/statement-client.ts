/**
 * A client for the Databricks SQL Statement Execution API (shapes: statement-api.ts). One statement
 * per request, each waited for: POST with `wait_timeout` and `on_wait_timeout: CONTINUE`, then poll
 * GET …/{id} while PENDING / RUNNING, then read the INLINE JSON_ARRAY result chunk by chunk.
 *
 * Failures are UcApiErrors with the UC client's codes (errors.ts), so both clients share one
 * taxonomy: a non-200 answer is classified like the REST client's (401, 403, 404, 429, 5xx); a statement
 * the warehouse FAILED is classified by `status.error.error_code` (and SQLSTATE 42501 as a missing
 * privilege). Transient HTTP answers and network errors are retried a few times: every statement Steward
 * sends is idempotent (CREATE OR REPLACE, IF [NOT] EXISTS, SET / DROP of a mask or filter, MERGE,
 * INSERT OVERWRITE), so a resend after a lost answer changes nothing. A statement still running at the
 * deadline is cancelled and reported as TIMEOUT.
 */
import { statusError, UcApiError } from "./client";
import type { UcConfig, UcCredentials } from "./config";
import { isPending, ResultData, STATEMENTS_PATH, StatementRequest, StatementResponse } from "./statement-api";

export type SqlRow = Record<string, string | null>;
/** Runs one statement; `params` bind `:name` markers. Rows are keyed by the result's column names, lower-cased. */
export type RunSql = (statement: string, params?: Record<string, string>) => Promise<SqlRow[]>;

export type StatementClientOptions = {
  fetch?: typeof fetch;
  /** Pauses between polls of a running statement (the last one repeats). */
  pollDelaysMs?: readonly number[];
  /** Pauses before resending after a transient answer; its length is the number of resends. */
  retryDelaysMs?: readonly number[];
};

export type StatementClient = {
  /** HTTP requests sent (POSTs, polls, chunk reads, resends). */
  readonly sent: { count: number };
  run: RunSql;
};

const POLL_DELAYS_MS = [100, 250, 500, 1000, 2000];
const RETRY_DELAYS_MS = [200, 1000, 3000];
/** The POST waits this long for a quick statement (most DDL) before falling back to polling. */
const WAIT_SECONDS = 10;
const TRANSIENT = new Set(["UNREACHABLE", "TIMEOUT", "RATE_LIMITED", "SERVER_ERROR"]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** ServiceErrorCode values that a later attempt can get past. */
const TRANSIENT_SERVICE_CODES = new Set([
  "ABORTED",
  "DEADLINE_EXCEEDED",
  "INTERNAL_ERROR",
  "IO_ERROR",
  "RESOURCE_EXHAUSTED",
  "SERVICE_UNDER_MAINTENANCE",
  "TEMPORARILY_UNAVAILABLE",
  "WORKSPACE_TEMPORARILY_UNAVAILABLE",
]);

/** A statement the warehouse did not finish: FAILED (with its error), CANCELED or CLOSED. */
export function failedStatementError(r: StatementResponse, statement: string): UcApiError {
  const head = statement.replace(/\s+/g, " ").slice(0, 120);
  const code = r.status.error?.error_code ?? "UNKNOWN";
  const message = (r.status.error?.message ?? "").split("\n")[0]!.slice(0, 500);
  const text = `statement ${r.statement_id} ${r.status.state} (${code}${r.status.sql_state ? `, SQLSTATE ${r.status.sql_state}` : ""}): ${message} [${head}]`;
  if (r.status.state !== "FAILED") return new UcApiError("SERVER_ERROR", `${text} (ended before it finished)`);
  if (code === "UNAUTHENTICATED") return new UcApiError("AUTH_FAILED", text);
  if (TRANSIENT_SERVICE_CODES.has(code)) return new UcApiError("SERVER_ERROR", text);
  if (code === "NOT_FOUND") return new UcApiError("NOT_FOUND", text);
  if (r.status.sql_state === "42501" || /\b(PERMISSION_DENIED|INSUFFICIENT_PERMISSIONS)\b/.test(message))
    return new UcApiError("PERMISSION_DENIED", text);
  // BAD_REQUEST, ALREADY_EXISTS, CANCELLED, UNKNOWN and anything newer: the same statement fails again.
  return new UcApiError("BAD_REQUEST", text);
}

export function createStatementClient(
  config: UcConfig,
  credentials: UcCredentials,
  warehouseId: string,
  opts: StatementClientOptions = {},
): StatementClient {
  const fetchImpl = opts.fetch ?? fetch;
  const pollDelays = opts.pollDelaysMs?.length ? opts.pollDelaysMs : POLL_DELAYS_MS;
  const retryDelays = opts.retryDelaysMs ?? RETRY_DELAYS_MS;
  const sent = { count: 0 };

  async function once(method: "GET" | "POST", path: string, body: unknown, timeoutMs: number): Promise<unknown> {
    const what = `${method} ${path}`;
    sent.count++;
    let res: Response;
    try {
      res = await fetchImpl(`${config.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${credentials.token}`, accept: "application/json", "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      if (e.name === "TimeoutError" || e.name === "AbortError")
        throw new UcApiError("TIMEOUT", `${what}: no answer from ${config.url} within ${timeoutMs} ms`);
      throw new UcApiError("UNREACHABLE", `${what}: ${config.url} is unreachable (${e.cause?.code ?? e.message})`);
    }
    const text = await res.text();
    if (!res.ok) throw statusError(res.status, text, what);
    try {
      return text ? JSON.parse(text) : null;
    } catch {
      throw new UcApiError("SERVER_ERROR", `${what}: the answer is not JSON: ${text.slice(0, 200)}`, res.status);
    }
  }

  async function request(method: "GET" | "POST", path: string, body?: unknown, timeoutMs = config.timeoutMs): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await once(method, path, body, timeoutMs);
      } catch (err) {
        const delay = retryDelays[attempt];
        if (!(err instanceof UcApiError) || !TRANSIENT.has(err.code) || delay === undefined) throw err;
        await sleep(delay);
      }
    }
  }

  function parse<T>(
    schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: Error } },
    value: unknown,
    what: string,
  ): T {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new UcApiError("SERVER_ERROR", `${what}: unexpected answer (${parsed.error.message.slice(0, 200)})`);
    return parsed.data;
  }

  async function cancel(id: string): Promise<void> {
    try {
      await once("POST", `${STATEMENTS_PATH}/${encodeURIComponent(id)}/cancel`, {}, config.timeoutMs);
    } catch {
      // Best effort: the statement is reported as timed out either way.
    }
  }

  async function rowsOf(r: StatementResponse, statement: string): Promise<SqlRow[]> {
    if (r.manifest?.truncated) throw new UcApiError("SERVER_ERROR", `statement ${r.statement_id}: the result was truncated`);
    const columns = (r.manifest?.schema?.columns ?? []).map((c) => c.name.toLowerCase());
    const out: SqlRow[] = [];
    let chunk: ResultData | undefined = r.result;
    for (let guard = 0; chunk; guard++) {
      for (const values of chunk.data_array ?? []) {
        if (values.length !== columns.length)
          throw new UcApiError(
            "SERVER_ERROR",
            `statement ${r.statement_id}: a row has ${values.length} values for ${columns.length} columns`,
          );
        out.push(Object.fromEntries(columns.map((c, i) => [c, values[i] ?? null])));
      }
      const next = chunk.next_chunk_index;
      if (next === undefined) break;
      if (guard > 100_000 || next <= (chunk.chunk_index ?? -1))
        throw new UcApiError("SERVER_ERROR", `statement ${r.statement_id}: result chunks do not advance [${statement.slice(0, 80)}]`);
      const path = `${STATEMENTS_PATH}/${encodeURIComponent(r.statement_id)}/result/chunks/${next}`;
      chunk = parse(ResultData, await request("GET", path), `GET ${path}`);
    }
    return out;
  }

  async function run(statement: string, params: Record<string, string> = {}): Promise<SqlRow[]> {
    const body = StatementRequest.safeParse({
      warehouse_id: warehouseId,
      statement,
      wait_timeout: `${WAIT_SECONDS}s`,
      on_wait_timeout: "CONTINUE",
      disposition: "INLINE",
      format: "JSON_ARRAY",
      ...(Object.keys(params).length ? { parameters: Object.entries(params).map(([name, value]) => ({ name, value })) } : {}),
    });
    if (!body.success) throw new UcApiError("INVALID_INPUT", `statement not sent: ${body.error.issues.map((i) => i.message).join("; ")}`);
    const deadline = Date.now() + config.statementTimeoutMs;
    // The POST itself may be held for up to WAIT_SECONDS before it answers.
    let r = parse(
      StatementResponse,
      await request("POST", STATEMENTS_PATH, body.data, config.timeoutMs + WAIT_SECONDS * 1000),
      `POST ${STATEMENTS_PATH}`,
    );
    for (let poll = 0; isPending(r); poll++) {
      if (Date.now() >= deadline) {
        await cancel(r.statement_id);
        throw new UcApiError(
          "TIMEOUT",
          `statement ${r.statement_id} still ${r.status.state} after ${config.statementTimeoutMs} ms; cancelled`,
        );
      }
      await sleep(pollDelays[Math.min(poll, pollDelays.length - 1)]!);
      const path = `${STATEMENTS_PATH}/${encodeURIComponent(r.statement_id)}`;
      r = parse(StatementResponse, await request("GET", path), `GET ${path}`);
    }
    if (r.status.state !== "SUCCEEDED") throw failedStatementError(r, statement);
    return rowsOf(r, statement);
  }

  return { sent, run };
}
