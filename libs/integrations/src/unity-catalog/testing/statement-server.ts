/**
 * Test-only: a local HTTP server speaking the Databricks SQL Statement Execution API, backed by a
 * DbxModel. NO Databricks workspace is involved; shapes follow the API's documentation
 * (statement-api.ts cites it):
 * - POST /api/2.0/sql/statements `{ warehouse_id, statement, wait_timeout, on_wait_timeout,
 *   disposition, format, parameters }` → a StatementResponse: SUCCEEDED with `manifest` and the first
 *   `result` chunk, FAILED with `status.error` (HTTP 200), or PENDING while `pendingPolls` last;
 * - GET …/{id} (RUNNING until the polls are used up), GET …/{id}/result/chunks/{n}, POST …/{id}/cancel;
 * - a wrong token → 401, an unknown warehouse → 404, queued `faults` → that HTTP status (429, 503).
 * It also answers the UC permissions API (GET / PATCH /api/2.1/unity-catalog/permissions/…) from a
 * map, and passes account SCIM requests (Steward's groups) to an embedded `databricks-server.ts`, so
 * the adapter's whole reconcile — groups, grants and SQL — runs against one workspace URL, as on
 * Databricks.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { type DatabricksServer, startDatabricksServer } from "./databricks-server";
import { DbxSqlError } from "./dbx-cursor";
import { DbxModel, type DbxResult } from "./dbx-model";

type Stored = { id: string; final: Record<string, unknown>; chunks: (string | null)[][][]; pollsLeft: number; canceled: boolean };

export type StatementServer = {
  url: string;
  token: string;
  warehouseId: string;
  model: DbxModel;
  /** HTTP statuses to answer the next requests with, one each (e.g. [429, 503]). */
  faults: number[];
  /** Polls a new statement answers PENDING / RUNNING to before its result (Infinity: never finishes). */
  pendingPolls: number;
  /** Rows per result chunk. */
  chunkRows: number;
  /** Every request, `METHOD path`. */
  requests: string[];
  /** Permissions by `type/full_name` → principal → privileges. */
  grants: Map<string, Map<string, Set<string>>>;
  /** The account SCIM side (users, Steward's groups); add the workspace's users to `scim.model`. */
  scim: DatabricksServer;
  close(): Promise<void>;
};

const PREFIX = "/api/2.0/sql/statements";
const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};
const WAIT = /^(0|[5-9]|[1-4][0-9]|50)s$/;

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function startStatementServer(model = new DbxModel()): Promise<StatementServer> {
  const statements = new Map<string, Stored>();
  const s: Omit<StatementServer, "url" | "close" | "scim"> = {
    token: "dapi-test-token",
    warehouseId: "abcdef1234567890",
    model,
    faults: [],
    pendingPolls: 0,
    chunkRows: 1000,
    requests: [],
    grants: new Map(),
  };

  function outcome(stmt: Stored): Record<string, unknown> {
    if (stmt.canceled) return { statement_id: stmt.id, status: { state: "CANCELED" } };
    if (stmt.pollsLeft > 0) {
      stmt.pollsLeft--;
      return { statement_id: stmt.id, status: { state: "RUNNING" } };
    }
    return stmt.final;
  }

  function run(body: Record<string, unknown>): Stored {
    const id = randomUUID();
    const params: Record<string, string | null> = {};
    for (const p of (body.parameters as { name: string; value?: string | null }[] | undefined) ?? []) params[p.name] = p.value ?? null;
    let result: DbxResult;
    const stmt: Stored = { id, final: {}, chunks: [], pollsLeft: s.pendingPolls, canceled: false };
    try {
      result = model.execute(String(body.statement), params);
    } catch (err) {
      const e = err instanceof DbxSqlError ? err : new DbxSqlError("INTERNAL_ERROR", String(err), "XX000", "INTERNAL_ERROR");
      stmt.final = {
        statement_id: id,
        status: { state: "FAILED", error: { error_code: e.errorCode, message: e.message }, sql_state: e.sqlState },
      };
      return stmt;
    }
    for (let i = 0; i < result.rows.length; i += s.chunkRows) stmt.chunks.push(result.rows.slice(i, i + s.chunkRows));
    stmt.final = {
      statement_id: id,
      status: { state: "SUCCEEDED" },
      manifest: {
        format: "JSON_ARRAY",
        schema: {
          column_count: result.columns.length,
          columns: result.columns.map((name, position) => ({ name, position, type_name: "STRING" })),
        },
        total_chunk_count: stmt.chunks.length,
        total_row_count: result.rows.length,
        truncated: false,
      },
      ...(stmt.chunks.length ? { result: chunk(stmt, 0) } : {}),
    };
    return stmt;
  }

  function chunk(stmt: Stored, n: number): Record<string, unknown> {
    const rows = stmt.chunks[n]!;
    const next = n + 1 < stmt.chunks.length ? n + 1 : undefined;
    return {
      chunk_index: n,
      row_offset: stmt.chunks.slice(0, n).reduce((a, c) => a + c.length, 0),
      row_count: rows.length,
      data_array: rows,
      ...(next === undefined ? {} : { next_chunk_index: next, next_chunk_internal_link: `${PREFIX}/${stmt.id}/result/chunks/${next}` }),
    };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname;
    s.requests.push(`${req.method} ${path}`);
    const fault = s.faults.shift();
    if (fault !== undefined)
      return json(res, fault, { error_code: fault === 429 ? "TOO_MANY_REQUESTS" : "TEMPORARILY_UNAVAILABLE", message: "injected" });
    if (req.headers.authorization !== `Bearer ${s.token}`)
      return json(res, 401, { error_code: "UNAUTHENTICATED", message: "Invalid access token." });
    if (path.includes("/scim/v2/")) return forwardScim(req, res, url);
    const body = req.method === "GET" ? {} : await readJson(req);

    const perm = /^\/api\/2\.1\/unity-catalog\/permissions\/(catalog|schema|table)\/([^/]+)$/.exec(path);
    if (perm) {
      const key = `${perm[1]}/${decodeURIComponent(perm[2]!)}`;
      const held = s.grants.get(key) ?? s.grants.set(key, new Map()).get(key)!;
      if (req.method === "PATCH")
        for (const ch of (body.changes as { principal: string; add?: string[]; remove?: string[] }[]) ?? []) {
          const set = held.get(ch.principal) ?? held.set(ch.principal, new Set()).get(ch.principal)!;
          for (const p of ch.add ?? []) set.add(p);
          for (const p of ch.remove ?? []) set.delete(p);
        }
      const assignments = [...held].filter(([, v]) => v.size).map(([principal, v]) => ({ principal, privileges: [...v].sort() }));
      return json(res, 200, { privilege_assignments: assignments });
    }

    if (req.method === "POST" && path === PREFIX) {
      if (body.warehouse_id !== s.warehouseId)
        return json(res, 404, { error_code: "RESOURCE_DOES_NOT_EXIST", message: `Warehouse ${String(body.warehouse_id)} does not exist.` });
      if (
        typeof body.statement !== "string" ||
        !body.statement.trim() ||
        (body.wait_timeout !== undefined && !WAIT.test(String(body.wait_timeout)))
      )
        return json(res, 400, { error_code: "INVALID_PARAMETER_VALUE", message: "statement and wait_timeout (0s or 5s-50s) are required" });
      if ((body.disposition ?? "INLINE") !== "INLINE" || (body.format ?? "JSON_ARRAY") !== "JSON_ARRAY")
        return json(res, 400, { error_code: "INVALID_PARAMETER_VALUE", message: "the emulator speaks INLINE JSON_ARRAY only" });
      const stmt = run(body);
      statements.set(stmt.id, stmt);
      if (stmt.pollsLeft > 0) return json(res, 200, { statement_id: stmt.id, status: { state: "PENDING" } });
      return json(res, 200, stmt.final);
    }
    const m = new RegExp(`^${PREFIX}/([^/]+)(/cancel|/result/chunks/(\\d+))?$`).exec(path);
    const stmt = m ? statements.get(decodeURIComponent(m[1]!)) : undefined;
    if (!m || !stmt) return json(res, 404, { error_code: "NOT_FOUND", message: `no such path or statement: ${path}` });
    if (m[2] === "/cancel" && req.method === "POST") {
      if (stmt.pollsLeft > 0) stmt.canceled = true;
      return json(res, 200, {});
    }
    if (m[3] !== undefined) {
      const n = Number(m[3]);
      if (n >= stmt.chunks.length) return json(res, 404, { error_code: "NOT_FOUND", message: `no chunk ${n}` });
      return json(res, 200, chunk(stmt, n));
    }
    return json(res, 200, outcome(stmt));
  }

  const scim = await startDatabricksServer();
  /** The workspace's account-SCIM proxy path, answered by the embedded account server. */
  async function forwardScim(req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const answer = await fetch(`${scim.url}${url.pathname}${url.search}`, {
      method: req.method,
      headers: { authorization: `Bearer ${scim.adminToken}`, "content-type": req.headers["content-type"] ?? "application/json" },
      body: req.method === "GET" || req.method === "DELETE" ? undefined : Buffer.concat(chunks),
    });
    res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" });
    res.end(Buffer.from(await answer.arrayBuffer()));
  }

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err) => json(res, 500, { error_code: "INTERNAL_ERROR", message: String(err) }));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return Object.assign(s, {
    url: `http://127.0.0.1:${port}`,
    scim,
    close: async () => {
      await new Promise<void>((ok) => server.close(() => ok()));
      await scim.stop();
    },
  });
}
