/**
 * Access requests and segregation of duties through the API: approval yields access, owners of a
 * connection decide on its sources, requesters cancel, and nobody approves, grants or promotes
 * themselves (unless the deployment allows self-approval).
 */
import { randomBytes } from "node:crypto";
import { approveAccessRequest } from "@steward/access";
import { createConnection, runSync } from "@steward/catalog";
import { systemActor } from "@steward/core";
import { createApiKey, createGroup } from "@steward/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Auth, startTestApi, type TestApi } from "../../testing/api-harness";

type Who = Awaited<ReturnType<TestApi["userWithRoles"]>>;
let api: TestApi;
let governor: Who;
let connOwner: Who;
let otherOwner: Who;
let sources: string[] = [];
const system = systemActor("requests-test");

const REQUEST = `mutation($d: ID!, $t: AccessLevel) { requestAccess(input: {dataSourceId: $d, accessType: $t, reason: "for the report"}) { id } }`;
const APPROVE = `mutation($id: ID!) { approveAccessRequest(input: {requestId: $id}) { status } }`;
const INBOX = `{ myPendingApprovals { id } }`;

async function ask(who: { auth: Auth }, sourceId: string, accessType = "READ") {
  const res = await api.gql<{ requestAccess: { id: string } }>(REQUEST, { d: sourceId, t: accessType }, who.auth);
  expect(res.errors).toBeUndefined();
  return res.data!.requestAccess.id;
}
const code = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;

beforeAll(async () => {
  api = await startTestApi();
  governor = await api.userWithRoles(["GOVERNOR"]);
  connOwner = await api.userWithRoles(["DATA_OWNER"]);
  otherOwner = await api.userWithRoles(["DATA_OWNER"]);
  const { connection, syncRun } = await createConnection(api.deps, system, {
    name: `req-${randomBytes(3).toString("hex")}`,
    kind: "POSTGRES",
    config: { host: "127.0.0.1", port: 5432, user: "postgres", databases: [api.testDb.name] },
    autoRegister: true,
    dataOwnerIds: [connOwner.id],
  });
  await runSync(api.deps, syncRun.id);
  sources = (await api.testDb.db.dataSource.findMany({ where: { connectionId: connection.id }, orderBy: { name: "asc" } })).map(
    (s) => s.id,
  );
  expect(sources.length).toBeGreaterThan(6);
}, 60_000);
afterAll(() => api?.close());

describe("deciding on requests", () => {
  it("approval yields access: the requester holds what they asked for until it ends", async () => {
    const consumer = await api.userWithRoles([]);
    const id = await ask(consumer, sources[0]!, "WRITE");
    expect(code(await api.gql(APPROVE, { id }, governor.auth))).toBeUndefined();
    const mine = await api.gql<{ mySubscriptions: { dataSource: { id: string }; level: string }[] }>(
      `{ mySubscriptions { dataSource { id } level } }`,
      {},
      consumer.auth,
    );
    expect(mine.data!.mySubscriptions).toContainEqual({ dataSource: { id: sources[0] }, level: "WRITE" });
  });

  it("lets data owners of the source's connection decide, and shows them the request", async () => {
    const consumer = await api.userWithRoles([]);
    const id = await ask(consumer, sources[1]!);
    const inbox = await api.gql<{ myPendingApprovals: { id: string }[] }>(INBOX, {}, connOwner.auth);
    expect(inbox.data!.myPendingApprovals.map((r) => r.id)).toContain(id);
    const elsewhere = await api.gql<{ myPendingApprovals: { id: string }[] }>(INBOX, {}, otherOwner.auth);
    expect(elsewhere.data!.myPendingApprovals.map((r) => r.id)).not.toContain(id);
    expect(code(await api.gql(APPROVE, { id }, otherOwner.auth))).toBe("FORBIDDEN");
    expect(code(await api.gql(APPROVE, { id }, connOwner.auth))).toBeUndefined();
  });

  it("refuses self-approval, also for governors, unless the deployment allows it", async () => {
    const id = await ask(governor, sources[2]!);
    const own = await api.gql(APPROVE, { id }, governor.auth);
    expect(code(own)).toBe("FORBIDDEN");
    expect(own.errors![0]!.message).toMatch(/own access request/);
    const inbox = await api.gql<{ myPendingApprovals: { id: string }[] }>(INBOX, {}, governor.auth);
    expect(inbox.data!.myPendingApprovals.map((r) => r.id)).not.toContain(id);
    expect(await api.testDb.db.manualSubscription.count({ where: { userId: governor.id } })).toBe(0);

    const actor = { kind: "USER" as const, userId: governor.id, username: governor.username, roles: new Set(["GOVERNOR" as const]) };
    const approved = await approveAccessRequest({ db: api.testDb.db, allowSelfApproval: true }, actor, { requestId: id });
    expect(approved.status).toBe("APPROVED");
  });

  it("does not let an API key without DATA_OWNER decide for its owner's sources", async () => {
    const consumer = await api.userWithRoles([]);
    const id = await ask(consumer, sources[3]!);
    // Ownership rows alone used to count: the key's owner owns this source outright.
    await api.testDb.db.dataSourceOwner.create({ data: { dataSourceId: sources[3]!, userId: connOwner.id } });
    const key = await createApiKey(
      { db: api.testDb.db },
      { kind: "USER", userId: connOwner.id, username: connOwner.username, roles: new Set(["DATA_OWNER"]) },
      { name: "read only", roles: [] },
    );
    expect(code(await api.gql(APPROVE, { id }, { bearer: key.secret }))).toBe("FORBIDDEN");
  });
});

describe("cancelling a request", () => {
  it("lets the requester withdraw a pending request, and no one else", async () => {
    const consumer = await api.userWithRoles([]);
    const stranger = await api.userWithRoles([]);
    const id = await ask(consumer, sources[4]!);
    const CANCEL = `mutation($id: ID!) { cancelAccessRequest(id: $id) { status } }`;
    expect(code(await api.gql(CANCEL, { id }, stranger.auth))).toBe("NOT_FOUND");
    expect(code(await api.gql(CANCEL, { id }, governor.auth))).toBe("NOT_FOUND");
    const res = await api.gql<{ cancelAccessRequest: { status: string } }>(CANCEL, { id }, consumer.auth);
    expect(res.data?.cancelAccessRequest.status).toBe("CANCELLED");
    expect(code(await api.gql(CANCEL, { id }, consumer.auth))).toBe("CONFLICT");
    expect(code(await api.gql(APPROVE, { id }, governor.auth))).toBe("CONFLICT");
    const inbox = await api.gql<{ myPendingApprovals: { id: string }[] }>(INBOX, {}, governor.auth);
    expect(inbox.data!.myPendingApprovals.map((r) => r.id)).not.toContain(id);
    expect(
      await api.testDb.db.auditEvent.count({ where: { action: "access_request.cancelled", after: { path: ["requestId"], equals: id } } }),
    ).toBe(1);
  });
});

describe("owners and segregation of duties", () => {
  const SET_OWNERS = `mutation($d: ID!, $u: [ID!], $g: [ID!]) { setDataSourceOwners(input: {dataSourceId: $d, userIds: $u, groupIds: $g}) { id } }`;
  const SUBSCRIBE = `mutation($d: ID!, $u: ID!, $t: AccessLevel) { subscribeUser(input: {dataSourceId: $d, userId: $u, accessType: $t}) { id } }`;

  it("does not let a data owner make themselves owner of a source they do not own", async () => {
    const source = sources[5]!;
    expect(code(await api.gql(SET_OWNERS, { d: source, u: [connOwner.id] }, connOwner.auth))).toBe("FORBIDDEN");
    const group = await createGroup({ db: api.testDb.db }, system, { name: `mine-${randomBytes(3).toString("hex")}` });
    await api.testDb.db.groupMembership.create({ data: { groupId: group.id, userId: connOwner.id } });
    expect(code(await api.gql(SET_OWNERS, { d: source, g: [group.id] }, connOwner.auth))).toBe("FORBIDDEN");
    expect(code(await api.gql(SET_OWNERS, { d: source, u: [connOwner.id] }, otherOwner.auth))).toBe("FORBIDDEN");
    expect(await api.testDb.db.dataSourceOwner.count({ where: { dataSourceId: source } })).toBe(0);
    // Assigning someone else is the connection owner's job; an owner may keep themselves.
    expect(code(await api.gql(SET_OWNERS, { d: source, u: [otherOwner.id] }, connOwner.auth))).toBeUndefined();
    expect(code(await api.gql(SET_OWNERS, { d: source, u: [otherOwner.id, governor.id] }, otherOwner.auth))).toBeUndefined();
  });

  it("does not let anyone subscribe themselves by hand, nor owners subscribe on sources they do not own", async () => {
    const source = sources[6]!;
    const consumer = await api.userWithRoles([]);
    expect(code(await api.gql(SUBSCRIBE, { d: source, u: connOwner.id, t: "WRITE" }, connOwner.auth))).toBe("FORBIDDEN");
    expect(code(await api.gql(SUBSCRIBE, { d: source, u: governor.id }, governor.auth))).toBe("FORBIDDEN");
    expect(code(await api.gql(SUBSCRIBE, { d: source, u: otherOwner.id, t: "WRITE" }, otherOwner.auth))).toBe("FORBIDDEN");
    expect(code(await api.gql(SUBSCRIBE, { d: source, u: consumer.id }, otherOwner.auth))).toBe("FORBIDDEN");
    expect(await api.testDb.db.manualSubscription.count({ where: { dataSourceId: source } })).toBe(0);
    expect(code(await api.gql(SUBSCRIBE, { d: source, u: consumer.id }, connOwner.auth))).toBeUndefined();
  });
});
