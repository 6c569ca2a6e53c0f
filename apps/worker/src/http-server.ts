import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type AddressList, type Logger, operatorRequestAllowed, parseAddressList } from "@steward/core";
import type { Registry } from "prom-client";

export type ReadinessCheck = () => Promise<Record<string, boolean>>;

/** Who may read /metrics: addresses in `allow` (loopback when not given) or holders of `token`. */
export type MetricsAccess = { allow: AddressList; token?: string | undefined };

/** /healthz: the process is alive. /readyz: its dependencies answer. /metrics: Prometheus. */
export async function startHttpServer(opts: {
  port: number;
  logger: Logger;
  registry: Registry;
  readiness: ReadinessCheck;
  metricsAccess?: MetricsAccess;
}): Promise<{ port: number; close(): Promise<void> }> {
  const metricsAccess = opts.metricsAccess ?? { allow: parseAddressList("loopback") };
  const server: Server = createServer(async (req, res) => {
    try {
      switch (req.url) {
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
          // No proxy sits in front of this port, so the socket address is the client.
          if (!operatorRequestAllowed(metricsAccess, req.socket.remoteAddress, req.headers.authorization)) {
            res.writeHead(403, { "content-type": "application/json" }).end('{"error":"metrics are not served to this client"}');
            return;
          }
          res.writeHead(200, { "content-type": opts.registry.contentType }).end(await opts.registry.metrics());
          return;
        default:
          res.writeHead(404).end();
      }
    } catch (err) {
      opts.logger.error({ err: (err as Error).message, url: req.url }, "health endpoint failed");
      if (!res.headersSent) res.writeHead(500).end();
    }
  });
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

/** Resolves false instead of hanging when a dependency does not answer in time. */
export async function probe(check: () => Promise<unknown>, timeoutMs = 1_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check().then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
