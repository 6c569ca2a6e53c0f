import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { forwardAuth } from "./auth-forward";

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A stand-in API answering every request with a redirect that sets two cookies; records what it got. */
async function api(): Promise<{ url: string; seen: { url?: string; cookie?: string }[] }> {
  const seen: { url?: string; cookie?: string }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url, cookie: req.headers.cookie });
    res.statusCode = 302;
    res.setHeader("location", "https://idp.example.com/authorize?state=x");
    res.setHeader("set-cookie", ["steward_oidc_flow=v1.k1.a.b.c; Path=/auth/oidc; HttpOnly; SameSite=Lax", "other=1; Path=/"]);
    res.end();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe("single sign-on forwarding", () => {
  it("passes path, query and cookies to the API and its redirect and cookies back, unfollowed", async () => {
    const target = await api();
    const res = await forwardAuth(
      new Request("http://web.example.com/auth/oidc/callback?code=c&state=s", { headers: { cookie: "steward_oidc_flow=abc" } }),
      { apiUrl: `${target.url}/` },
    );
    expect(target.seen).toEqual([{ url: "/auth/oidc/callback?code=c&state=s", cookie: "steward_oidc_flow=abc" }]);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://idp.example.com/authorize?state=x");
    expect(res.headers.getSetCookie()).toEqual([
      "steward_oidc_flow=v1.k1.a.b.c; Path=/auth/oidc; HttpOnly; SameSite=Lax",
      "other=1; Path=/",
    ]);
  });

  it("makes the API's same-origin redirects absolute on the web app's origin", async () => {
    const server = http.createServer((_req, res) => {
      res.statusCode = 302;
      res.setHeader("location", "/login?sso_error=FLOW_EXPIRED");
      res.end();
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const res = await forwardAuth(new Request("http://web.example.com/auth/oidc/callback?state=x"), {
      apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    });
    expect(res.headers.get("location")).toBe("http://web.example.com/login?sso_error=FLOW_EXPIRED");
  });

  it("sends the browser to the login page with a reason when the API cannot be reached", async () => {
    const res = await forwardAuth(new Request("http://web.example.com/auth/oidc/login"), { apiUrl: "http://127.0.0.1:9" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("http://web.example.com/login?sso_error=API_UNREACHABLE");
  });
});
