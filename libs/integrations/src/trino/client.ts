/**
 * A small client of Trino's REST client protocol (what the JDBC driver and the CLI speak):
 * `POST /v1/statement` with the SQL, then `GET nextUri` until there is none, collecting `columns` and
 * `data`. Plain `fetch`, no dependency: the protocol is four fields and a loop, and the npm client
 * that supports Node 20 reports query errors inside results instead of raising them.
 *
 * Every failure is a `TrinoQueryError` with a code callers can switch on (connection test, catalog
 * sync, tests that run queries "as alice", benches).
 */

export type TrinoQueryErrorCode = "UNREACHABLE" | "AUTH_FAILED" | "PERMISSION_DENIED" | "QUERY_FAILED" | "TIMEOUT";

export class TrinoQueryError extends Error {
  constructor(
    readonly code: TrinoQueryErrorCode,
    message: string,
    /** Trino's own error name (e.g. `PERMISSION_DENIED`, `SYNTAX_ERROR`, `TABLE_NOT_FOUND`), when it sent one. */
    readonly errorName: string | null = null,
    readonly queryId: string | null = null,
  ) {
    super(message);
    this.name = "TrinoQueryError";
  }
}

export type TrinoColumn = { name: string; type: string };
export type TrinoQueryResult = {
  queryId: string;
  columns: TrinoColumn[];
  rows: unknown[][];
  /** For statements that change something (`INSERT`, `CREATE TABLE` …). */
  updateType: string | null;
  updateCount: number | null;
};

export type TrinoClientOptions = {
  /** `http(s)://host:port` of the coordinator. */
  server: string;
  user: string;
  /** Sent as HTTP Basic auth; Trino accepts passwords only over https, so http with a password is refused. */
  password?: string;
  catalog?: string;
  schema?: string;
  /** Shown in Trino's query list as the client (`X-Trino-Source`). */
  source?: string;
  /** Whole query, from submit to the last page; the query is cancelled when it passes. Default 60 s. */
  timeoutMs?: number;
  /** One HTTP request; default 15 s. */
  requestTimeoutMs?: number;
  /** Refuse results larger than this many rows (protects the caller's memory). Default 1,000,000. */
  maxRows?: number;
};

export type TrinoQueryOptions = Partial<Pick<TrinoClientOptions, "user" | "catalog" | "schema" | "timeoutMs">>;

export type TrinoServerInfo = { version: string; starting: boolean; uptime: string | null };

export type TrinoClient = {
  query(sql: string, over?: TrinoQueryOptions): Promise<TrinoQueryResult>;
  info(): Promise<TrinoServerInfo>;
};

type StatementResponse = {
  id?: string;
  nextUri?: string;
  columns?: { name: string; type: string }[];
  data?: unknown[][];
  updateType?: string;
  updateCount?: number;
  stats?: { state?: string };
  error?: { message?: string; errorName?: string; errorType?: string };
};

/** Trino's own "try again" statuses: the protocol says to retry the same URI after a short pause. */
const RETRY_STATUSES = new Set([502, 503, 504]);
const MAX_RETRIES = 20;

export function createTrinoClient(options: TrinoClientOptions): TrinoClient {
  const server = options.server.replace(/\/+$/, "");
  const https = server.startsWith("https://");
  if (!https && !server.startsWith("http://")) throw new TrinoQueryError("UNREACHABLE", `not an http(s) URL: ${server}`);
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  const maxRows = options.maxRows ?? 1_000_000;

  const headersFor = (over: TrinoQueryOptions): Record<string, string> => {
    const user = over.user ?? options.user;
    const headers: Record<string, string> = {
      "X-Trino-User": user,
      "X-Trino-Source": options.source ?? "steward",
      "User-Agent": "steward",
    };
    const catalog = over.catalog ?? options.catalog;
    const schema = over.schema ?? options.schema;
    if (catalog) headers["X-Trino-Catalog"] = catalog;
    if (schema) headers["X-Trino-Schema"] = schema;
    if (options.password) {
      if (!https) throw new TrinoQueryError("AUTH_FAILED", "Trino accepts a password only over HTTPS: enable HTTPS for this connection");
      headers.Authorization = `Basic ${Buffer.from(`${user}:${options.password}`, "utf8").toString("base64")}`;
    }
    return headers;
  };

  /** One HTTP exchange, with the protocol's retries and our error mapping. */
  const request = async (
    method: "GET" | "POST" | "DELETE",
    url: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<Response> => {
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(requestTimeoutMs), redirect: "error" });
      } catch (err) {
        const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
        if (err instanceof Error && err.name === "TimeoutError") {
          throw new TrinoQueryError("TIMEOUT", `Trino at ${server} did not answer within ${requestTimeoutMs} ms`);
        }
        throw new TrinoQueryError("UNREACHABLE", `cannot reach Trino at ${server}: ${cause}`);
      }
      if (RETRY_STATUSES.has(res.status) && attempt < MAX_RETRIES) {
        await res.body?.cancel();
        await sleep(50 + attempt * 50);
        continue;
      }
      if (res.status === 401 || res.status === 403) {
        const text = (await res.text()).trim().slice(0, 300);
        throw new TrinoQueryError(
          "AUTH_FAILED",
          `Trino refused the credentials of ${headers["X-Trino-User"]} (HTTP ${res.status})${text ? `: ${text}` : ""}`,
        );
      }
      return res;
    }
  };

  const readJson = async (res: Response): Promise<StatementResponse> => {
    const text = await res.text();
    if (!res.ok) throw new TrinoQueryError("QUERY_FAILED", `Trino answered HTTP ${res.status}: ${text.trim().slice(0, 300)}`);
    try {
      return JSON.parse(text) as StatementResponse;
    } catch {
      throw new TrinoQueryError("QUERY_FAILED", `Trino answered with something that is not JSON: ${text.slice(0, 200)}`);
    }
  };

  /** One submission of `sql`, following `nextUri` to the end. */
  const runOnce = async (sql: string, over: TrinoQueryOptions, timeoutMs: number, deadline: number): Promise<TrinoQueryResult> => {
    const headers = headersFor(over);
    let page = await readJson(
      await request("POST", `${server}/v1/statement`, { ...headers, "Content-Type": "text/plain; charset=utf-8" }, sql),
    );
    const queryId = page.id ?? "";
    let columns: TrinoColumn[] = [];
    const rows: unknown[][] = [];
    for (;;) {
      if (page.error) throw queryFailure(page.error, queryId);
      if (page.columns && columns.length === 0) columns = page.columns.map((c) => ({ name: c.name, type: c.type }));
      if (page.data) {
        if (rows.length + page.data.length > maxRows) {
          await cancel(page.nextUri);
          throw new TrinoQueryError("QUERY_FAILED", `the result has more than ${maxRows} rows`, null, queryId);
        }
        for (const row of page.data) rows.push(row);
      }
      if (!page.nextUri) {
        return { queryId, columns, rows, updateType: page.updateType ?? null, updateCount: page.updateCount ?? null };
      }
      if (Date.now() > deadline) {
        await cancel(page.nextUri);
        throw new TrinoQueryError("TIMEOUT", `the query did not finish within ${timeoutMs} ms (cancelled)`, null, queryId);
      }
      page = await readJson(await request("GET", page.nextUri, headers));
    }

    async function cancel(nextUri: string | undefined) {
      if (!nextUri) return;
      await request("DELETE", nextUri, headers)
        .then((r) => r.body?.cancel())
        .catch(() => {});
    }
  };

  return {
    async query(sql, over = {}) {
      const timeoutMs = over.timeoutMs ?? options.timeoutMs ?? 60_000;
      const deadline = Date.now() + timeoutMs;
      // A coordinator that has just started may not have announced itself as a worker yet: the query
      // is refused before anything runs (NO_NODES_AVAILABLE), so it is safe to send again shortly.
      for (;;) {
        try {
          return await runOnce(sql, over, timeoutMs, deadline);
        } catch (err) {
          if (!(err instanceof TrinoQueryError && err.errorName === "NO_NODES_AVAILABLE") || Date.now() > deadline) throw err;
          await sleep(250);
        }
      }
    },

    async info() {
      const res = await request("GET", `${server}/v1/info`, { "User-Agent": "steward" });
      if (!res.ok) throw new TrinoQueryError("UNREACHABLE", `${server}/v1/info answered HTTP ${res.status}; is this a Trino coordinator?`);
      const body = (await res.json().catch(() => null)) as {
        nodeVersion?: { version?: unknown };
        starting?: unknown;
        uptime?: unknown;
      } | null;
      const version = body?.nodeVersion?.version;
      if (typeof version !== "string") throw new TrinoQueryError("UNREACHABLE", `${server}/v1/info is not a Trino server info document`);
      return { version, starting: body?.starting === true, uptime: typeof body?.uptime === "string" ? body.uptime : null };
    },
  };
}

function queryFailure(error: NonNullable<StatementResponse["error"]>, queryId: string): TrinoQueryError {
  const errorName = error.errorName ?? null;
  const message = error.message ?? "query failed";
  switch (errorName) {
    case "PERMISSION_DENIED":
      return new TrinoQueryError("PERMISSION_DENIED", message, errorName, queryId);
    // A coordinator still starting answers queries with this: worth retrying later, like a refused connection.
    case "SERVER_STARTING_UP":
    case "NO_NODES_AVAILABLE":
      return new TrinoQueryError("UNREACHABLE", message, errorName, queryId);
    case "EXCEEDED_TIME_LIMIT":
      return new TrinoQueryError("TIMEOUT", message, errorName, queryId);
    default:
      return new TrinoQueryError("QUERY_FAILED", message, errorName, queryId);
  }
}

/** Rows as objects keyed by column name (for tests and small results). */
export function rowObjects(result: TrinoQueryResult): Record<string, unknown>[] {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c.name, row[i]])));
}

/** The coordinator URL of a connection's config. */
export function trinoServerUrl(config: { host: string; port: number; ssl: boolean }): string {
  const host = config.host.includes(":") && !config.host.startsWith("[") ? `[${config.host}]` : config.host;
  return `${config.ssl ? "https" : "http"}://${host}:${config.port}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
