/**
 * A local HTTP server speaking the part of Snowflake's driver protocol `snowflake-sdk` uses, backed by
 * a `SnowflakeModel`. Written from what the driver sends and reads (node_modules/snowflake-sdk:
 * services/sf.js, connection/result): NO real Snowflake account is involved.
 *
 * - POST /session/v1/login-request → `{ success, data: { token, masterToken, validity…, sessionInfo } }`,
 *   or `{ success: false, code: "390100" }` for wrong credentials (the driver's AUTH error).
 * - POST /queries/v1/query-request (header `Authorization: Snowflake Token="…"`, body `{ sqlText }`)
 *   → one JSON rowset: `rowtype` (column names and types) and `rowset` (every value a string or null);
 *   a refused statement → `{ success: false, code, message, data: { sqlState } }`.
 * - POST /session/heartbeat, /session/token-request, /session?delete=true, /telemetry/send → success.
 * A request with an unknown session token gets Snowflake's 390112 ("session no longer exists").
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import { EmulatedSqlError } from "./lexer";
import { SnowflakeModel } from "./model";

export type WireServer = { url: string; model: SnowflakeModel; close(): Promise<void>; logins: number };

const json = (res: http.ServerResponse, body: unknown, status = 200) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

async function readBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  let buf = Buffer.concat(chunks);
  if (req.headers["content-encoding"] === "gzip") buf = zlib.gunzipSync(buf);
  return buf.length ? JSON.parse(buf.toString("utf8")) : {};
}

export async function startWireServer(model = new SnowflakeModel()): Promise<WireServer> {
  /** Session token → the signed-in user (CURRENT_USER() of its statements). */
  const sessions = new Map<string, string>();
  const state = { logins: 0 };
  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err) => json(res, { success: false, code: "000000", message: String(err), data: null }, 500));
  });
  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", "http://x");
    const body = (await readBody(req)) as { data?: Record<string, unknown>; sqlText?: string };
    if (url.pathname === "/session/v1/login-request") {
      state.logins++;
      const user = String(body.data?.LOGIN_NAME ?? "");
      const password = String(body.data?.PASSWORD ?? "");
      if (!model.passwords.has(user) || model.passwords.get(user) !== password)
        return json(res, { success: false, code: "390100", message: "Incorrect username or password was specified.", data: null });
      const role = url.searchParams.get("roleName");
      if (role && !model.roles.has(role))
        return json(res, {
          success: false,
          code: "390189",
          message: `Role '${role}' specified in the connect string does not exist or not authorized.`,
          data: null,
        });
      const token = randomUUID();
      sessions.set(token, user);
      return json(res, {
        success: true,
        code: null,
        message: null,
        data: {
          token,
          masterToken: `master-${token}`,
          validityInSeconds: 3600,
          masterValidityInSeconds: 14400,
          sessionId: state.logins,
          parameters: [],
          sessionInfo: { databaseName: null, schemaName: null, warehouseName: url.searchParams.get("warehouse"), roleName: role },
        },
      });
    }
    if (url.pathname === "/telemetry/send") return json(res, { success: true, data: null });
    const token = /Snowflake Token="([^"]+)"/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    if (!sessions.has(token))
      return json(res, { success: false, code: "390112", message: "Your session has expired. Please login again.", data: null });
    if (url.pathname === "/session" && url.searchParams.get("delete") === "true") {
      sessions.delete(token);
      model.endSession(token);
      return json(res, { success: true, data: null });
    }
    if (url.pathname === "/session/heartbeat" || url.pathname === "/session/token-request") return json(res, { success: true, data: {} });
    if (url.pathname !== "/queries/v1/query-request")
      return json(res, { success: false, code: "000000", message: `unknown path ${url.pathname}` }, 404);
    const queryId = randomUUID();
    try {
      const result = model.execute(String(body.sqlText ?? ""), { id: token, user: sessions.get(token)! });
      return json(res, {
        success: true,
        code: null,
        message: null,
        data: {
          queryId,
          rowtype: result.columns.map((c) => ({
            name: c.name,
            database: "",
            schema: "",
            table: "",
            type: c.type,
            nullable: true,
            scale: c.type === "fixed" ? 0 : null,
            precision: c.type === "fixed" ? 38 : null,
            length: c.type === "text" ? 16777216 : null,
            byteLength: c.type === "text" ? 16777216 : null,
          })),
          rowset: result.rows,
          total: result.rows.length,
          returned: result.rows.length,
          queryResultFormat: "json",
          parameters: [],
        },
      });
    } catch (err) {
      const e = err instanceof EmulatedSqlError ? err : new EmulatedSqlError("000603", "XX000", String(err));
      return json(res, { success: false, code: e.code, message: e.message, data: { sqlState: e.sqlState, queryId } });
    }
  }
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    model,
    get logins() {
      return state.logins;
    },
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
