/**
 * The query audit and decision tokens through the real API: who reads which records, filters and
 * paging over GraphQL, the generated platform files (never with the real token outside the one
 * response that issues it), and nested users revealing no more than the top-level `user` query.
 */
import { randomBytes } from "node:crypto";
import { sha256Hex } from "@steward/core";
import { adapterFor } from "@steward/integrations";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../../testing/api-harness";
import { TOKEN_PLACEHOLDER } from "./client-files";

let api: TestApi;
type Who = Awaited<ReturnType<TestApi["userWithRoles"]>>;
let admin: Who;
let governor: Who;
let owner: Who;
let consumer: Who;
const conn = { trino: "", other: "", postgres: "" };
const BASE_URL = "https://decisions.example.test:4443";
const run = randomBytes(3).toString("hex");

const RECORDS_QUERY = `query($f: DecisionRecordsFilter, $first: Int, $after: String) {
  decisionRecords(filter: $f, first: $first, after: $after) {
    nodes { id at resource allowed reason user userId operation snapshotVersion policyIds queryId connection { id name } }
    pageInfo { hasNextPage endCursor }
  }
}`;
type Records = {
  decisionRecords: {
    nodes: { resource: string; reason: string; connection: { id: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
};

beforeAll(async () => {
  api = await startTestApi();
  api.deps.decisionsPublicUrl = BASE_URL;
  admin = await api.userWithRoles(["ADMIN"]);
  governor = await api.userWithRoles(["GOVERNOR"]);
  owner = await api.userWithRoles(["DATA_OWNER"]);
  consumer = await api.userWithRoles([]);
  const db = api.testDb.db;
  // Written straight to the database: creating a Trino connection through the API tests a live cluster.
  const make = (name: string, kind: "TRINO" | "POSTGRES") =>
    db.connection.create({ data: { name: `${name}-${run}`, kind, config: {}, inboundSecretCiphertext: "x" } }).then((c) => c.id);
  conn.trino = await make("trino", "TRINO");
  conn.other = await make("trino-other", "TRINO");
  conn.postgres = await make("pg", "POSTGRES");
  await db.connectionDataOwner.create({ data: { connectionId: conn.trino, userId: owner.id } });
  const at = (m: number) => new Date(Date.UTC(2026, 10, 30, 12, m));
  await db.decisionRecord.createMany({
    data: [
      {
        at: at(1),
        connectionId: conn.trino,
        snapshotVersion: 3,
        user: consumer.username,
        userId: consumer.id,
        operation: "SelectFromColumns",
        resource: "pg.hr.salaries(amount)",
        allowed: false,
        reason: "no policy grants READ on hr.salaries; missing group payroll",
        policyIds: [],
        queryId: "q1",
      },
      {
        at: at(2),
        connectionId: conn.trino,
        snapshotVersion: 3,
        user: consumer.username,
        userId: consumer.id,
        operation: "SelectFromColumns",
        resource: "pg.hr.employees(id)",
        allowed: true,
        reason: "policy HR readers grants READ",
        policyIds: [],
        queryId: "q2",
      },
      {
        at: at(3),
        connectionId: conn.other,
        snapshotVersion: 1,
        user: "mallory",
        userId: null,
        operation: "ExecuteQuery",
        resource: "100% done",
        allowed: true,
        reason: "everyone may execute queries",
        policyIds: [],
        queryId: null,
      },
    ],
  });
}, 60_000);
afterAll(() => api?.close());

describe("decisionRecords", () => {
  it("gives admins and governors every record, newest first, with its connection", async () => {
    for (const who of [admin, governor]) {
      const res = await api.gql<Records>(RECORDS_QUERY, {}, who.auth);
      expect(res.errors).toBeUndefined();
      expect(res.data!.decisionRecords.nodes.map((n) => n.resource)).toEqual([
        "100% done",
        "pg.hr.employees(id)",
        "pg.hr.salaries(amount)",
      ]);
      expect(res.data!.decisionRecords.nodes[0]!.connection.id).toBe(conn.other);
    }
  });

  it("filters by user and result and explains a denial", async () => {
    const res = await api.gql<Records>(RECORDS_QUERY, { f: { user: consumer.username, allowed: false } }, admin.auth);
    expect(res.data!.decisionRecords.nodes).toEqual([
      expect.objectContaining({ resource: "pg.hr.salaries(amount)", reason: expect.stringContaining("missing group payroll") }),
    ]);
  });

  it("pages with cursors and searches with LIKE wildcards as plain text", async () => {
    const first = await api.gql<Records>(RECORDS_QUERY, { first: 2 }, admin.auth);
    expect(first.data!.decisionRecords.pageInfo.hasNextPage).toBe(true);
    const second = await api.gql<Records>(RECORDS_QUERY, { first: 2, after: first.data!.decisionRecords.pageInfo.endCursor }, admin.auth);
    expect(second.data!.decisionRecords.nodes.map((n) => n.resource)).toEqual(["pg.hr.salaries(amount)"]);
    expect(second.data!.decisionRecords.pageInfo.hasNextPage).toBe(false);
    const search = await api.gql<Records>(RECORDS_QUERY, { f: { text: "0%" } }, admin.auth);
    expect(search.data!.decisionRecords.nodes.map((n) => n.resource)).toEqual(["100% done"]);
  });

  it("lets a data owner read only their connections' records", async () => {
    const mine = await api.gql<Records>(RECORDS_QUERY, {}, owner.auth);
    expect(mine.data!.decisionRecords.nodes.map((n) => n.connection.id)).toEqual([conn.trino, conn.trino]);
    const theirs = await api.gql<Records>(RECORDS_QUERY, { f: { connectionId: conn.other } }, owner.auth);
    expect(theirs.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("refuses consumers and anonymous callers, and bad filters with typed errors", async () => {
    expect((await api.gql(RECORDS_QUERY, {}, consumer.auth)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await api.gql(RECORDS_QUERY, {})).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    for (const f of [{ text: "a\u0000b" }, { connectionId: "'; DROP TABLE x; --" }, { user: "u".repeat(300) }]) {
      expect((await api.gql(RECORDS_QUERY, { f }, admin.auth)).errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
    expect((await api.gql(RECORDS_QUERY, { after: "bogus" }, admin.auth)).errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("reveals no more of a nested Steward user than the top-level user query", async () => {
    const nested = await api.gql<{ decisionRecords: { nodes: { stewardUser: { username: string } | null }[] } }>(
      `query { decisionRecords(first: 1, filter: {allowed: false}) { nodes { stewardUser { username email } } } }`,
      {},
      owner.auth,
    );
    const top = await api.gql(`query($id: ID!) { user(id: $id) { username email } }`, { id: consumer.id }, owner.auth);
    expect(top.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(nested.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((nested.errors?.[0] as { path?: unknown } | undefined)?.path).toEqual(["decisionRecords", "nodes", 0, "stewardUser", "email"]);
    const asAdmin = await api.gql<{ decisionRecords: { nodes: { stewardUser: { email: string } }[] } }>(
      `query { decisionRecords(first: 1, filter: {allowed: false}) { nodes { stewardUser { email } } } }`,
      {},
      admin.auth,
    );
    expect(asAdmin.data!.decisionRecords.nodes[0]!.stewardUser.email).toBe(`${consumer.username}@example.com`);
  });
});

const CLIENT_QUERY = `query($id: ID!) { connection(id: $id) { decisionClient { files { fileName content } tokenIssuedAt } } }`;
type Client = { connection: { decisionClient: { files: { fileName: string; content: string }[]; tokenIssuedAt: string | null } | null } };
const trinoFiles = (connectionId: string, token: string) =>
  adapterFor("TRINO").decisions!.clientConfig({ baseUrl: BASE_URL, connectionId, token });

describe("decision client config and tokens", () => {
  it("shows the adapter's files with a placeholder token, and nothing for kinds without decisions", async () => {
    const res = await api.gql<Client>(CLIENT_QUERY, { id: conn.other }, admin.auth);
    expect(res.errors).toBeUndefined();
    expect(res.data!.connection.decisionClient).toEqual({ files: trinoFiles(conn.other, TOKEN_PLACEHOLDER), tokenIssuedAt: null });
    const pg = await api.gql<Client>(CLIENT_QUERY, { id: conn.postgres }, admin.auth);
    expect(pg.data!.connection.decisionClient).toBeNull();
  });

  it("issues a token once, with the files filled in, and never shows it again", async () => {
    const res = await api.gql<{
      issueDecisionToken: { token: string; files: { fileName: string; content: string }[]; connection: { id: string } };
    }>(
      `mutation($id: ID!) { issueDecisionToken(connectionId: $id) { token files { fileName content } connection { id } } }`,
      { id: conn.trino },
      admin.auth,
    );
    expect(res.errors).toBeUndefined();
    const issued = res.data!.issueDecisionToken;
    expect(issued.connection.id).toBe(conn.trino);
    expect(issued.files).toEqual(trinoFiles(conn.trino, issued.token));
    const row = await api.testDb.db.connection.findUniqueOrThrow({ where: { id: conn.trino } });
    expect(row.decisionTokenHash).toBe(sha256Hex(issued.token));

    const after = await api.gql<Client>(CLIENT_QUERY, { id: conn.trino }, owner.auth);
    expect(after.data!.connection.decisionClient!.tokenIssuedAt).toBe(row.decisionTokenIssuedAt!.toISOString());
    expect(after.data!.connection.decisionClient!.files).toEqual(trinoFiles(conn.trino, TOKEN_PLACEHOLDER));
    expect(JSON.stringify(after.data)).not.toContain(issued.token);
  });

  it("refuses tokens for other roles and for kinds without decisions", async () => {
    const issue = `mutation($id: ID!) { issueDecisionToken(connectionId: $id) { token } }`;
    for (const who of [governor, owner, consumer]) {
      expect((await api.gql(issue, { id: conn.trino }, who.auth)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
    expect((await api.gql(issue, { id: conn.postgres }, admin.auth)).errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("keeps the config from callers who may not see the connection", async () => {
    // Not assigned to it: the connection is invisible, as for the top-level query.
    const res = await api.gql<Client>(CLIENT_QUERY, { id: conn.other }, owner.auth);
    expect(res.errors).toBeUndefined();
    expect(res.data!.connection).toBeNull();
  });
});
