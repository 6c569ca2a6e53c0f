import http from "node:http";
import { createLogger, parseAddressList } from "@steward/core";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { startHttpServer } from "./http-server";

const logger = createLogger({ name: "http-server-test", level: "silent" });
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

function get(port: number, from: string, headers: Record<string, string> = {}) {
  return new Promise<number>((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/metrics", localAddress: from, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
  });
}

async function start(metricsAccess?: Parameters<typeof startHttpServer>[0]["metricsAccess"]) {
  const server = await startHttpServer({ port: 0, logger, registry: new Registry(), readiness: async () => ({}), metricsAccess });
  close = server.close;
  return server.port;
}

describe("worker /metrics", () => {
  it("serves loopback by default", async () => {
    const port = await start();
    expect(await get(port, "127.0.0.1")).toBe(200);
  });

  it("refuses clients outside the allow list unless they bear the token", async () => {
    const token = "x".repeat(40);
    const port = await start({ allow: parseAddressList("127.0.0.1"), token });
    expect(await get(port, "127.0.0.1")).toBe(200);
    expect(await get(port, "127.0.0.2")).toBe(403);
    expect(await get(port, "127.0.0.2", { "x-forwarded-for": "127.0.0.1" })).toBe(403);
    expect(await get(port, "127.0.0.2", { authorization: `Bearer ${token}` })).toBe(200);
  });
});
