import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../../testing/api-harness";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

type Created = { createApiKey: { secret: string; apiKey: { id: string; roles: string[] } } };
const CREATE = `mutation($roles: [Role!], $owner: ID) {
  createApiKey(input: {name: "k", roles: $roles, ownerId: $owner}) { secret apiKey { id roles } }
}`;
const ME = `{ me { roles authMethod } }`;

async function keyFor(auth: { cookie?: string; bearer?: string }, roles?: string[]) {
  const res = await api.gql<Created>(CREATE, { roles }, auth);
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return res.data.createApiKey;
}

describe("API keys never act beyond their own roles", () => {
  it("a key with no roles cannot mint a key with the owner's roles", async () => {
    const admin = await api.userWithRoles(["ADMIN", "GOVERNOR"]);
    const plain = await keyFor(admin.auth, []);
    expect(plain.apiKey.roles).toEqual([]);

    // Omitting roles means "the caller's effective roles": none for this key.
    const minted = await keyFor({ bearer: plain.secret });
    expect(minted.apiKey.roles).toEqual([]);
    const me = await api.gql<{ me: { roles: string[] } }>(ME, {}, { bearer: minted.secret });
    expect(me.data?.me.roles).toEqual([]);

    // Asking for a role the calling key lacks is refused, even though the owner holds it.
    const escalate = await api.gql(CREATE, { roles: ["ADMIN"] }, { bearer: plain.secret });
    expect(escalate.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const adminOnly = await api.gql(`mutation { createGroup(input: {name: "by-plain-key"}) { id } }`, {}, { bearer: minted.secret });
    expect(adminOnly.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("a GOVERNOR key mints at most GOVERNOR keys, and cannot mint keys for others", async () => {
    const admin = await api.userWithRoles(["ADMIN", "GOVERNOR"]);
    const other = await api.userWithRoles(["GOVERNOR"]);
    const gov = await keyFor(admin.auth, ["GOVERNOR"]);
    expect((await keyFor({ bearer: gov.secret })).apiKey.roles).toEqual(["GOVERNOR"]);
    const both = await api.gql(CREATE, { roles: ["ADMIN", "GOVERNOR"] }, { bearer: gov.secret });
    expect(both.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const forOther = await api.gql(CREATE, { roles: [], owner: other.id }, { bearer: gov.secret });
    expect(forOther.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("an ADMIN key creates keys for other users, but only with roles the key itself holds", async () => {
    const admin = await api.userWithRoles(["ADMIN"]);
    const other = await api.userWithRoles(["GOVERNOR"]);
    const adminKey = await keyFor(admin.auth, ["ADMIN"]);
    const plain = await api.gql<Created>(CREATE, { roles: [], owner: other.id }, { bearer: adminKey.secret });
    expect(plain.errors).toBeUndefined();
    expect(plain.data?.createApiKey.apiKey.roles).toEqual([]);
    const gov = await api.gql(CREATE, { roles: ["GOVERNOR"], owner: other.id }, { bearer: adminKey.secret });
    expect(gov.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    // A person's session is not limited this way: an administrator may give another user's key their roles.
    const bySession = await api.gql<Created>(CREATE, { roles: ["GOVERNOR"], owner: other.id }, admin.auth);
    expect(bySession.data?.createApiKey.apiKey.roles).toEqual(["GOVERNOR"]);
  });

  it("a reactivated user's keys from before the deactivation stay revoked", async () => {
    const admin = await api.userWithRoles(["ADMIN"]);
    const user = await api.userWithRoles(["GOVERNOR"]);
    const old = await keyFor(user.auth, ["GOVERNOR"]);
    expect((await api.gql(ME, {}, { bearer: old.secret })).data).toEqual({ me: { roles: ["GOVERNOR"], authMethod: "API_KEY" } });
    await api.gql(`mutation($id: ID!) { deactivateUser(id: $id) { status } }`, { id: user.id }, admin.auth);
    await api.gql(`mutation($id: ID!) { reactivateUser(id: $id) { status } }`, { id: user.id }, admin.auth);
    const after = await api.gql(ME, {}, { bearer: old.secret });
    expect(after.status).toBe(401);
    expect(after.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const row = await api.testDb.db.apiKey.findUniqueOrThrow({ where: { id: old.apiKey.id } });
    expect(row.revokedAt).not.toBeNull();
    const audit = await api.testDb.db.auditEvent.findFirst({ where: { action: "api_key.revoked", targetId: old.apiKey.id } });
    expect(audit?.after).toMatchObject({ reason: "owner deactivated" });
    // New keys work as usual.
    const fresh = await keyFor(await api.login(user.username), ["GOVERNOR"]);
    expect((await api.gql(ME, {}, { bearer: fresh.secret })).data?.me).toBeTruthy();
  });

  it("a key without DATA_OWNER cannot use its owner's source ownership", async () => {
    const db = api.testDb.db;
    const owner = await api.userWithRoles(["DATA_OWNER"]);
    const someone = await api.userWithRoles([]);
    const tag = Math.random().toString(36).slice(2, 10);
    const connection = await db.connection.create({
      data: { name: `keys-${tag}`, kind: "POSTGRES", config: {}, inboundSecretCiphertext: "unused" },
    });
    const node = await db.catalogNode.create({
      data: { connectionId: connection.id, kind: "OBJECT", name: "t", pathKey: `db/public/t-${tag}`, objectType: "TABLE" },
    });
    const source = await db.dataSource.create({
      data: { connectionId: connection.id, catalogNodeId: node.id, name: `db.public.t_${tag}`, objectType: "TABLE" },
    });
    await db.dataSourceOwner.create({ data: { dataSourceId: source.id, userId: owner.id } });
    const subscribe = `mutation($d: ID!, $u: ID!) { subscribeUser(input: {dataSourceId: $d, userId: $u}) { id } }`;
    const plain = await keyFor(owner.auth, []);
    const refused = await api.gql(subscribe, { d: source.id, u: someone.id }, { bearer: plain.secret });
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const ownerKey = await keyFor(owner.auth, ["DATA_OWNER"]);
    const allowed = await api.gql(subscribe, { d: source.id, u: someone.id }, { bearer: ownerKey.secret });
    expect(allowed.errors).toBeUndefined();
  });
});
