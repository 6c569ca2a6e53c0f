import { runSync } from "@steward/catalog";
import { signWebhook } from "@steward/webhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../../testing/api-harness";

let api: TestApi;
let admin: Awaited<ReturnType<TestApi["userWithRoles"]>>;
beforeAll(async () => {
  api = await startTestApi();
  admin = await api.userWithRoles(["ADMIN"]);
});
afterAll(() => api.close());

const CREATE = `mutation($n: String!, $c: JSON!, $s: JSON) { createConnection(input: {name: $n, kind: POSTGRES, config: $c, credentials: $s}) {
  inboundSecret warnings firstSync { id status } connection { id hasCredentials config inboundWebhookPath } } }`;

describe("connections and data sources over GraphQL", () => {
  let connectionId = "";
  let secret = "";
  let path = "";

  it("creates a connection without ever returning its credentials", async () => {
    const res = await api.gql<{
      createConnection: {
        inboundSecret: string;
        firstSync: { id: string };
        connection: { id: string; hasCredentials: boolean; config: unknown; inboundWebhookPath: string };
      };
    }>(
      CREATE,
      {
        n: "metadata-db",
        c: { host: "127.0.0.1", port: 5432, user: "postgres", databases: [api.testDb.name] },
        s: { password: "hunter2-secret" },
      },
      admin.auth,
    );
    expect(res.errors).toBeUndefined();
    const created = res.data!.createConnection;
    expect(created.connection.hasCredentials).toBe(true);
    expect(JSON.stringify(res.data)).not.toContain("hunter2-secret");
    const stored = await api.testDb.db.connection.findUniqueOrThrow({ where: { id: created.connection.id } });
    expect(JSON.stringify(stored)).not.toContain("hunter2-secret");
    connectionId = created.connection.id;
    secret = created.inboundSecret;
    path = created.connection.inboundWebhookPath;
    await runSync(api.deps, created.firstSync.id);
  });

  it("reports a failed connection test with a typed error", async () => {
    const res = await api.gql(CREATE, { n: "nowhere", c: { host: "127.0.0.1", port: 1, user: "postgres", databases: ["x"] } }, admin.auth);
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(res.errors?.[0]?.message).toMatch(/Cannot reach PostgreSQL/);
    const bad = await api.gql(CREATE, { n: "bad-config", c: { host: "h; rm -rf /", databases: [] } }, admin.auth);
    expect(bad.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("browses the catalog lazily and registers a schema", async () => {
    const top = await api.gql<{ catalog: { nodes: { id: string; kind: string; name: string; hasChildren: boolean }[] } }>(
      `query($c: ID!) { catalog(connectionId: $c) { nodes { id kind name hasChildren } } }`,
      { c: connectionId },
      admin.auth,
    );
    const db = top.data!.catalog.nodes[0]!;
    expect(db).toMatchObject({ kind: "DATABASE", name: api.testDb.name, hasChildren: true });
    const schemas = await api.gql<{ catalog: { nodes: { id: string; name: string }[] } }>(
      `query($c: ID!, $p: ID) { catalog(connectionId: $c, parentId: $p) { nodes { id name } } }`,
      { c: connectionId, p: db.id },
      admin.auth,
    );
    const pub = schemas.data!.catalog.nodes.find((n) => n.name === "public")!;
    const reg = await api.gql<{ registerDataSources: { registeredCount: number } }>(
      `mutation($c: ID!, $s: ID!) { registerDataSources(input: {connectionId: $c, containerIds: [$s]}) { registeredCount } }`,
      { c: connectionId, s: pub.id },
      admin.auth,
    );
    expect(reg.data!.registerDataSources.registeredCount).toBeGreaterThan(10);
  });

  it("tags a column and finds the source by tag ancestry", async () => {
    const found = await api.gql<{ dataSources: { nodes: { id: string; name: string }[] } }>(
      `{ dataSources(filter: {search: ".User"}) { nodes { id name } } }`,
      {},
      admin.auth,
    );
    const user = found.data!.dataSources.nodes.find((n) => n.name.endsWith(".public.User"))!;
    const tagged = await api.gql(
      `mutation($id: ID!) { tagColumn(dataSourceId: $id, column: "email", tag: "PII.Email") { id } }`,
      { id: user.id },
      admin.auth,
    );
    expect(tagged.errors).toBeUndefined();
    const byTag = await api.gql<{
      dataSources: { totalCount: number; nodes: { name: string; columns: { name: string; tags: { name: string }[] }[] }[] };
    }>(`{ dataSources(filter: {tag: "PII"}) { totalCount nodes { name columns { name tags { name } } } } }`, {}, admin.auth);
    expect(byTag.data!.dataSources.totalCount).toBe(1);
    expect(byTag.data!.dataSources.nodes[0]!.columns.find((c) => c.name === "email")!.tags).toEqual([{ name: "PII.Email" }]);
    const badTag = await api.gql(
      `mutation($id: ID!) { tagDataSource(dataSourceId: $id, tag: "bad tag;drop") { id } }`,
      { id: user.id },
      admin.auth,
    );
    expect(badTag.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("starts a sync from a signed inbound webhook and refuses a bad signature", async () => {
    const body = JSON.stringify({ event: "table_created" });
    const bad = await fetch(`${api.url}${path}`, {
      method: "POST",
      headers: { "steward-signature": signWebhook("nope", Math.floor(Date.now() / 1000), body) },
      body,
    });
    expect(bad.status).toBe(401);
    const good = await fetch(`${api.url}${path}`, {
      method: "POST",
      headers: { "steward-signature": signWebhook(secret, Math.floor(Date.now() / 1000), body), "content-type": "application/json" },
      body,
    });
    expect(good.status).toBe(202);
    const { syncRunId } = (await good.json()) as { syncRunId: string };
    const run = await api.testDb.db.syncRun.findUniqueOrThrow({ where: { id: syncRunId } });
    expect(run).toMatchObject({ trigger: "WEBHOOK", status: "QUEUED" });
  });

  it("registers every object of the whole connection that is not registered yet", async () => {
    await api.testDb.db.$executeRawUnsafe(`CREATE SCHEMA whole_conn; CREATE TABLE whole_conn.a (id int); CREATE TABLE whole_conn.b (id int)`);
    const queued = await api.testDb.db.syncRun.findFirstOrThrow({ where: { connectionId, status: "QUEUED" } });
    await runSync(api.deps, queued.id);
    const unregistered = await api.testDb.db.catalogNode.count({ where: { connectionId, kind: "OBJECT", present: true, dataSource: null } });
    expect(unregistered).toBeGreaterThanOrEqual(2);
    const reg = await api.gql<{ registerDataSources: { registeredCount: number } }>(
      `mutation($c: ID!) { registerDataSources(input: {connectionId: $c, wholeConnection: true}) { registeredCount } }`,
      { c: connectionId },
      admin.auth,
    );
    expect(reg.errors).toBeUndefined();
    expect(reg.data!.registerDataSources.registeredCount).toBe(unregistered);
    expect(await api.testDb.db.catalogNode.count({ where: { connectionId, kind: "OBJECT", present: true, dataSource: null } })).toBe(0);
  });
});
