import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { forwardGraphql, isIdempotentGraphql } from "./graphql-forward";

type Api = { url: string; hits: { body: string; cookie?: string }[]; close(): Promise<void> };
const servers: Api[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A stand-in API that resets (TCP RST) the connection of its first `resets` requests, then answers. */
async function flakyApi(resets: number): Promise<Api> {
  const hits: Api["hits"] = [];
  let seen = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      hits.push({ body, cookie: req.headers.cookie });
      if (seen++ < resets) {
        req.socket.resetAndDestroy();
        return;
      }
      res.setHeader("content-type", "application/json");
      res.setHeader("set-cookie", ["a=1; Path=/; HttpOnly", "b=2; Expires=Wed, 09 Jun 2027 10:18:14 GMT"]);
      res.end(JSON.stringify({ data: { ok: true } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const api: Api = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(api);
  return api;
}

const post = (query: string, operationName?: string) =>
  new Request("http://web.local/graphql?x=1", {
    method: "POST",
    headers: { "content-type": "application/json", cookie: "steward_session=abc" },
    body: JSON.stringify({ query, operationName }),
  });

describe("forwardGraphql", () => {
  it("retries a query once when the API resets the connection", async () => {
    const api = await flakyApi(1);
    const res = await forwardGraphql(post("query Me { me { id } }"), { apiUrl: api.url });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { ok: true } });
    expect(api.hits).toHaveLength(2);
    expect(api.hits[1]).toEqual(api.hits[0]);
    expect(api.hits[0]!.cookie).toBe("steward_session=abc");
    // Both cookies survive as separate headers.
    expect(res.headers.getSetCookie()).toEqual(["a=1; Path=/; HttpOnly", "b=2; Expires=Wed, 09 Jun 2027 10:18:14 GMT"]);
  });

  it("never repeats a mutation: the API may have applied it", async () => {
    const api = await flakyApi(1);
    const res = await forwardGraphql(post("mutation { logout }"), { apiUrl: api.url });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe("API_UNREACHABLE");
    expect(api.hits).toHaveLength(1);
  });

  it("retries only once", async () => {
    const api = await flakyApi(2);
    const res = await forwardGraphql(post("{ me { id } }"), { apiUrl: api.url });
    expect(res.status).toBe(502);
    expect(api.hits).toHaveLength(2);
  });

  it("does not retry when the API is simply down", async () => {
    const api = await flakyApi(0);
    const url = api.url;
    await api.close();
    const res = await forwardGraphql(post("{ me { id } }"), { apiUrl: url });
    expect(res.status).toBe(502);
  });
});

describe("isIdempotentGraphql", () => {
  it.each([
    ["a named query", { query: "query A { me { id } }" }, true],
    ["a shorthand query", { query: "{ me { id } }" }, true],
    ["a mutation", { query: "mutation { logout }" }, false],
    ["the mutation picked from a document with both", { query: "query A { me { id } } mutation B { logout }", operationName: "B" }, false],
    ["the query picked from a document with both", { query: "query A { me { id } } mutation B { logout }", operationName: "A" }, true],
    ["a batch containing a mutation", [{ query: "{ me { id } }" }, { query: "mutation { logout }" }], false],
    ["a persisted-query hash alone", { extensions: { persistedQuery: { version: 1, sha256Hash: "ab" } } }, false],
    ["unparsable text", { query: "query {" }, false],
  ])("%s → %s", (_label, payload, expected) => {
    expect(isIdempotentGraphql("POST", JSON.stringify(payload))).toBe(expected);
  });
  it("treats GET as a query and a non-JSON body as a write", () => {
    expect(isIdempotentGraphql("GET", null)).toBe(true);
    expect(isIdempotentGraphql("POST", "not json")).toBe(false);
  });
});
