/**
 * Protocol edges a real Trino does not produce on demand (authentication refusals, busy answers, a
 * non-Trino server, a closed port). Queries, permissions and syntax errors are proven against the
 * real Trino in trino.int.test.ts.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrinoClient, rowObjects, TrinoQueryError, trinoServerUrl } from "./client";

let server: http.Server;
let base = "";
let busyLeft = 0;
const seenHeaders: http.IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seenHeaders.push(req.headers);
    const url = req.url ?? "";
    if (url.startsWith("/401")) return res.writeHead(401, { "WWW-Authenticate": "Basic" }).end("Unauthorized");
    if (url.startsWith("/garbage")) return res.writeHead(200).end("<html>not trino</html>");
    if (url.startsWith("/busy/v1/statement")) {
      if (busyLeft-- > 0) return res.writeHead(503).end();
      return res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ id: "q1", nextUri: `${base}/busy/page2` }));
    }
    if (url.startsWith("/busy/page2")) {
      return res
        .writeHead(200, { "Content-Type": "application/json" })
        .end(JSON.stringify({ id: "q1", columns: [{ name: "n", type: "integer" }], data: [[1], [2]], stats: { state: "FINISHED" } }));
    }
    return res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function failure(p: Promise<unknown>): Promise<TrinoQueryError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TrinoQueryError);
  return err as TrinoQueryError;
}

describe("Trino client protocol edges", () => {
  it("retries the protocol's busy answers and follows nextUri", async () => {
    busyLeft = 3;
    const result = await createTrinoClient({ server: `${base}/busy`, user: "alice", catalog: "tpch", schema: "tiny" }).query("SELECT n");
    expect(rowObjects(result)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(seenHeaders.at(-1)).toMatchObject({ "x-trino-user": "alice", "x-trino-catalog": "tpch", "x-trino-schema": "tiny" });
  });

  it("maps 401 to AUTH_FAILED", async () => {
    expect((await failure(createTrinoClient({ server: `${base}/401`, user: "a" }).query("SELECT 1"))).code).toBe("AUTH_FAILED");
  });

  it("refuses to send a password over plain http", async () => {
    const err = await failure(createTrinoClient({ server: base, user: "a", password: "secret" }).query("SELECT 1"));
    expect(err).toMatchObject({ code: "AUTH_FAILED", message: expect.stringMatching(/HTTPS/) });
  });

  it("says when the server is not Trino", async () => {
    expect((await failure(createTrinoClient({ server: `${base}/garbage`, user: "a" }).info())).code).toBe("UNREACHABLE");
    expect((await failure(createTrinoClient({ server: `${base}/garbage`, user: "a" }).query("SELECT 1"))).message).toMatch(/not JSON/);
  });

  it("maps a closed port to UNREACHABLE and a slow server to TIMEOUT", async () => {
    expect((await failure(createTrinoClient({ server: "http://127.0.0.1:1", user: "a" }).info())).code).toBe("UNREACHABLE");
    const silent = http.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const err = await failure(createTrinoClient({ server: url, user: "a", requestTimeoutMs: 200 }).query("SELECT 1"));
    silent.closeAllConnections();
    silent.close();
    expect(err.code).toBe("TIMEOUT");
  });

  it("builds the coordinator URL from a connection config", () => {
    expect(trinoServerUrl({ host: "trino.local", port: 8443, ssl: true })).toBe("https://trino.local:8443");
    expect(trinoServerUrl({ host: "::1", port: 8080, ssl: false })).toBe("http://[::1]:8080");
  });
});
