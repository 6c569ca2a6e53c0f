import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../../testing/api-harness";

const LOGIN = `mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { user { username } } }`;

/** Logs in over a socket bound to `from` (any 127.x address works on loopback), with optional extra headers. */
function loginFrom(api: TestApi, from: string, username: string, password: string, headers: Record<string, string> = {}) {
  const body = JSON.stringify({ query: LOGIN, variables: { u: username, p: password } });
  const url = new URL(`${api.url}/graphql`);
  return new Promise<string>((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        localAddress: from,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers },
      },
      (res) => {
        let text = "";
        res.on("data", (c) => {
          text += c;
        });
        res.on("end", () => {
          const parsed = JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] };
          resolve(parsed.errors?.[0]?.extensions?.code ?? "OK");
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const spoofed = (i: number) => ({ "x-forwarded-for": `203.0.113.${i % 250}` });

describe("login limits with no trusted proxy (the default)", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it("ignores X-Forwarded-For: 30 wrong passwords with varying headers are limited", async () => {
    const victim = await api.userWithRoles([]);
    const codes: string[] = [];
    for (let i = 0; i < 30; i++) codes.push(await loginFrom(api, "127.0.0.1", victim.username, `wrong-${i}`, spoofed(i)));
    expect(codes.slice(0, 10).every((c) => c === "UNAUTHENTICATED")).toBe(true);
    expect(codes.slice(10).every((c) => c === "RATE_LIMITED")).toBe(true);
    // The same person on another address is not locked out by the attacker's address.
    expect(await loginFrom(api, "127.0.0.2", victim.username, "steward-demo")).toBe("OK");
    // Nor is another user on the attacker's address.
    const colleague = await api.userWithRoles([]);
    expect(await loginFrom(api, "127.0.0.1", colleague.username, "steward-demo")).toBe("OK");
  });

  it("audits failed logins, but not the attempts the limit refused", async () => {
    const victim = await api.userWithRoles([]);
    for (let i = 0; i < 15; i++) await loginFrom(api, "127.0.0.3", victim.username, `wrong-${i}`);
    await loginFrom(api, "127.0.0.3", "no-such-user", "whatever");
    const rows = await api.testDb.db.auditEvent.findMany({ where: { action: "session.login_failed" }, orderBy: { id: "asc" } });
    const forVictim = rows.filter((r) => r.targetId === victim.id);
    expect(forVictim).toHaveLength(10);
    expect(forVictim[0]).toMatchObject({ actorType: "USER", actorId: victim.id });
    expect(forVictim[0]?.after).toMatchObject({ username: victim.username, ip: "127.0.0.3", reason: "WRONG_PASSWORD" });
    const unknown = rows.find((r) => (r.after as { username?: string }).username === "no-such-user");
    expect(unknown).toMatchObject({ actorType: "SYSTEM", actorId: null });
    expect(unknown?.after).toMatchObject({ reason: "UNKNOWN_USER" });
  });
});

describe("login limits behind a trusted proxy", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ trustedProxies: "loopback" });
  });
  afterAll(() => api.close());

  it("limits one username guessed from many forwarded addresses; the owner's known address still works", async () => {
    const victim = await api.userWithRoles([]);
    // The victim logged in before from their office address, which makes it a known address.
    expect(await loginFrom(api, "127.0.0.1", victim.username, "steward-demo", { "x-forwarded-for": "198.51.100.7" })).toBe("OK");
    const codes: string[] = [];
    for (let i = 0; i < 30; i++) codes.push(await loginFrom(api, "127.0.0.1", victim.username, `wrong-${i}`, spoofed(i)));
    expect(codes.filter((c) => c === "RATE_LIMITED").length).toBeGreaterThanOrEqual(10);
    expect(codes.slice(20).every((c) => c === "RATE_LIMITED")).toBe(true);
    // Even the right password from a new address is refused while the username is under attack...
    expect(await loginFrom(api, "127.0.0.1", victim.username, "steward-demo", { "x-forwarded-for": "203.0.113.251" })).toBe("RATE_LIMITED");
    // ...but the owner at their known address still gets in.
    expect(await loginFrom(api, "127.0.0.1", victim.username, "steward-demo", { "x-forwarded-for": "198.51.100.7" })).toBe("OK");
  });

  it("one address spraying many usernames does not lock out known users behind it", async () => {
    const office = { "x-forwarded-for": "192.0.2.10" };
    const colleague = await api.userWithRoles([]);
    expect(await loginFrom(api, "127.0.0.1", colleague.username, "steward-demo", office)).toBe("OK");
    const codes: string[] = [];
    for (let i = 0; i < 110; i++) codes.push(await loginFrom(api, "127.0.0.1", `sprayed-${i}`, "guess", office));
    expect(codes.slice(0, 100).every((c) => c === "UNAUTHENTICATED")).toBe(true);
    expect(codes.slice(100).every((c) => c === "RATE_LIMITED")).toBe(true);
    expect(await loginFrom(api, "127.0.0.1", colleague.username, "steward-demo", office)).toBe("OK");
  });
});
