import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../../testing/api-harness";
import { connectionWithSources } from "../../testing/catalog-fixtures";

let api: TestApi;
type Who = Awaited<ReturnType<TestApi["userWithRoles"]>>;
let admin: Who;
let directOwner: Who;
let groupOwner: Who;
let connectionOwner: Who;
let consumer: Who;
/** Sources on a connection nobody but admins is assigned to. */
let plain: { connectionId: string; ownedSource: string; groupSource: string };
/** A connection `connectionOwner` is assigned to, with one source nobody owns directly. */
let assigned: { connectionId: string; source: string };

beforeAll(async () => {
  api = await startTestApi();
  [admin, directOwner, groupOwner, connectionOwner, consumer] = await Promise.all([
    api.userWithRoles(["ADMIN"]),
    api.userWithRoles(["DATA_OWNER"]),
    api.userWithRoles(["DATA_OWNER"]),
    api.userWithRoles(["DATA_OWNER"]),
    api.userWithRoles([]),
  ]);
  const a = await connectionWithSources(api, ["User", "Group"]);
  plain = { connectionId: a.connectionId, ownedSource: a.sourceIds[0]!, groupSource: a.sourceIds[1]! };
  const b = await connectionWithSources(api, ["Tag"], [connectionOwner.id]);
  assigned = { connectionId: b.connectionId, source: b.sourceIds[0]! };
  const db = api.testDb.db;
  await db.dataSourceOwner.create({ data: { dataSourceId: plain.ownedSource, userId: directOwner.id } });
  const group = await db.group.create({ data: { name: `audit-owners-${randomBytes(3).toString("hex")}` } });
  await db.groupMembership.create({ data: { groupId: group.id, userId: groupOwner.id } });
  await db.dataSourceOwner.create({ data: { dataSourceId: plain.groupSource, groupId: group.id } });
});
afterAll(() => api.close());

type Events = { auditEvents: { nodes: { targetType: string; targetId: string; action: string }[] } };
const TRAIL = `query($f: AuditEventsFilter) { auditEvents(filter: $f, first: 200) { nodes { targetType targetId action } } }`;
const sourceTrail = (id: string) => ({ f: { targetType: "DataSource", targetId: id } });

describe("auditEvents for data owners", () => {
  it("shows a direct owner their source's trail", async () => {
    const res = await api.gql<Events>(TRAIL, sourceTrail(plain.ownedSource), directOwner.auth);
    expect(res.errors).toBeUndefined();
    const nodes = res.data!.auditEvents.nodes;
    expect(nodes.map((n) => n.action)).toContain("data_source.registered");
    expect(new Set(nodes.map((n) => n.targetId))).toEqual(new Set([plain.ownedSource]));
  });

  it("refuses an owner the trail of a source they do not own, and of its connection", async () => {
    for (const f of [
      sourceTrail(plain.groupSource).f,
      { targetType: "Connection", targetId: plain.connectionId },
      { targetId: plain.ownedSource },
    ]) {
      const res = await api.gql(TRAIL, { f }, directOwner.auth);
      expect(res.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      expect(res.data).toBeNull();
    }
  });

  it("counts ownership through a group", async () => {
    const res = await api.gql<Events>(TRAIL, sourceTrail(plain.groupSource), groupOwner.auth);
    expect(res.errors).toBeUndefined();
    expect(res.data!.auditEvents.nodes.length).toBeGreaterThan(0);
    expect((await api.gql(TRAIL, sourceTrail(plain.ownedSource), groupOwner.auth)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("shows a connection's data owner the connection's trail and its sources'", async () => {
    const conn = await api.gql<Events>(TRAIL, { f: { targetType: "Connection", targetId: assigned.connectionId } }, connectionOwner.auth);
    expect(conn.errors).toBeUndefined();
    expect(conn.data!.auditEvents.nodes.map((n) => n.action)).toContain("connection.created");
    const source = await api.gql<Events>(TRAIL, sourceTrail(assigned.source), connectionOwner.auth);
    expect(source.data!.auditEvents.nodes.length).toBeGreaterThan(0);
  });

  it("filters an unscoped listing down to what the owner owns", async () => {
    const mine = await api.gql<Events>(TRAIL, {}, directOwner.auth);
    expect(mine.errors).toBeUndefined();
    expect(mine.data!.auditEvents.nodes.length).toBeGreaterThan(0);
    expect(new Set(mine.data!.auditEvents.nodes.map((n) => `${n.targetType}:${n.targetId}`))).toEqual(
      new Set([`DataSource:${plain.ownedSource}`]),
    );
    const theirs = await api.gql<Events>(TRAIL, {}, connectionOwner.auth);
    expect(new Set(theirs.data!.auditEvents.nodes.map((n) => n.targetId))).toEqual(new Set([assigned.connectionId, assigned.source]));
  });

  it("refuses plain consumers and shows admins everything", async () => {
    expect((await api.gql(TRAIL, {}, consumer.auth)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await api.gql(TRAIL, sourceTrail(plain.ownedSource), consumer.auth)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await api.gql(TRAIL, {})).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const all = await api.gql<Events>(TRAIL, {}, admin.auth);
    const targets = new Set(all.data!.auditEvents.nodes.map((n) => n.targetId));
    for (const id of [plain.connectionId, plain.ownedSource, plain.groupSource, assigned.connectionId, assigned.source])
      expect(targets).toContain(id);
  });
});
