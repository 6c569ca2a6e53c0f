import { runSync } from "@steward/catalog";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../../testing/api-harness";

let api: TestApi;
let admin: Awaited<ReturnType<TestApi["userWithRoles"]>>;
let governor: Awaited<ReturnType<TestApi["userWithRoles"]>>;
let connectionId = "";
let sourceId = "";

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.userWithRoles(["ADMIN"]);
  governor = await api.userWithRoles(["GOVERNOR"]);
  const created = await api.gql<{ createConnection: { connection: { id: string }; firstSync: { id: string } } }>(
    `mutation($c: JSON!) { createConnection(input: {name: "meta", kind: POSTGRES, config: $c, autoRegister: true}) { connection { id } firstSync { id } } }`,
    { c: { host: "127.0.0.1", port: 5432, user: "postgres", databases: [api.testDb.name] } },
    admin.auth,
  );
  connectionId = created.data!.createConnection.connection.id;
  await runSync(api.deps, created.data!.createConnection.firstSync.id);
  sourceId = (await api.testDb.db.dataSource.findFirstOrThrow({ where: { connectionId, name: { endsWith: ".public.Group" } } })).id;
});
afterAll(() => api.close());

describe("policy planning and explanation over GraphQL", () => {
  it("previews who gains access and the exact statements, without applying anything", async () => {
    const res = await api.gql<{
      planPolicyChange: {
        gainedCount: number;
        changes: { user: { username: string }; after: string }[];
        connectionPlans: { statements: string[]; error: string | null }[];
      };
    }>(
      `query($s: JSON!) { planPolicyChange(input: {name: "everyone reads groups", accessType: READ, restriction: {kind: "anyone"}, scope: $s}) {
        gainedCount changes { user { username } after } connectionPlans { statements error } } }`,
      { s: { kind: "sources", sourceIds: [sourceId] } },
      governor.auth,
    );
    expect(res.errors).toBeUndefined();
    const plan = res.data!.planPolicyChange;
    expect(plan.gainedCount).toBe(2); // the two active users of this test database
    expect(plan.changes.every((c) => c.after === "READ")).toBe(true);
    expect(plan.connectionPlans[0]!.error).toBeNull();
    const sql = plan.connectionPlans[0]!.statements.join("\n");
    expect(sql).toMatch(/GRANT SELECT ON TABLE "public"\."Group"/);
    // A dry run changes nothing: no policy, no outbox event.
    expect(await api.testDb.db.subscriptionPolicy.count()).toBe(0);
    expect(await api.testDb.db.outboxEvent.count({ where: { type: "policy.changed" } })).toBe(0);
  });

  it("lets any signed-in user find active sources to request, without opening the catalog", async () => {
    const plain = await api.userWithRoles([]);
    const res = await api.gql<{ requestableDataSources: { id: string; name: string; connectionName: string }[] }>(
      `{ requestableDataSources(search: ".public.group") { id name connectionName } }`,
      {},
      plain.auth,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.requestableDataSources.map((s) => s.id)).toContain(sourceId);
    expect(res.data!.requestableDataSources[0]!.connectionName).toBe("meta");
    const anonymous = await api.gql(`{ requestableDataSources { id } }`, {});
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("saves a policy with history and explains a user's access", async () => {
    const created = await api.gql<{ createPolicy: { policy: { id: string; version: number } } }>(
      `mutation($s: JSON!, $u: [String!]!) { createPolicy(input: {name: "governors read groups", accessType: READ, restriction: {kind: "users", userIds: $u}, scope: $s}) { policy { id version } } }`,
      { s: { kind: "sources", sourceIds: [sourceId] }, u: [governor.id] },
      governor.auth,
    );
    expect(created.errors).toBeUndefined();
    const explained = await api.gql<{ explainAccess: { level: string; details: unknown } }>(
      `query($u: ID!, $d: ID!) { explainAccess(userId: $u, dataSourceId: $d) { level details } }`,
      { u: admin.id, d: sourceId },
      governor.auth,
    );
    expect(explained.data!.explainAccess.level).toBe("NONE");
    expect(JSON.stringify(explained.data!.explainAccess.details)).toContain("governors read groups");
    const history = await api.gql<{ policy: { versions: { version: number; change: string; changedBy: { username: string } }[] } }>(
      `query($id: ID!) { policy(id: $id) { versions { version change changedBy { username } } } }`,
      { id: created.data!.createPolicy.policy.id },
      governor.auth,
    );
    expect(history.data!.policy.versions).toEqual([{ version: 1, change: "CREATED", changedBy: { username: governor.username } }]);
    const state = await api.gql<{ connection: { accessState: unknown; reconcileRuns: unknown[] } }>(
      `query($id: ID!) { connection(id: $id) { accessState { desiredVersion inSync } reconcileRuns { status } } }`,
      { id: connectionId },
      governor.auth,
    );
    expect(state.errors).toBeUndefined();
  });
});

describe("platform accounts in explanations and access state", () => {
  it("says the platform grants nothing when a user's account is shared with another user, and exposes the setting", async () => {
    const policy = await api.gql(
      `mutation($s: JSON!, $u: [String!]!) { createPolicy(input: {name: "governor reads groups again", accessType: READ, restriction: {kind: "users", userIds: $u}, scope: $s}) { policy { id } } }`,
      { s: { kind: "sources", sourceIds: [sourceId] }, u: [governor.id] },
      governor.auth,
    );
    expect(policy.errors).toBeUndefined();
    const EXPLAIN = `query($u: ID!, $d: ID!) { explainAccess(userId: $u, dataSourceId: $d) { level platformLevel platform { accountName problem } } }`;
    const fine = await api.gql<{ explainAccess: unknown }>(EXPLAIN, { u: governor.id, d: sourceId }, governor.auth);
    expect(fine.data?.explainAccess).toEqual({
      level: "READ",
      platformLevel: "READ",
      platform: { accountName: governor.username, problem: null },
    });
    // Data older than the write-time check: another user explicitly mapped to the governor's username.
    const twin = await api.userWithRoles([]);
    await api.testDb.db.platformAccount.create({ data: { userId: twin.id, platform: "POSTGRES", accountName: governor.username } });
    const shared = await api.gql<{ explainAccess: { platform: { problem: string } } }>(
      EXPLAIN,
      { u: governor.id, d: sourceId },
      governor.auth,
    );
    expect(shared.data?.explainAccess).toMatchObject({
      level: "READ",
      platformLevel: "NONE",
      platform: { accountName: governor.username },
    });
    expect(shared.data!.explainAccess.platform.problem).toContain(twin.username);

    const set = await api.gql<{ setUnmanagedGrants: { accessState: { unmanagedGrants: string; accountProblems: unknown[] } } }>(
      `mutation($id: ID!) { setUnmanagedGrants(connectionId: $id, mode: REVOKE) { accessState { unmanagedGrants accountProblems { username problem } } } }`,
      { id: connectionId },
      governor.auth,
    );
    expect(set.errors).toBeUndefined();
    expect(set.data!.setUnmanagedGrants.accessState).toEqual({ unmanagedGrants: "REVOKE", accountProblems: [] });
    const runs = await api.gql(
      `query($id: ID!) { connection(id: $id) { reconcileRuns { accountProblems { username } } } }`,
      { id: connectionId },
      governor.auth,
    );
    expect(runs.errors).toBeUndefined();
  });
});

describe("what a requester can see", () => {
  it("does not reveal connection details through a requested data source", async () => {
    const consumer = await api.userWithRoles([]);
    const req = await api.gql(
      `mutation($d: ID!) { requestAccess(input: {dataSourceId: $d, reason: "quarterly report"}) { id } }`,
      { d: sourceId },
      consumer.auth,
    );
    expect(req.errors).toBeUndefined();
    const names = await api.gql<{ myAccessRequests: { dataSource: { name: string } }[] }>(
      `{ myAccessRequests { dataSource { name } } }`,
      {},
      consumer.auth,
    );
    expect(names.data!.myAccessRequests[0]!.dataSource.name).toMatch(/\.public\.Group$/);
    const leak = await api.gql(`{ myAccessRequests { dataSource { connection { config dataOwners { username } } } } }`, {}, consumer.auth);
    expect(leak.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(JSON.stringify(leak.data ?? {})).not.toContain("127.0.0.1");
  });
});
