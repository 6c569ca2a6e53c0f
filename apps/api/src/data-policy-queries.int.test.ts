/**
 * The data policy read paths through GraphQL, one direct call per authorisation rule: plans are
 * for governors; previews and explanations for governors/admins (anyone), a user (themselves) and an
 * owner of the source (anyone on it); previewing an unsaved definition is for governors. Rows come
 * from the real PostgreSQL (the test's own metadata database registered as a connection).
 */
import { createConnection, runSync } from "@steward/catalog";
import { systemActor } from "@steward/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Auth, startTestApi, type TestApi } from "./testing/api-harness";

let api: TestApi;
let source = "";
let gov: { id: string; auth: Auth };
let owner: { id: string; auth: Auth };
let consumer: { id: string; auth: Auth };
let other: { id: string; auth: Auth };

const PREVIEW = `query($u: ID!, $s: ID!, $d: DataPolicyDefinitionInput) {
  previewAs(userId: $u, dataSourceId: $s, limit: 5, definition: $d) { accountName access unavailable columns { name mask maskedBy { name } } rows sql userSql }
}`;
const EXPLAIN = `query($u: ID!, $s: ID!) { explainDataAccess(userId: $u, dataSourceId: $s) { level columns { column masked mask policy { name } exempt reason } rowRules { applies reason } } }`;
const PLAN = `query($i: PlanDataPolicyChangeInput!) {
  planDataPolicyChange(input: $i) {
    sources { dataSource { id } changedColumns rowFilterChanged after { policies { name } columns { name mask maskedBy { name } } } }
    affectedUserCount warnings { code } connectionPlans { statements error }
  }
}`;
const mask = (s: string) => ({ scope: { sources: [s] }, rule: { mask: { columns: { names: ["username"] }, mask: { constant: "***" } } } });
const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;

beforeAll(async () => {
  api = await startTestApi();
  const db = api.testDb.db;
  gov = await api.userWithRoles(["GOVERNOR"]);
  owner = await api.userWithRoles(["DATA_OWNER"]);
  consumer = await api.userWithRoles([]);
  other = await api.userWithRoles([]);
  const { connection, syncRun } = await createConnection(api.deps, systemActor("test"), {
    name: "dpq",
    kind: "POSTGRES",
    config: { host: "127.0.0.1", port: 5432, user: "postgres", databases: [api.testDb.name] },
    autoRegister: true,
  });
  await runSync(api.deps, syncRun.id);
  source = (await db.dataSource.findFirstOrThrow({ where: { connectionId: connection.id, name: { endsWith: ".public.User" } } })).id;
  await db.dataSourceOwner.create({ data: { dataSourceId: source, userId: owner.id } });
  // The consumer reads the source; `other` does not.
  await db.manualSubscription.create({ data: { userId: consumer.id, dataSourceId: source, accessType: "READ" } });
  const created = await api.gql(
    `mutation($d: DataPolicyDefinitionInput!) { createDataPolicy(input: {name: "hide usernames", definition: $d}) { policy { id } } }`,
    { d: mask(source) },
    gov.auth,
  );
  expect(created.errors).toBeUndefined();
}, 60_000);
afterAll(() => api?.close());

describe("previewAs and explainDataAccess", () => {
  it("shows a reader's rows masked, to themselves, governors and the source's owner", async () => {
    for (const who of [consumer, gov, owner]) {
      const r = await api.gql<{
        previewAs: { access: string; rows: (string | null)[][]; columns: { name: string; mask: string | null }[]; userSql: string | null };
      }>(PREVIEW, { u: consumer.id, s: source }, who.auth);
      expect(r.errors).toBeUndefined();
      const p = r.data!.previewAs;
      expect(p.access).toBe("READ");
      // The user's own statement reads the policy view, never the base table.
      expect(p.userSql).toMatch(/^SELECT \* FROM "steward_views"\."public__User_[0-9a-f]{10}" LIMIT 5$/);
      const i = p.columns.findIndex((c) => c.name === "username");
      expect(p.columns[i]?.mask).toBe("constant");
      expect(p.rows.length).toBeGreaterThan(0);
      expect(p.rows.every((row) => row[i] === "***")).toBe(true);
    }
  });

  it("answers a user without READ with the reason, not data", async () => {
    const r = await api.gql<{ previewAs: { access: string; unavailable: string | null; rows: unknown[] } }>(
      PREVIEW,
      { u: other.id, s: source },
      gov.auth,
    );
    expect(r.data!.previewAs).toMatchObject({ access: "NONE", rows: [], unavailable: expect.stringMatching(/may not read/) });
  });

  it("refuses others: a consumer about someone else, an owner-less caller, drafts from non-governors", async () => {
    expect(code(await api.gql(PREVIEW, { u: other.id, s: source }, consumer.auth))).toBe("FORBIDDEN");
    expect(code(await api.gql(EXPLAIN, { u: consumer.id, s: source }, other.auth))).toBe("FORBIDDEN");
    expect(code(await api.gql(PREVIEW, { u: consumer.id, s: source, d: mask(source) }, consumer.auth))).toBe("FORBIDDEN");
    expect(code(await api.gql(PREVIEW, { u: consumer.id, s: source }))).toBe("UNAUTHENTICATED");
  });

  it("previews a governor's unsaved draft, validated like a save", async () => {
    const draft = { scope: { sources: [source] }, rule: { mask: { columns: { names: ["username"] }, mask: { null: true } } } };
    const r = await api.gql<{ previewAs: { rows: (string | null)[][]; columns: { name: string }[]; userSql: string | null } }>(
      PREVIEW,
      { u: consumer.id, s: source, d: draft },
      gov.auth,
    );
    expect(r.errors).toBeUndefined();
    // No view holds a draft: there is no statement the user could run to see these rows.
    expect(r.data!.previewAs.userSql).toBeNull();
    // Two masks on username: the stricter (null) wins, so every value is NULL.
    const i = r.data!.previewAs.columns.findIndex((c) => c.name === "username");
    expect(r.data!.previewAs.rows.every((row) => row[i] === null)).toBe(true);
    const bad = { scope: { sources: [source] }, rule: { mask: { columns: { names: ["nope"] }, mask: { null: true } } } };
    const refused = await api.gql(PREVIEW, { u: consumer.id, s: source, d: bad }, gov.auth);
    expect(code(refused)).toBe("BAD_USER_INPUT");
  });

  it("explains the masked column by policy name", async () => {
    const r = await api.gql<{
      explainDataAccess: { level: string; columns: { column: string; masked: boolean; mask: string; policy: { name: string } }[] };
    }>(EXPLAIN, { u: consumer.id, s: source }, consumer.auth);
    expect(r.errors).toBeUndefined();
    expect(r.data!.explainDataAccess.level).toBe("READ");
    expect(r.data!.explainDataAccess.columns.find((c) => c.column === "username")).toMatchObject({
      masked: true,
      mask: "constant",
      policy: { name: "hide usernames" },
    });
  });
});

describe("planDataPolicyChange", () => {
  it("is for governors, and names the changed columns of a new policy and who reads the source", async () => {
    const input = {
      i: {
        name: "drop emails",
        definition: { scope: { sources: [source] }, rule: { mask: { columns: { names: ["email"] }, mask: { null: true } } } },
      },
    };
    expect(code(await api.gql(PLAN, input, consumer.auth))).toBe("FORBIDDEN");
    expect(code(await api.gql(PLAN, input, owner.auth))).toBe("FORBIDDEN");
    const r = await api.gql<{
      planDataPolicyChange: {
        sources: {
          dataSource: { id: string };
          changedColumns: string[];
          after: { policies: { name: string }[]; columns: { name: string; maskedBy: { name: string } | null }[] };
        }[];
        affectedUserCount: number;
        connectionPlans: { statements: string[]; error: string | null }[];
      };
    }>(PLAN, input, gov.auth);
    expect(r.errors).toBeUndefined();
    const plan = r.data!.planDataPolicyChange;
    expect(plan.sources.map((s) => [s.dataSource.id, s.changedColumns])).toEqual([[source, ["email"]]]);
    // The unsaved policy is named in the planned view.
    expect(plan.sources[0]!.after.policies.map((p) => p.name).sort()).toEqual(["drop emails", "hide usernames"]);
    expect(plan.sources[0]!.after.columns.find((c) => c.name === "email")?.maskedBy?.name).toBe("drop emails");
    expect(plan.affectedUserCount).toBe(1);
    expect(plan.connectionPlans).toHaveLength(1);
    expect(plan.connectionPlans[0]!.error).toBeNull();
    expect(plan.connectionPlans[0]!.statements.some((s) => s.startsWith("CREATE VIEW"))).toBe(true);
  });
});
