import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../../testing/api-harness";

let api: TestApi;
let admin: Awaited<ReturnType<TestApi["userWithRoles"]>>;
beforeAll(async () => {
  api = await startTestApi();
  admin = await api.userWithRoles(["ADMIN"]);
});
afterAll(() => api.close());

const USER_OPTIONS = `query($s: String, $n: Int) { userOptions(search: $s, first: $n) { id username displayName } }`;
const GROUP_OPTIONS = `query($s: String, $n: Int) { groupOptions(search: $s, first: $n) { id name } }`;

describe("userOptions / groupOptions (pickers)", () => {
  it("lets a data owner find active users by username or display name, names only", async () => {
    const owner = await api.userWithRoles(["DATA_OWNER"]);
    const active = await api.userWithRoles([], "picker-anna");
    await api.testDb.db.user.update({ where: { id: active.id }, data: { displayName: "Anna Zebrafish" } });
    const gone = await api.userWithRoles([], "picker-bert");
    await api.gql(`mutation($id: ID!) { deactivateUser(id: $id) { id } }`, { id: gone.id }, admin.auth);

    const byName = await api.gql<{ userOptions: { id: string; username: string; displayName: string }[] }>(
      USER_OPTIONS,
      { s: "picker-" },
      owner.auth,
    );
    expect(byName.errors).toBeUndefined();
    expect(byName.data?.userOptions).toEqual([{ id: active.id, username: "picker-anna", displayName: "Anna Zebrafish" }]);

    const byDisplay = await api.gql<{ userOptions: { id: string }[] }>(USER_OPTIONS, { s: "zebraFISH" }, owner.auth);
    expect(byDisplay.data?.userOptions.map((u) => u.id)).toEqual([active.id]);

    // The email is not searchable through the picker: it would reveal addresses the caller may not read.
    const byEmail = await api.gql<{ userOptions: unknown[] }>(USER_OPTIONS, { s: "picker-anna@example.com" }, owner.auth);
    expect(byEmail.data?.userOptions).toEqual([]);
  });

  it("exposes no directory fields on the option type", async () => {
    const owner = await api.userWithRoles(["DATA_OWNER"]);
    const res = await api.gql(`{ userOptions { id email } }`, {}, owner.auth);
    // Validation failures come back as BAD_USER_INPUT (apps/api/src/errors.ts); the point is the unknown field.
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(res.errors?.[0]?.message).toContain('"email"');
  });

  it("caps the list and rejects a larger page", async () => {
    const governor = await api.userWithRoles(["GOVERNOR"]);
    for (let i = 0; i < 3; i++) await api.userWithRoles([], `cap-user-${i}`);
    const two = await api.gql<{ userOptions: { username: string }[] }>(USER_OPTIONS, { s: "cap-user", n: 2 }, governor.auth);
    expect(two.data?.userOptions.map((u) => u.username)).toEqual(["cap-user-0", "cap-user-1"]);
    const tooMany = await api.gql(USER_OPTIONS, { n: 51 }, governor.auth);
    expect(tooMany.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("refuses plain consumers and anonymous callers", async () => {
    const consumer = await api.userWithRoles([]);
    for (const q of [USER_OPTIONS, GROUP_OPTIONS]) {
      expect((await api.gql(q, {}, consumer.auth)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      expect((await api.gql(q, {})).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    }
  });

  it("lets a data owner find groups by name, without members", async () => {
    const owner = await api.userWithRoles(["DATA_OWNER"]);
    const created = await api.gql<{ createGroup: { id: string } }>(
      `mutation { createGroup(input: {name: "Picker analysts"}) { id } }`,
      {},
      admin.auth,
    );
    const res = await api.gql<{ groupOptions: { id: string; name: string }[] }>(GROUP_OPTIONS, { s: "picker ana" }, owner.auth);
    expect(res.errors).toBeUndefined();
    expect(res.data?.groupOptions).toEqual([{ id: created.data!.createGroup.id, name: "Picker analysts" }]);
    // The full directory stays closed to them.
    expect((await api.gql(`{ groups { nodes { id } } }`, {}, owner.auth)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
