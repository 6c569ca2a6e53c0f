import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../../testing/api-harness";

let api: TestApi;
let admin: Awaited<ReturnType<TestApi["userWithRoles"]>>;
beforeAll(async () => {
  api = await startTestApi();
  admin = await api.userWithRoles(["ADMIN"]);
});
afterAll(() => api.close());

const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { id username email roles status } }`;

async function counts() {
  const db = api.testDb.db;
  const [users, audit, outbox] = await Promise.all([db.user.count(), db.auditEvent.count(), db.outboxEvent.count()]);
  return { users, audit, outbox };
}

describe("users", () => {
  it("creates a user with its audit record and outbox event in one transaction", async () => {
    const before = await counts();
    const res = await api.gql<{ createUser: { id: string; username: string; email: string; roles: string[] } }>(
      CREATE,
      { input: { username: "Mia.Muller", displayName: "Mia Müller", email: "Mia@Example.com", roles: ["DATA_OWNER"] } },
      admin.auth,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.createUser).toMatchObject({ username: "mia.muller", email: "mia@example.com", roles: ["DATA_OWNER"] });
    const after = await counts();
    expect(after).toEqual({ users: before.users + 1, audit: before.audit + 1, outbox: before.outbox + 1 });
    const audit = await api.testDb.db.auditEvent.findFirstOrThrow({ where: { action: "user.created", targetId: res.data!.createUser.id } });
    expect(audit.actorId).toBe(admin.id);
    expect(JSON.stringify(audit.after)).not.toContain("passwordHash");
  });

  it.each([
    ["an invalid email", { username: "valid-name", displayName: "X", email: "not-an-email" }, "email"],
    ["an invalid username", { username: "bad name;drop", displayName: "X", email: "x1@example.com" }, "username"],
    ["an oversized display name", { username: "valid-two", displayName: "x".repeat(5000), email: "x2@example.com" }, "displayName"],
    ["a short password", { username: "valid-three", displayName: "X", email: "x3@example.com", password: "short" }, "password"],
  ])("rejects %s with BAD_USER_INPUT and writes nothing", async (_label, input, field) => {
    const before = await counts();
    const res = await api.gql(CREATE, { input }, admin.auth);
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(res.errors?.[0]?.extensions?.fields?.map((f) => f.path)).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it("reports a duplicate username as CONFLICT and writes nothing", async () => {
    await api.gql(CREATE, { input: { username: "dup-user", displayName: "A", email: "dup1@example.com" } }, admin.auth);
    const before = await counts();
    const res = await api.gql(CREATE, { input: { username: "DUP-user", displayName: "B", email: "dup2@example.com" } }, admin.auth);
    expect(res.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(await counts()).toEqual(before);
  });

  it.each(["public", "PUBLIC", "none", "current_user", "session_user", "postgres", "pg_monitor", "stw_1a2b3c4d_db"])(
    "refuses the username %j (a reserved platform account) with BAD_USER_INPUT on username",
    async (username) => {
      const before = await counts();
      const res = await api.gql(CREATE, { input: { username, displayName: "X", email: `${username}-r@example.com` } }, admin.auth);
      expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      expect(res.errors?.[0]?.extensions?.fields?.map((f) => f.path)).toEqual(["username"]);
      expect(await counts()).toEqual(before);
    },
  );

  it("refuses reserved platform accounts and two users on one account, at write time", async () => {
    const SET = `mutation($input: SetPlatformAccountInput!) { setPlatformAccount(input: $input) { id } }`;
    const ann = await api.userWithRoles([], "ann-acct");
    const ben = await api.userWithRoles([], "ben-acct");
    for (const accountName of ["PUBLIC", "Current_User", "pg_read_all_data", "postgres", "stw_x", "x".repeat(64)]) {
      const res = await api.gql(SET, { input: { userId: ann.id, platform: "POSTGRES", accountName } }, admin.auth);
      expect(res.errors?.[0]?.extensions?.code, accountName).toBe("BAD_USER_INPUT");
      expect(res.errors?.[0]?.extensions?.fields?.map((f) => f.path)).toEqual(["accountName"]);
    }
    // Platforms without reserved names of their own keep the generic check only.
    expect(
      (await api.gql(SET, { input: { userId: ann.id, platform: "TRINO", accountName: "public" } }, admin.auth)).errors,
    ).toBeUndefined();
    // ben's username is his POSTGRES account under the USERNAME mapping: ann cannot take it…
    const taken = await api.gql(SET, { input: { userId: ann.id, platform: "POSTGRES", accountName: "ben-acct" } }, admin.auth);
    expect(taken.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    // …nor another user's explicit account, and no new user can be named after one.
    expect(
      (await api.gql(SET, { input: { userId: ann.id, platform: "POSTGRES", accountName: "ann_pg" } }, admin.auth)).errors,
    ).toBeUndefined();
    const same = await api.gql(SET, { input: { userId: ben.id, platform: "LAKEBASE", accountName: "ann-acct" } }, admin.auth);
    expect(same.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    const named = await api.gql(CREATE, { input: { username: "ann_pg", displayName: "X", email: "ann_pg@example.com" } }, admin.auth);
    expect(named.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    // Once ben has an explicit account of his own, his username is free on that platform.
    expect(
      (await api.gql(SET, { input: { userId: ben.id, platform: "POSTGRES", accountName: "benjamin" } }, admin.auth)).errors,
    ).toBeUndefined();
    expect(
      (await api.gql(SET, { input: { userId: ann.id, platform: "POSTGRES", accountName: "ben-acct" } }, admin.auth)).errors,
    ).toBeUndefined();
  });

  it("sets and removes multi-valued attributes, manages groups and roles, all audited", async () => {
    const user = await api.userWithRoles([]);
    const group = await api.gql<{ createGroup: { id: string } }>(
      `mutation { createGroup(input: {name: "Risk team"}) { id } }`,
      {},
      admin.auth,
    );
    const groupId = group.data!.createGroup.id;
    const ops = [
      api.gql(
        `mutation($id: ID!) { setUserAttribute(input: {userId: $id, key: "region", values: ["US", "EU", "EU"]}) { id } }`,
        { id: user.id },
        admin.auth,
      ),
      api.gql(
        `mutation($g: ID!, $u: ID!) { addGroupMember(groupId: $g, userId: $u) { memberCount } }`,
        { g: groupId, u: user.id },
        admin.auth,
      ),
      api.gql(`mutation($id: ID!) { grantRole(userId: $id, role: GOVERNOR) { id } }`, { id: user.id }, admin.auth),
    ];
    for (const op of ops) expect((await op).errors).toBeUndefined();
    const view = await api.gql<{ user: { attributes: unknown; groups: { name: string }[]; roles: string[] } }>(
      `query($id: ID!) { user(id: $id) { attributes { key values } groups { name } roles } }`,
      { id: user.id },
      admin.auth,
    );
    expect(view.data?.user).toEqual({
      attributes: [{ key: "region", values: ["EU", "US"] }],
      groups: [{ name: "Risk team" }],
      roles: ["GOVERNOR"],
    });

    // Setting the same values again is a no-op: no audit, no event.
    const before = await counts();
    await api.gql(
      `mutation($id: ID!) { setUserAttribute(input: {userId: $id, key: "region", values: ["EU", "US"]}) { id } }`,
      { id: user.id },
      admin.auth,
    );
    expect(await counts()).toEqual(before);

    await api.gql(`mutation($id: ID!) { removeUserAttribute(userId: $id, key: "region") { id } }`, { id: user.id }, admin.auth);
    const actions = (
      await api.testDb.db.auditEvent.findMany({ where: { targetId: { in: [user.id, groupId] } }, orderBy: { id: "asc" } })
    ).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["user.attribute.set", "group.member.added", "role.granted", "user.attribute.removed"]));
    const events = (await api.testDb.db.outboxEvent.findMany({ where: { aggregateId: { in: [user.id, groupId] } } })).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(["user.attributes.changed", "group.membership.changed", "user.roles.changed"]));
  });

  it("searches and paginates with cursors", async () => {
    for (let i = 0; i < 5; i++) {
      await api.gql(CREATE, { input: { username: `pager-${i}`, displayName: `Pager ${i}`, email: `pager${i}@example.com` } }, admin.auth);
    }
    const Q = `query($after: String) { users(filter: {search: "PAGER"}, first: 2, after: $after) { totalCount nodes { username } pageInfo { hasNextPage endCursor } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res: {
        data: {
          users: { totalCount: number; nodes: { username: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
        } | null;
      } = await api.gql(Q, { after }, admin.auth);
      const page = res.data!.users;
      expect(page.totalCount).toBe(5);
      seen.push(...page.nodes.map((n) => n.username));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(["pager-0", "pager-1", "pager-2", "pager-3", "pager-4"]);
    const bad = await api.gql(Q, { after: "bm90LWEtY3Vyc29y" }, admin.auth);
    expect(bad.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("never leaves Steward without an active administrator", async () => {
    const db = api.testDb.db;
    const admins = await db.roleAssignment.findMany({ where: { role: "ADMIN" } });
    // Demote every other admin first, then try to remove the last one.
    for (const a of admins.filter((a) => a.userId !== admin.id))
      await db.roleAssignment.delete({ where: { userId_role: { userId: a.userId, role: "ADMIN" } } });
    const res = await api.gql(`mutation($id: ID!) { revokeRole(userId: $id, role: ADMIN) { id } }`, { id: admin.id }, admin.auth);
    expect(res.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    const self = await api.gql(`mutation($id: ID!) { deactivateUser(id: $id) { id } }`, { id: admin.id }, admin.auth);
    expect(self.errors?.[0]?.extensions?.code).toBe("CONFLICT");
  });

  it("lets everyone read their own profile but not other users'", async () => {
    const me = await api.userWithRoles([]);
    const other = await api.userWithRoles([]);
    const own = await api.gql(`query($id: ID!) { user(id: $id) { username attributes { key } } }`, { id: me.id }, me.auth);
    expect(own.errors).toBeUndefined();
    const foreign = await api.gql(`query($id: ID!) { user(id: $id) { username } }`, { id: other.id }, me.auth);
    expect(foreign.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const list = await api.gql(`{ users { totalCount } }`, {}, me.auth);
    expect(list.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
