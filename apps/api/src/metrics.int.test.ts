import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "./testing/api-harness";

const TOKEN = "metrics-token-0123456789-0123456789-abcdef";
let api: TestApi;
beforeAll(async () => {
  // Only 127.0.0.1 is allowed here, so a socket bound to 127.0.0.2 plays a client on another host.
  api = await startTestApi({ metricsAllow: "127.0.0.1", metricsToken: TOKEN });
});
afterAll(() => api.close());

function getMetrics(from: string, headers: Record<string, string> = {}) {
  const url = new URL(`${api.url}/metrics`);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.get({ host: url.hostname, port: url.port, path: url.pathname, localAddress: from, headers }, (res) => {
      let body = "";
      res.on("data", (c) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
  });
}

describe("/metrics access", () => {
  it("serves allowed addresses", async () => {
    const res = await getMetrics("127.0.0.1");
    expect(res.status).toBe(200);
    expect(res.body).toContain("steward_api_http_request_duration_seconds");
  });

  it("refuses other clients, also when they claim an allowed address in X-Forwarded-For", async () => {
    expect((await getMetrics("127.0.0.2")).status).toBe(403);
    const spoofed = await getMetrics("127.0.0.2", { "x-forwarded-for": "127.0.0.1" });
    expect(spoofed.status).toBe(403);
    expect(spoofed.body).not.toContain("steward_api");
    expect((await getMetrics("127.0.0.2", { authorization: "Bearer wrong" })).status).toBe(403);
  });

  it("serves any client with the bearer token", async () => {
    expect((await getMetrics("127.0.0.2", { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });
});
