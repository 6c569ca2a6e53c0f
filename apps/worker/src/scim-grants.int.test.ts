/**
 * Issue #11: an identity provider's provisioning sequence, sent over HTTP to /scim/v2, ends in exactly the
 * PostgreSQL grants the subscription policies give — checked with has_table_privilege as the user's own
 * role — and a deactivation takes that access away. Real API, real worker, real PostgreSQL and Redis.
 * The request shapes follow apps/api/src/scim-idp-flows.int.test.ts (Okta's and Entra ID's documented flows);
 * here every step is followed through to the warehouse instead of stopping at the outbox.
 * No timing assertions: each step waits (generous deadline) until the outbox is dispatched and the
 * connection's desired version applied, then compares the grants exactly.
 */
import { randomUUID } from "node:crypto";
import { tryAs } from "@steward/integrations/grants/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ScimStack, startScimStack } from "./testing/scim-stack";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

// hr has no policy at all: nobody may ever read it, whatever the IdP does.
const TABLES = { eng: ["pipelines", "runs"], fin: ["ledger"], ops: ["incidents"], hr: ["salaries"] };

let s: ScimStack;
beforeAll(async () => {
  s = await startScimStack("scimgrants", TABLES);
  const mapped = await s.api.gql(
    `mutation { setScimAttributeMappings(mappings: [{scimPath: "${ENT}:department", attributeKey: "department"}]) { scimPath } }`,
    {},
    s.governor.auth,
  );
  expect(mapped.errors).toBeUndefined();
  // The mapped attribute's policy: Finance and Research read the fin schema.
  await createPolicy(
    "finance and research read fin",
    { attribute: { key: "department", match: "anyOf", values: ["Finance", "Research"] } },
    "fin",
  );
}, 120_000);
afterAll(() => s?.close(), 60_000);

async function createPolicy(name: string, condition: Record<string, unknown>, schema: string) {
  const res = await s.api.gql(
    `mutation($n: String!, $d: PolicyDefinitionInput!) { createPolicy(input: {name: $n, accessType: READ, definition: $d}) { policy { id } } }`,
    {
      n: name,
      d: { restriction: { conditions: condition }, scope: { schema: { connectionId: s.connectionId, database: s.warehouse, schema } } },
    },
    s.governor.auth,
  );
  expect(res.errors).toBeUndefined();
}

/** The user's PostgreSQL role (the Steward username) once the reconciles have settled. */
async function platformRole(userId: string): Promise<string> {
  const { username } = await s.api.testDb.db.user.findUniqueOrThrow({ where: { id: userId }, select: { username: true } });
  s.forget(username);
  return username;
}

async function expectGrants(role: string, readable: string[]) {
  await s.settled();
  expect(await s.readable(role)).toEqual(readable);
  expect(await s.writable(role)).toEqual([]);
}

async function expectAccessGone(role: string) {
  await s.settled();
  expect(await s.readable(role)).toEqual([]);
  expect(await s.canLogin(role)).toBe(false);
  expect(await tryAs(role, s.warehouse, "SELECT 1")).toMatch(/not permitted to log in/);
}

describe("Okta provisioning flow → PostgreSQL grants", () => {
  it("create, push group, add member, change department, deactivate", async () => {
    const userName = `isaac.brock.${randomUUID().slice(0, 8)}@example.com`;
    const lookup = await s.scim("GET", `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`);
    expect(lookup.body.totalResults).toBe(0);
    const created = await s.scim("POST", "/Users", {
      schemas: [USER, ENT],
      userName,
      name: { givenName: "Isaac", familyName: "Brock" },
      emails: [{ primary: true, value: userName, type: "work" }],
      displayName: "Isaac Brock",
      externalId: "00ujl29u0le5T6Aj10h7",
      groups: [],
      password: "1mz050nq",
      active: true,
      [ENT]: { department: "Engineering" },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const role = await platformRole(id);
    // Engineering matches no policy yet.
    await expectGrants(role, []);

    const group = await s.scim("POST", "/Groups", { schemas: [GROUP], displayName: "Data Engineers", members: [] });
    expect(group.status).toBe(201);
    const gid = group.body.id as string;
    await createPolicy("data engineers read eng", { group: gid }, "eng");
    await expectGrants(role, []);

    const added = await s.scim("PATCH", `/Groups/${gid}`, {
      schemas: [PATCH],
      Operations: [{ op: "add", path: "members", value: [{ value: id, display: userName }] }],
    });
    expect(added.status).toBe(200);
    await expectGrants(role, ["eng.pipelines", "eng.runs"]);
    expect(await tryAs(role, s.warehouse, "SELECT count(*) FROM eng.runs")).toBe("ok");

    const moved = await s.scim("PATCH", `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: "replace", value: { [`${ENT}:department`]: "Finance" } }],
    });
    expect(moved.status).toBe(200);
    await expectGrants(role, ["eng.pipelines", "eng.runs", "fin.ledger"]);

    const deactivated = await s.scim("PATCH", `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: "replace", value: { active: false } }],
    });
    expect(deactivated.body.active).toBe(false);
    await expectAccessGone(role);
  });
});

describe("Entra ID provisioning flow → PostgreSQL grants", () => {
  it('create, group Add, department Add, member Remove by filter, active "False"', async () => {
    const userName = `Test_User_${randomUUID()}@contoso.com`;
    const created = await s.scim("POST", "/Users", {
      schemas: [USER, ENT],
      externalId: randomUUID(),
      userName,
      active: true,
      emails: [{ primary: true, type: "work", value: `Test_User_${randomUUID()}@testuser.com` }],
      meta: { resourceType: "User" },
      name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
      roles: [],
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const role = await platformRole(id);
    await expectGrants(role, []);

    const group = await s.scim("POST", "/Groups", {
      schemas: [GROUP],
      externalId: randomUUID(),
      displayName: "On-call",
      meta: { resourceType: "Group" },
    });
    const gid = group.body.id as string;
    await createPolicy("on-call reads ops", { group: gid }, "ops");

    const add = await s.scim("PATCH", `/Groups/${gid}`, {
      schemas: [PATCH],
      Operations: [{ op: "Add", path: "members", value: [{ value: id }] }],
    });
    expect(add.status).toBe(200);
    await expectGrants(role, ["ops.incidents"]);

    const dept = await s.scim("PATCH", `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [
        { op: "Add", path: `${ENT}:department`, value: "Research" },
        { op: "Replace", path: 'emails[type eq "work"].value', value: "updatedEmail@microsoft.com" },
        { op: "Replace", path: "name.familyName", value: "updatedFamilyName" },
      ],
    });
    expect(dept.status).toBe(200);
    await expectGrants(role, ["fin.ledger", "ops.incidents"]);

    const rm = await s.scim("PATCH", `/Groups/${gid}`, {
      schemas: [PATCH],
      Operations: [{ op: "Remove", path: `members[value eq "${id}"]` }],
    });
    expect(rm.body.members).toEqual([]);
    await expectGrants(role, ["fin.ledger"]);

    const off = await s.scim("PATCH", `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    });
    expect(off.body.active).toBe(false);
    await expectAccessGone(role);
  });
});
