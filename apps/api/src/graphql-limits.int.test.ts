import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "./testing/api-harness";

let api: TestApi;
let admin: Awaited<ReturnType<TestApi["userWithRoles"]>>;
beforeAll(async () => {
  api = await startTestApi();
  admin = await api.userWithRoles(["ADMIN"]);
});
afterAll(() => api.close());

describe("bad GraphQL requests", () => {
  it("answers malformed documents with BAD_USER_INPUT", async () => {
    const res = await api.gql(`{ users { `, {}, admin.auth);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "GRAPHQL_PARSE_FAILED" });
  });

  it("answers unknown fields with BAD_USER_INPUT", async () => {
    const res = await api.gql(`{ users { nodes { passwordHash } } }`, {}, admin.auth);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "GRAPHQL_VALIDATION_FAILED" });
  });

  it("answers wrongly typed variables with BAD_USER_INPUT", async () => {
    const res = await api.gql(`query($n: Int) { users(first: $n) { totalCount } }`, { n: "many" }, admin.auth);
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("refuses queries deeper than the limit", async () => {
    let selection = "username";
    for (let i = 0; i < 8; i++) selection = `groups { members { nodes { ${selection} } } }`;
    const res = await api.gql(`{ users { nodes { ${selection} } } }`, {}, admin.auth);
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(res.errors?.[0]?.message).toMatch(/depth/i);
  });

  it("refuses queries that are too expensive", async () => {
    const res = await api.gql(
      `{ users(first: 200) { nodes { groups { members(first: 200) { nodes { username email } } } } } }`,
      {},
      admin.auth,
    );
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(res.errors?.[0]?.message).toMatch(/too complex/);
  });

  it("refuses oversized request bodies", async () => {
    const res = await fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: admin.auth.cookie! },
      body: JSON.stringify({ query: "{ ping }", variables: { pad: "x".repeat(2_000_000) } }),
    });
    expect(res.status).toBe(413);
  });

  it("requires authentication for everything but ping, me and login", async () => {
    expect((await api.gql(`{ ping }`)).data).toEqual({ ping: "pong" });
    expect((await api.gql(`{ me { roles } }`)).data).toEqual({ me: null });
    const res = await api.gql(`{ users { totalCount } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});
