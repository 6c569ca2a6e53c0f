import { systemActor } from "@steward/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLoaders } from "../../loaders";
import { startTestApi, type TestApi } from "../../testing/api-harness";
import { connectionWithSources } from "../../testing/catalog-fixtures";

let api: TestApi;
type Who = Awaited<ReturnType<TestApi["userWithRoles"]>>;
let admin: Who;
let owner: Who;

beforeAll(async () => {
  api = await startTestApi();
  [admin, owner] = await Promise.all([api.userWithRoles(["ADMIN"]), api.userWithRoles(["DATA_OWNER"])]);
  // Connection A (owner not assigned): User tagged PII, Group tagged PII.Email on a column, Session tagged PIIX.
  const a = await connectionWithSources(api, ["User", "Group", "Session"]);
  // Connection B (owner assigned): Tag tagged PII.Email on the source and on a column (counted once).
  const b = await connectionWithSources(api, ["Tag"], [owner.id]);
  const [user, group, session] = a.sourceIds as [string, string, string];
  const tag = b.sourceIds[0]!;
  const ops: [string, Record<string, unknown>][] = [
    [`mutation($d: ID!) { tagDataSource(dataSourceId: $d, tag: "PII") { id } }`, { d: user }],
    [`mutation($d: ID!) { tagColumn(dataSourceId: $d, column: "name", tag: "PII.Email") { id } }`, { d: group }],
    [`mutation($d: ID!) { tagDataSource(dataSourceId: $d, tag: "PIIX") { id } }`, { d: session }],
    [`mutation($d: ID!) { tagDataSource(dataSourceId: $d, tag: "PII.Email") { id } }`, { d: tag }],
    [`mutation($d: ID!) { tagColumn(dataSourceId: $d, column: "name", tag: "PII.Email") { id } }`, { d: tag }],
  ];
  for (const [q, v] of ops) expect((await api.gql(q, v, admin.auth)).errors).toBeUndefined();
});
afterAll(() => api.close());

type Tags = { tags: { id: string; name: string; dataSourceCount: number }[] };
const TAGS = `{ tags { id name dataSourceCount } }`;
const counts = (res: { data: Tags | null }) => Object.fromEntries(res.data!.tags.map((t) => [t.name, t.dataSourceCount]));

describe("Tag.dataSourceCount", () => {
  it("counts sources carrying the tag or a narrower one, on the source or a column, each once", async () => {
    const res = await api.gql<Tags>(TAGS, {}, admin.auth);
    expect(res.errors).toBeUndefined();
    expect(counts(res)).toEqual({ PII: 3, "PII.Email": 2, PIIX: 1 });
  });

  it("counts only sources the viewer can see, agreeing with the data-source search", async () => {
    const res = await api.gql<Tags>(TAGS, {}, owner.auth);
    expect(counts(res)).toEqual({ PII: 1, "PII.Email": 1, PIIX: 0 });
    for (const who of [admin, owner]) {
      const tags = (await api.gql<Tags>(TAGS, {}, who.auth)).data!.tags;
      for (const t of tags) {
        const search = await api.gql<{ dataSources: { totalCount: number } }>(
          `query($t: String!) { dataSources(filter: {tag: $t}, first: 1) { totalCount } }`,
          { t: t.name },
          who.auth,
        );
        expect(t.dataSourceCount, `${t.name} for ${who.username}`).toBe(search.data!.dataSources.totalCount);
      }
    }
  });

  it("answers a whole page of tags with one database query", async () => {
    let queries = 0;
    const counted = api.testDb.db.$extends({
      query: {
        $allOperations({ args, query }) {
          queries++;
          return query(args);
        },
      },
    });
    const loaders = createLoaders(counted as unknown as typeof api.testDb.db, systemActor("count-test"));
    const ids = (await api.testDb.db.tag.findMany({ select: { id: true } })).map((t) => t.id);
    expect(ids.length).toBe(3);
    const result = await Promise.all(ids.map((id) => loaders.tagSourceCount.load(id)));
    expect(result.reduce((s, n) => s + n, 0)).toBe(6);
    expect(queries).toBe(1);
  });
});
