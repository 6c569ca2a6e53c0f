import { randomBytes } from "node:crypto";
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

describe("abuse does not crash or overload the API", () => {
  it("counts introspection in the complexity limit, also for anonymous callers", async () => {
    const one = await api.gql(`{ __schema { queryType { name } } }`);
    expect(one.errors).toBeUndefined();
    const aliases = Array.from({ length: 1000 }, (_, i) => `s${i}: __schema { types { name fields { name } } }`).join(" ");
    const started = performance.now();
    const res = await fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ ${aliases} }` }),
    });
    const text = await res.text();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(text.length).toBeLessThan(10_000);
    const body = JSON.parse(text) as { data?: unknown; errors: { message: string; extensions: { code: string } }[] };
    expect(body.data).toBeUndefined();
    expect(body.errors[0]?.extensions.code).toBe("BAD_USER_INPUT");
    // A smaller document passes the token limit, and the complexity limit prices its copies of the schema.
    const fewer = Array.from({ length: 100 }, (_, i) => `s${i}: __schema { types { name } }`).join(" ");
    const priced = await api.gql(`{ ${fewer} }`);
    expect(priced.data).toBeNull();
    expect(priced.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(priced.errors?.[0]?.message).toMatch(/too complex/);
  });

  it("answers a fragment cycle with a typed 400, not a crash", async () => {
    const res = await api.gql(`query { me { ...A } } fragment A on Viewer { user { id } ...B } fragment B on Viewer { ...A }`);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(res.errors?.[0]?.message).toMatch(/cannot spread fragment/i);
  });

  it("refuses NUL bytes in string input, in variables and in the document", async () => {
    const create = `mutation($n: String!) { createGroup(input: {name: $n}) { id } }`;
    const viaVariable = await api.gql(create, { n: "bad\u0000name" }, admin.auth);
    expect(viaVariable.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const nested = await api.gql(
      `mutation($i: CreateGroupInput!) { createGroup(input: $i) { id } }`,
      { i: { name: "x", description: "\u0000" } },
      admin.auth,
    );
    expect(nested.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const inline = await api.gql(`mutation { createGroup(input: {name: "bad\\u0000name"}) { id } }`, {}, admin.auth);
    expect(inline.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const login = await api.gql(`mutation($u: String!) { login(input: {username: $u, password: "x"}) { roles } }`, { u: "a\u0000" });
    expect(login.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("answers a wrong persisted-query hash with a typed error", async () => {
    const res = await fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ ping }", extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } }),
    });
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe("BAD_USER_INPUT");
    const unknown = await fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: "1".repeat(64) } } }),
    });
    expect(((await unknown.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe("BAD_USER_INPUT");
  });

  it("gives 20 parallel setUserAttribute calls on one key a clean result", async () => {
    const target = await api.userWithRoles([]);
    const set = `mutation($u: ID!, $v: [String!]!) { setUserAttribute(input: {userId: $u, key: "region", values: $v}) { id } }`;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => api.gql(set, { u: target.id, v: [`r${i % 3}`] }, admin.auth)));
    const codes = results.map((r) => r.errors?.[0]?.extensions?.code ?? "OK");
    expect(codes.filter((c) => c !== "OK" && c !== "CONFLICT")).toEqual([]);
    const rows = await api.testDb.db.userAttribute.findMany({ where: { userId: target.id, key: "region" } });
    expect(rows).toHaveLength(1);
  });

  it("keeps one pending request when one user asks for one source ten times at once", async () => {
    const db = api.testDb.db;
    const tag = randomBytes(4).toString("hex");
    const connection = await db.connection.create({
      data: { name: `limits-${tag}`, kind: "POSTGRES", config: {}, inboundSecretCiphertext: "unused" },
    });
    const node = await db.catalogNode.create({
      data: { connectionId: connection.id, kind: "OBJECT", name: "t", pathKey: `db/public/t-${tag}`, objectType: "TABLE" },
    });
    const source = await db.dataSource.create({
      data: { connectionId: connection.id, catalogNodeId: node.id, name: `db.public.t_${tag}`, objectType: "TABLE" },
    });
    const consumer = await api.userWithRoles([]);
    const ask = `mutation($d: ID!) { requestAccess(input: {dataSourceId: $d, reason: "need it for the report"}) { id } }`;
    const results = await Promise.all(Array.from({ length: 10 }, () => api.gql(ask, { d: source.id }, consumer.auth)));
    const codes = results.map((r) => r.errors?.[0]?.extensions?.code ?? "OK");
    expect(codes.filter((c) => c === "OK")).toHaveLength(1);
    expect(codes.filter((c) => c !== "OK" && c !== "CONFLICT")).toEqual([]);
    const pending = await db.accessRequest.count({ where: { userId: consumer.id, dataSourceId: source.id, status: "PENDING" } });
    expect(pending).toBe(1);
  });
});
