/**
 * Request sequences shaped like the two IdPs' documented provisioning flows: create, add to group,
 * change an attribute, deactivate. Each step must land in Steward through the identity use-cases, so the
 * outbox carries the events the worker's access-propagation consumer turns into reconciles.
 * Sources for the request shapes: Okta's SCIM flow as listed in
 * https://docs.delinea.com/online-help/delinea-platform/scim/okta-scim-provisioning/okta-scim-endpoint-reference.htm
 * (userName eq lookup, POST, PATCH {"op":"replace","value":{"active":false}}); Entra ID's known deviations in
 * https://learn.microsoft.com/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
 * (capitalised ops, "False" strings, members[value eq "…"] removals).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "./testing/api-harness";
import { scimClient, scimKey } from "./testing/scim-client";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

let api: TestApi;
let scim: ReturnType<typeof scimClient>;
beforeAll(async () => {
  api = await startTestApi();
  const { secret, adminAuth } = await scimKey(api);
  scim = scimClient(api, secret);
  const set = await api.gql(
    `mutation { setScimAttributeMappings(mappings: [{scimPath: "${ENT}:department", attributeKey: "department"}]) { scimPath } }`,
    {},
    adminAuth,
  );
  expect(set.errors).toBeUndefined();
});
afterAll(() => api.close());

async function eventsFor(userId: string) {
  const rows = await api.testDb.db.outboxEvent.findMany({ orderBy: { id: "asc" }, select: { type: true, payload: true } });
  return rows.filter((r) => (r.payload as { userId?: string }).userId === userId).map((r) => r.type);
}

async function stewardUser(id: string) {
  return api.testDb.db.user.findUniqueOrThrow({
    where: { id },
    include: {
      attributes: { select: { key: true, value: true } },
      memberships: { select: { group: { select: { name: true } } } },
      sessions: true,
      apiKeys: true,
    },
  });
}

describe("Okta provisioning flow", () => {
  it("looks up, creates, pushes a group, changes the department, deactivates", async () => {
    const lookup = await scim("GET", `/Users?filter=${encodeURIComponent('userName eq "isaac.brock@example.com"')}&startIndex=1&count=100`);
    expect(lookup.body.totalResults).toBe(0);
    const created = await scim("POST", "/Users", {
      schemas: [USER, ENT],
      userName: "isaac.brock@example.com",
      name: { givenName: "Isaac", familyName: "Brock" },
      emails: [{ primary: true, value: "isaac.brock@example.com", type: "work" }],
      displayName: "Isaac Brock",
      locale: "en-US",
      externalId: "00ujl29u0le5T6Aj10h7",
      groups: [],
      password: "1mz050nq",
      active: true,
      [ENT]: { department: "Engineering" },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    // The email-shaped userName is no Steward username: its local part becomes one.
    expect((await stewardUser(id)).username).toBe("isaac.brock");

    const group = await scim("POST", "/Groups", { schemas: [GROUP], displayName: "Data Engineers", members: [] });
    const gid = group.body.id as string;
    const added = await scim("PATCH", `/Groups/${gid}`, {
      schemas: [PATCH],
      Operations: [{ op: "add", path: "members", value: [{ value: id, display: "isaac.brock@example.com" }] }],
    });
    expect(added.status).toBe(200);

    const moved = await scim("PATCH", `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: "replace", value: { [`${ENT}:department`]: "Finance" } }],
    });
    expect(moved.status).toBe(200);

    const deactivated = await scim("PATCH", `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: "replace", value: { active: false } }],
    });
    expect(deactivated.body.active).toBe(false);

    const user = await stewardUser(id);
    expect(user.status).toBe("DEACTIVATED");
    expect(user.attributes).toEqual([{ key: "department", value: "Finance" }]);
    expect(user.memberships.map((m) => m.group.name)).toEqual(["Data Engineers"]);
    expect(await eventsFor(id)).toEqual([
      "user.created",
      "user.attributes.changed",
      "group.membership.changed",
      "user.attributes.changed",
      "user.deactivated",
    ]);
    const audit = await api.testDb.db.auditEvent.findMany({
      where: { targetId: id },
      orderBy: { id: "asc" },
      select: { action: true, actorType: true },
    });
    expect(audit.map((a) => a.action)).toEqual([
      "user.created",
      "user.scim.linked",
      "user.attribute.set",
      "user.attribute.set",
      "user.deactivated",
    ]);
    expect(new Set(audit.map((a) => a.actorType))).toEqual(new Set(["API_KEY"]));
  });
});

describe("Entra ID provisioning flow", () => {
  it("accepts capitalised ops and string booleans, removes members by filter, deactivates", async () => {
    const created = await scim("POST", "/Users", {
      schemas: [USER, ENT],
      externalId: "e9e30dba-f08f-4109-8486-d5c6a331660a",
      userName: "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@contoso.com",
      active: true,
      emails: [{ primary: true, type: "work", value: "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com" }],
      meta: { resourceType: "User" },
      name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
      roles: [],
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const group = await scim("POST", "/Groups", {
      schemas: [GROUP],
      externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
      displayName: "displayName",
      meta: { resourceType: "Group" },
    });
    const gid = group.body.id as string;

    const add = await scim("PATCH", `/Groups/${gid}`, {
      schemas: [PATCH],
      Operations: [{ op: "Add", path: "members", value: [{ value: id }] }],
    });
    expect((add.body.members as { value: string }[]).map((m) => m.value)).toEqual([id]);
    const dept = await scim("PATCH", `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [
        { op: "Add", path: `${ENT}:department`, value: "Research" },
        { op: "Replace", path: 'emails[type eq "work"].value', value: "updatedEmail@microsoft.com" },
        { op: "Replace", path: "name.familyName", value: "updatedFamilyName" },
      ],
    });
    expect(dept.status).toBe(200);
    expect(dept.body.emails).toEqual([{ value: "updatedemail@microsoft.com", type: "work", primary: true }]);
    const rm = await scim("PATCH", `/Groups/${gid}`, {
      schemas: [PATCH],
      Operations: [{ op: "Remove", path: `members[value eq "${id}"]` }],
    });
    expect(rm.body.members).toEqual([]);
    const off = await scim("PATCH", `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: "Replace", path: "active", value: "False" }] });
    expect(off.body.active).toBe(false);

    const user = await stewardUser(id);
    expect(user.status).toBe("DEACTIVATED");
    expect(user.attributes).toEqual([{ key: "department", value: "Research" }]);
    expect(user.memberships).toEqual([]);
    expect(await eventsFor(id)).toEqual([
      "user.created",
      "group.membership.changed",
      "user.updated",
      "user.attributes.changed",
      "group.membership.changed",
      "user.deactivated",
    ]);
  });
});
