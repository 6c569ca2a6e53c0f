import fs from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { type AddressList, type Logger, operatorRequestAllowed } from "@steward/core";
import type { Registry } from "prom-client";
import { parseDecisionRoute } from "./decision-handler";

/** Who may read /metrics: addresses in `allow` or holders of `token`. */
export type MetricsAccess = { allow: AddressList; token?: string | undefined };

/** Paths of PEM files; with them the server speaks https and requires a client certificate from `ca`. */
export type TlsFiles = { cert: string; key: string; ca: string };

type DecisionRoute = NonNullable<ReturnType<typeof parseDecisionRoute>>;

/**
 * node:http only (no framework on the hot path): the decision route, /healthz (alive), /readyz
 * (snapshots loaded, database reachable) and /metrics.
 */
export async function startHttpServer(opts: {
  port: number;
  logger: Logger;
  registry: Registry;
  readiness: () => Promise<Record<string, boolean>>;
  metricsAccess: MetricsAccess;
  tls?: TlsFiles | undefined;
  decide: (req: IncomingMessage, res: ServerResponse, route: DecisionRoute) => Promise<void>;
}): Promise<{ port: number; close(): Promise<void> }> {
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const url = req.url ?? "/";
      const route = url.startsWith("/decisions/") ? parseDecisionRoute(url) : null;
      if (route) return await opts.decide(req, res, route);
      switch (url) {
        case "/healthz":
          res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
          return;
        case "/readyz": {
          const checks = await opts.readiness();
          const ready = Object.values(checks).every(Boolean);
          res
            .writeHead(ready ? 200 : 503, { "content-type": "application/json" })
            .end(JSON.stringify({ status: ready ? "ready" : "not ready", checks }));
          return;
        }
        case "/metrics":
          if (!operatorRequestAllowed(opts.metricsAccess, req.socket.remoteAddress, req.headers.authorization)) {
            res.writeHead(403, { "content-type": "application/json" }).end('{"error":"metrics are not served to this client"}');
            return;
          }
          res.writeHead(200, { "content-type": opts.registry.contentType }).end(await opts.registry.metrics());
          return;
        default:
          res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      }
    } catch (err) {
      // Decision URLs carry the connection's token: never log them.
      const url = req.url?.startsWith("/decisions/") ? "/decisions/…" : req.url;
      opts.logger.error({ err: (err as Error).message, url }, "request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" }).end('{"error":"internal error"}');
    }
  };
  const server: Server = opts.tls
    ? createHttpsServer(
        {
          cert: fs.readFileSync(opts.tls.cert),
          key: fs.readFileSync(opts.tls.key),
          ca: fs.readFileSync(opts.tls.ca),
          requestCert: true,
          rejectUnauthorized: true,
        },
        handler,
      )
    : createHttpServer(handler);
  // Trino keeps pooled connections open between queries; outlive its idle timeout.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
