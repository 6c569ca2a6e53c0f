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
      `query($s: [ID!]!) { planPolicyChange(input: {name: "everyone reads groups", accessType: READ, definition: {restriction: {anyone: true}, scope: {sources: $s}}}) {
        gainedCount changes { user { username } after } connectionPlans { statements error } } }`,
      { s: [sourceId] },
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
      `mutation($s: ScopeInput!, $u: [ID!]!) { createPolicy(input: {name: "governors read groups", accessType: READ, definition: {restriction: {users: $u}, scope: $s}}) { policy { id version } } }`,
      { s: { sources: [sourceId] }, u: [governor.id] },
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

const CREATE = `mutation($n: String!, $d: PolicyDefinitionInput!) {
  createPolicy(input: {name: $n, accessType: READ, definition: $d}) { policy { id } warnings { code path } } }`;

const DEFINITION_FIELDS = `
  restriction {
    __typename
    ... on UsersRestriction { userIds }
    ... on ConditionsRestriction {
      depth
      condition {
        __typename
        ... on AndCondition { conditions { __typename ... on GroupCondition { group } ... on AttributeCondition { key match values }
          ... on OrCondition { conditions { __typename ... on GroupCondition { group } } } } }
      }
    }
  }
  scope { __typename ... on SourcesScope { sourceIds } ... on SchemaScope { connectionId database schema } }`;

describe("typed policy definitions", () => {
  it("saves a typed condition tree and reads it back through the output unions, history included", async () => {
    const group = await api.testDb.db.group.create({ data: { name: `analysts-${Date.now()}` } });
    const definition = {
      restriction: {
        conditions: {
          and: [{ attribute: { key: "region", match: "anyOf", values: ["EU"] } }, { or: [{ group: group.id }] }],
        },
      },
      scope: { schema: { connectionId, schema: "public" } },
    };
    const created = await api.gql<{ createPolicy: { policy: { id: string } } }>(CREATE, { n: "typed tree", d: definition }, governor.auth);
    expect(created.errors).toBeUndefined();
    const id = created.data!.createPolicy.policy.id;
    // Stored in the engine's format, as before.
    const row = await api.testDb.db.subscriptionPolicy.findUniqueOrThrow({ where: { id } });
    expect(row.definition).toEqual({
      restriction: {
        kind: "conditions",
        condition: {
          kind: "and",
          conditions: [
            { kind: "attribute", key: "region", match: "anyOf", values: ["EU"] },
            { kind: "or", conditions: [{ kind: "group", group: group.id }] },
          ],
        },
      },
      scope: { kind: "schema", connectionId, schema: "public" },
    });
    const read = await api.gql<{ policy: Record<string, unknown> & { versions: Record<string, unknown>[] } }>(
      `query($id: ID!) { policy(id: $id) { ${DEFINITION_FIELDS} versions { ${DEFINITION_FIELDS} } } }`,
      { id },
      governor.auth,
    );
    expect(read.errors).toBeUndefined();
    const expected = {
      restriction: {
        __typename: "ConditionsRestriction",
        depth: 3,
        condition: {
          __typename: "AndCondition",
          conditions: [
            { __typename: "AttributeCondition", key: "region", match: "anyOf", values: ["EU"] },
            { __typename: "OrCondition", conditions: [{ __typename: "GroupCondition", group: group.id }] },
          ],
        },
      },
      scope: { __typename: "SchemaScope", connectionId, database: null, schema: "public" },
    };
    expect(read.data!.policy).toMatchObject(expected);
    expect(read.data!.policy.versions[0]).toEqual(expected);
  });

  it("refuses two members of a one-of input with a typed error, in variables and in literals", async () => {
    const both = await api.gql(
      CREATE,
      { n: "two members", d: { restriction: { anyone: true, users: [governor.id] }, scope: { sources: [sourceId] } } },
      governor.auth,
    );
    expect(both.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(both.errors?.[0]?.message).toMatch(/exactly one key/i);
    const literal = await api.gql(
      `mutation { createPolicy(input: {name: "lit", accessType: READ, definition: {restriction: {anyone: true, anyoneWhoAsks: true}, scope: {tag: "PII"}}}) { policy { id } } }`,
      {},
      governor.auth,
    );
    expect(literal.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const none = await api.gql(CREATE, { n: "no member", d: { restriction: {}, scope: { sources: [sourceId] } } }, governor.auth);
    expect(none.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const flagOff = await api.gql(
      CREATE,
      { n: "flag off", d: { restriction: { anyone: false }, scope: { sources: [sourceId] } } },
      governor.auth,
    );
    expect(flagOff.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      fields: [{ path: "input.definition.restriction.anyone", message: "must be true" }],
    });
    expect(await api.testDb.db.subscriptionPolicy.count({ where: { name: { in: ["two members", "lit", "no member", "flag off"] } } })).toBe(
      0,
    );
  });

  it("points validation errors at the typed field", async () => {
    const res = await api.gql(
      CREATE,
      {
        n: "bad fields",
        d: {
          restriction: { conditions: { and: [{ group: "g" }, { attribute: { key: "1region", match: "allOf", values: [] } }] } },
          scope: { schema: { connectionId, schema: " " } },
        },
      },
      governor.auth,
    );
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const paths = ((res.errors?.[0]?.extensions?.fields ?? []) as { path: string }[]).map((f) => f.path).sort();
    expect(paths).toEqual([
      "input.definition.restriction.conditions.and[1].attribute.key",
      "input.definition.restriction.conditions.and[1].attribute.values",
      "input.definition.scope.schema.schema",
    ]);
    // Semantic checks (here: no such data source) point at the typed field too, as do warnings.
    const unknownSource = await api.gql(
      CREATE,
      { n: "nothing in scope", d: { restriction: { anyone: true }, scope: { sources: ["00000000-0000-4000-8000-000000000000"] } } },
      governor.auth,
    );
    expect(unknownSource.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      fields: [{ path: "input.definition.scope.sources" }],
    });
    const warned = await api.gql<{ createPolicy: { warnings: { code: string; path: string }[] } }>(
      CREATE,
      {
        n: "unknown key",
        d: {
          restriction: { conditions: { attribute: { key: "nosuchkey", match: "anyOf", values: ["x"] } } },
          scope: { sources: [sourceId] },
        },
      },
      governor.auth,
    );
    expect(warned.data!.createPolicy.warnings).toContainEqual({
      code: "UNKNOWN_ATTRIBUTE_KEY",
      path: "input.definition.restriction.conditions",
    });
    // Groups are referenced by id: a group's name matches nobody, and the governor is told where.
    const byName = await api.gql<{ createPolicy: { warnings: { code: string; path: string }[] } }>(
      CREATE,
      {
        n: "group by name",
        d: { restriction: { conditions: { or: [{ group: "finance" }] } }, scope: { sources: [sourceId] } },
      },
      governor.auth,
    );
    expect(byName.data!.createPolicy.warnings).toContainEqual({
      code: "UNKNOWN_GROUP",
      path: "input.definition.restriction.conditions.or[0]",
    });
  });
});

describe("platform accounts in explanations and access state", () => {
  it("says the platform grants nothing when a user's account is shared with another user, and exposes the setting", async () => {
    // Policies on one source combine with ALL by default: retire the earlier tests' schema-wide ones.
    await api.testDb.db.subscriptionPolicy.updateMany({ where: { deletedAt: null }, data: { deletedAt: new Date() } });
    const ownSourceId = (await api.testDb.db.dataSource.findFirstOrThrow({ where: { connectionId, name: { endsWith: ".public.ApiKey" } } }))
      .id;
    const policy = await api.gql(
      `mutation($s: [ID!]!, $u: [ID!]!) { createPolicy(input: {name: "governor reads groups again", accessType: READ, definition: {restriction: {users: $u}, scope: {sources: $s}}}) { policy { id } } }`,
      { s: [ownSourceId], u: [governor.id] },
      governor.auth,
    );
    expect(policy.errors).toBeUndefined();
    const EXPLAIN = `query($u: ID!, $d: ID!) { explainAccess(userId: $u, dataSourceId: $d) { level platformLevel platform { accountName problem } } }`;
    const fine = await api.gql<{ explainAccess: unknown }>(EXPLAIN, { u: governor.id, d: ownSourceId }, governor.auth);
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
      { u: governor.id, d: ownSourceId },
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
