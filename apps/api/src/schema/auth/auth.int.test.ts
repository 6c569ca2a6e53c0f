import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../../testing/api-harness";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const ME = `{ me { user { username } roles authMethod } }`;
const LOGIN = `mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { user { username email } roles } }`;

describe("authentication", () => {
  it("logs in with an httpOnly SameSite cookie and resolves `me`", async () => {
    const { username } = await api.userWithRoles(["GOVERNOR"]);
    const res = await api.gql(LOGIN, { u: username, p: "steward-demo" });
    expect(res.errors).toBeUndefined();
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^steward_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const me = await api.gql<{ me: { user: { username: string }; roles: string[]; authMethod: string } }>(
      ME,
      {},
      { cookie: cookie.split(";")[0] },
    );
    expect(me.data?.me).toEqual({ user: { username }, roles: ["GOVERNOR"], authMethod: "SESSION" });
  });

  it("gives the same error for a wrong password and an unknown user", async () => {
    const { username } = await api.userWithRoles([]);
    const wrong = await api.gql(LOGIN, { u: username, p: "not-the-password" });
    const unknown = await api.gql(LOGIN, { u: "nobody-here", p: "not-the-password" });
    expect(wrong.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(unknown.errors?.[0]?.message).toBe(wrong.errors?.[0]?.message);
    expect(unknown.errors?.[0]?.extensions?.code).toBe(wrong.errors?.[0]?.extensions?.code);
  });

  it("rate-limits repeated failed logins for one account", async () => {
    const { username } = await api.userWithRoles([]);
    const codes: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await api.gql(LOGIN, { u: username, p: `wrong-${i}` });
      codes.push(String(res.errors?.[0]?.extensions?.code));
    }
    expect(codes.slice(0, 10).every((c) => c === "UNAUTHENTICATED")).toBe(true);
    expect(codes.slice(10)).toEqual(["RATE_LIMITED", "RATE_LIMITED"]);
    // Even the right password is refused while the limit holds.
    const right = await api.gql(LOGIN, { u: username, p: "steward-demo" });
    expect(right.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
  });

  it("ends the session on logout", async () => {
    const { auth } = await api.userWithRoles([]);
    expect((await api.gql(`mutation { logout }`, {}, auth)).data).toEqual({ logout: true });
    expect((await api.gql(ME, {}, auth)).data).toEqual({ me: null });
  });

  it("refuses a deactivated user's login and existing session", async () => {
    const admin = await api.userWithRoles(["ADMIN"]);
    const user = await api.userWithRoles([]);
    const res = await api.gql(`mutation($id: ID!) { deactivateUser(id: $id) { status } }`, { id: user.id }, admin.auth);
    expect(res.data).toEqual({ deactivateUser: { status: "DEACTIVATED" } });
    expect((await api.gql(ME, {}, user.auth)).data).toEqual({ me: null });
    const again = await api.gql(LOGIN, { u: user.username, p: "steward-demo" });
    expect(again.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("authenticates API clients with a bearer key limited to the owner's roles", async () => {
    const owner = await api.userWithRoles(["ADMIN", "GOVERNOR"]);
    const created = await api.gql<{ createApiKey: { secret: string; apiKey: { id: string; prefix: string; roles: string[] } } }>(
      `mutation { createApiKey(input: {name: "ci", roles: [GOVERNOR]}) { secret apiKey { id prefix roles } } }`,
      {},
      owner.auth,
    );
    const key = created.data!.createApiKey;
    expect(key.secret.startsWith(`${key.apiKey.prefix}_`)).toBe(true);
    expect(key.apiKey.roles).toEqual(["GOVERNOR"]);

    const me = await api.gql<{ me: { roles: string[]; authMethod: string } }>(ME, {}, { bearer: key.secret });
    expect(me.data?.me).toMatchObject({ roles: ["GOVERNOR"], authMethod: "API_KEY" });
    // The key acts as GOVERNOR only: an admin-only mutation is forbidden.
    const denied = await api.gql(`mutation { createGroup(input: {name: "by-key"}) { id } }`, {}, { bearer: key.secret });
    expect(denied.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    // The secret is never listed again, and a stored hash is all the database holds.
    const list = await api.gql<{ myApiKeys: Record<string, unknown>[] }>(`{ myApiKeys { id prefix name } }`, {}, owner.auth);
    expect(JSON.stringify(list.data)).not.toContain(key.secret);
    const row = await api.testDb.db.apiKey.findUniqueOrThrow({ where: { id: key.apiKey.id } });
    expect(JSON.stringify(row)).not.toContain(key.secret.slice(13));

    await api.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id: key.apiKey.id }, owner.auth);
    const revoked = await api.gql(ME, {}, { bearer: key.secret });
    expect(revoked.status).toBe(401);
    expect(revoked.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("refuses malformed and unknown bearer keys with 401", async () => {
    for (const bearer of ["garbage", `stw_AAAAAAAA_${"x".repeat(43)}`]) {
      const res = await api.gql(ME, {}, { bearer });
      expect(res.status).toBe(401);
      expect(res.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    }
  });

  it("serves health, readiness and Prometheus metrics", async () => {
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${api.url}/readyz`);
    expect(await ready.json()).toEqual({ status: "ready", database: true, redis: true });
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toContain("steward_api_graphql_operations_total");
  });
});
