/**
 * SCIM 2.0 conformance from RFC 7644's own examples, over HTTP against the real API and PostgreSQL:
 * discovery, create/get/replace/patch/delete, filters, pagination, ETags, key scopes, and bad input that
 * must answer RFC-shaped errors and change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "./testing/api-harness";
import { type ScimResponse, scimClient, scimKey } from "./testing/scim-client";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

let api: TestApi;
let scim: ReturnType<typeof scimClient>;
let secret: string;
beforeAll(async () => {
  api = await startTestApi();
  ({ secret } = await scimKey(api));
  scim = scimClient(api, secret);
  const admin = await api.userWithRoles(["ADMIN"]);
  const set = await api.gql(
    `mutation { setScimAttributeMappings(mappings: [{scimPath: "${ENT}:department", attributeKey: "department"}, {scimPath: "${ENT}:costCenter", attributeKey: "cost_center"}]) { scimPath } }`,
    {},
    admin.auth,
  );
  expect(set.errors).toBeUndefined();
});
afterAll(() => api.close());

const expectError = (res: ScimResponse, status: number, scimType?: string) => {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/scim+json");
  expect(res.body.schemas).toEqual([ERROR]);
  expect(res.body.status).toBe(String(status));
  if (scimType) expect(res.body.scimType).toBe(scimType);
};

/** Everything a bad request could have touched: it must be identical before and after. */
async function dbState() {
  const db = api.testDb.db;
  const [users, groups, members, attributes, audit, outbox] = await Promise.all([
    db.user.findMany({
      orderBy: { id: "asc" },
      select: { id: true, username: true, scimUserName: true, externalId: true, displayName: true, email: true, status: true },
    }),
    db.group.findMany({ orderBy: { id: "asc" }, select: { id: true, name: true, externalId: true } }),
    db.groupMembership.count(),
    db.userAttribute.findMany({
      orderBy: [{ userId: "asc" }, { key: "asc" }, { value: "asc" }],
      select: { userId: true, key: true, value: true },
    }),
    db.auditEvent.count({ where: { action: { not: "scim.mapping.changed" } } }),
    db.outboxEvent.count(),
  ]);
  return { users, groups, members, attributes, audit, outbox };
}

describe("discovery (RFC 7644 §4)", () => {
  it("serves ServiceProviderConfig, ResourceTypes and Schemas", async () => {
    const spc = await scim("GET", "/ServiceProviderConfig");
    expect(spc.status).toBe(200);
    expect(spc.headers.get("content-type")).toContain("application/scim+json");
    expect(spc.body).toMatchObject({
      patch: { supported: true },
      filter: { supported: true },
      etag: { supported: true },
      sort: { supported: false },
      bulk: { supported: false },
    });
    const types = await scim("GET", "/ResourceTypes");
    expect((types.body.Resources as { id: string }[]).map((r) => r.id)).toEqual(["User", "Group"]);
    expect((await scim("GET", "/ResourceTypes/User")).body).toMatchObject({
      endpoint: "/Users",
      schema: USER,
      schemaExtensions: [{ schema: ENT, required: false }],
    });
    const schemas = await scim("GET", "/Schemas");
    expect((schemas.body.Resources as { id: string }[]).map((s) => s.id)).toEqual([USER, GROUP, ENT]);
    expect((await scim("GET", `/Schemas/${ENT}`)).body.name).toBe("EnterpriseUser");
    expectError(await scim("GET", "/Schemas/urn:nope"), 404);
  });
});

describe("Users (RFC 7644 §3.3–3.6 examples)", () => {
  it("creates, reads, replaces, patches and deletes bjensen", async () => {
    // §3.3: the RFC's create request, with the enterprise extension.
    const created = await scim("POST", "/Users", {
      schemas: [USER, ENT],
      userName: "bjensen",
      externalId: "bjensen",
      name: { formatted: "Ms. Barbara J Jensen III", familyName: "Jensen", givenName: "Barbara" },
      [ENT]: { department: "Tour Operations", costCenter: "4130", employeeNumber: "701984" },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.headers.get("location")).toBe(`${api.url}/scim/v2/Users/${id}`);
    expect(created.headers.get("etag")).toMatch(/^W\/"[0-9a-f]+"$/);
    expect(created.body).toMatchObject({
      userName: "bjensen",
      externalId: "bjensen",
      displayName: "Ms. Barbara J Jensen III",
      active: true,
      [ENT]: { department: "Tour Operations", costCenter: "4130" },
    });
    // employeeNumber is not mapped, so Steward stores and returns nothing for it.
    expect((created.body[ENT] as Record<string, unknown>).employeeNumber).toBeUndefined();
    const row = await api.testDb.db.user.findUniqueOrThrow({ where: { id }, include: { attributes: true } });
    expect(row.username).toBe("bjensen");
    expect(row.attributes.map((a) => `${a.key}=${a.value}`).sort()).toEqual(["cost_center=4130", "department=Tour Operations"]);

    // §3.4.1 GET with the ETag; If-None-Match answers 304.
    const got = await scim("GET", `/Users/${id}`);
    expect(got.body).toEqual(created.body);
    expect((await scim("GET", `/Users/${id}`, undefined, { "if-none-match": got.headers.get("etag")! })).status).toBe(304);

    // §3.5.1 PUT replaces; an attribute left out (costCenter) is removed from Steward too.
    const put = await scim(
      "PUT",
      `/Users/${id}`,
      {
        schemas: [USER, ENT],
        userName: "bjensen",
        externalId: "bjensen",
        displayName: "Babs Jensen",
        emails: [{ value: "bjensen@example.com", type: "work", primary: true }],
        [ENT]: { department: "Tours" },
      },
      { "if-match": got.headers.get("etag")! },
    );
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      displayName: "Babs Jensen",
      emails: [{ value: "bjensen@example.com" }],
      [ENT]: { department: "Tours" },
    });
    expect((put.body[ENT] as Record<string, unknown>).costCenter).toBeUndefined();

    // A stale ETag is refused with 412 and changes nothing.
    const stale = await scim(
      "PATCH",
      `/Users/${id}`,
      { schemas: [PATCH], Operations: [{ op: "replace", path: "displayName", value: "X" }] },
      { "if-match": got.headers.get("etag")! },
    );
    expectError(stale, 412);

    // §3.5.2 PATCH: replace, add, remove.
    const patched = await scim(
      "PATCH",
      `/Users/${id}`,
      {
        schemas: [PATCH],
        Operations: [
          { op: "replace", path: "displayName", value: "Barbara Jensen" },
          { op: "add", path: `${ENT}:costCenter`, value: "4200" },
          { op: "remove", path: `${ENT}:department` },
        ],
      },
      { "if-match": put.headers.get("etag")! },
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ displayName: "Barbara Jensen", [ENT]: { costCenter: "4200" } });
    expect((patched.body[ENT] as Record<string, unknown>).department).toBeUndefined();

    // §3.6 DELETE: 204, then 404; Steward keeps the person, deactivated and unlinked.
    expect((await scim("DELETE", `/Users/${id}`)).status).toBe(204);
    expectError(await scim("GET", `/Users/${id}`), 404);
    const after = await api.testDb.db.user.findUniqueOrThrow({ where: { id } });
    expect(after).toMatchObject({ status: "DEACTIVATED", scimUserName: null, externalId: null });
  });

  it("filters (userName eq, externalId eq, displayName co) and pages (startIndex/count)", async () => {
    const names = ["ann.lee@example.com", "bo.chen@example.com", "cy.diaz@example.com"];
    for (const [i, userName] of names.entries()) {
      const r = await scim("POST", "/Users", { schemas: [USER], userName, externalId: `ext-${i}`, displayName: `Pager ${i}` });
      expect(r.status).toBe(201);
    }
    const q = (f: string) => scim("GET", `/Users?filter=${encodeURIComponent(f)}`);
    const byName = await q('userName eq "BO.CHEN@example.com"');
    expect(byName.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], totalResults: 1 });
    expect((byName.body.Resources as { userName: string }[])[0]!.userName).toBe("bo.chen@example.com");
    expect((await q('externalId eq "ext-2"')).body.totalResults).toBe(1);
    expect((await q('externalId eq "EXT-2"')).body.totalResults).toBe(0); // externalId is case-exact
    expect((await q('displayName co "pager"')).body.totalResults).toBe(3);
    const page = await scim("GET", `/Users?filter=${encodeURIComponent('displayName sw "Pager"')}&startIndex=2&count=1`);
    expect(page.body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    expect((page.body.Resources as { displayName: string }[])[0]!.displayName).toBe("Pager 1");
    const none = await scim("GET", "/Users?count=0");
    expect(none.body.itemsPerPage).toBe(0);
    expect(none.body.Resources).toEqual([]);
  });
});

describe("Groups (RFC 7644 §3.5.2 membership examples)", () => {
  it("creates a group with members, changes membership by PATCH, renames and deletes it", async () => {
    const mk = async (userName: string) => (await scim("POST", "/Users", { schemas: [USER], userName })).body.id as string;
    const [a, b, c] = [await mk("g.one"), await mk("g.two"), await mk("g.three")];
    const g = await scim("POST", "/Groups", {
      schemas: [GROUP],
      displayName: "Tour Guides",
      externalId: "tg",
      members: [{ value: a, type: "User" }],
    });
    expect(g.status).toBe(201);
    const gid = g.body.id as string;
    const ids = (r: ScimResponse) => (r.body.members as { value: string }[]).map((m) => m.value).sort();
    const add = await scim("PATCH", `/Groups/${gid}`, {
      schemas: [PATCH],
      Operations: [{ op: "add", path: "members", value: [{ value: b }, { value: c }] }],
    });
    expect(ids(add)).toEqual([a, b, c].sort());
    const rm = await scim("PATCH", `/Groups/${gid}`, {
      schemas: [PATCH],
      Operations: [{ op: "remove", path: `members[value eq "${b}"]` }],
    });
    expect(ids(rm)).toEqual([a, c].sort());
    const replace = await scim("PATCH", `/Groups/${gid}`, {
      schemas: [PATCH],
      Operations: [
        { op: "replace", path: "members", value: [{ value: b }] },
        { op: "replace", path: "displayName", value: "Guides" },
      ],
    });
    expect(ids(replace)).toEqual([b]);
    expect(replace.body.displayName).toBe("Guides");
    expect((await scim("GET", `/Groups?filter=${encodeURIComponent('displayName eq "guides"')}`)).body.totalResults).toBe(1);
    expect((await scim("GET", `/Groups?filter=${encodeURIComponent(`members[value eq "${b}"]`)}`)).body.totalResults).toBe(1);
    expect((await scim("GET", `/Users/${b}`)).body.groups).toEqual([
      { value: gid, display: "Guides", $ref: `${api.url}/scim/v2/Groups/${gid}` },
    ]);
    const events = await api.testDb.db.outboxEvent.findMany({ where: { type: "group.membership.changed", aggregateId: gid } });
    expect(events).toHaveLength(7); // a (create); b, c added; b removed; a, c removed and b added again
    expect((await scim("DELETE", `/Groups/${gid}`)).status).toBe(204);
    expectError(await scim("GET", `/Groups/${gid}`), 404);
  });
});

describe("keys and scopes", () => {
  it("accepts only SCIM keys at /scim/v2 and refuses them at /graphql", async () => {
    expectError(await scim("GET", "/Users", undefined, {}, "nonsense"), 401);
    const admin = await api.userWithRoles(["ADMIN"]);
    const normal = await api.gql<{ createApiKey: { secret: string } }>(
      `mutation { createApiKey(input: {name: "n", roles: [ADMIN]}) { secret } }`,
      {},
      admin.auth,
    );
    const refused = await scim("GET", "/Users", undefined, {}, normal.data!.createApiKey.secret);
    expectError(refused, 401);
    expect(refused.headers.get("www-authenticate")).toContain("Bearer");
    const gql = await api.gql(`{ me { id } }`, {}, { bearer: secret });
    expect(gql.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const gov = await api.userWithRoles(["GOVERNOR"]);
    const notAdmin = await api.gql(`mutation { createApiKey(input: {name: "idp", scope: SCIM}) { secret } }`, {}, gov.auth);
    expect(notAdmin.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("bad input: RFC-shaped errors, nothing changed", () => {
  it("refuses each bad request and leaves the database exactly as it was", async () => {
    const u = (await scim("POST", "/Users", { schemas: [USER], userName: "victim@example.com", [ENT]: { department: "Safe" } })).body
      .id as string;
    const other = (await scim("POST", "/Users", { schemas: [USER], userName: "other@example.com" })).body.id as string;
    const g = (await scim("POST", "/Groups", { schemas: [GROUP], displayName: "Untouched", members: [{ value: u }] })).body.id as string;
    const before = await dbState();
    const cases: [string, () => Promise<ScimResponse>, number, string | undefined][] = [
      ["malformed JSON", () => scim("POST", "/Users", '{"schemas": ["' + USER + '"], "userName": '), 400, "invalidSyntax"],
      ["body not an object", () => scim("POST", "/Users", "[1,2]"), 400, "invalidSyntax"],
      ["unknown schema", () => scim("POST", "/Users", { schemas: [USER, "urn:evil:schema"], userName: "x1" }), 400, "invalidValue"],
      ["group schema at /Users", () => scim("POST", "/Users", { schemas: [GROUP], userName: "x2" }), 400, "invalidValue"],
      ["no userName", () => scim("POST", "/Users", { schemas: [USER] }), 400, "invalidValue"],
      ["active not a boolean", () => scim("POST", "/Users", { schemas: [USER], userName: "x3", active: "maybe" }), 400, "invalidValue"],
      ["duplicate userName", () => scim("POST", "/Users", { schemas: [USER], userName: "VICTIM@example.com" }), 409, "uniqueness"],
      [
        "injection in filter",
        () => scim("GET", `/Users?filter=${encodeURIComponent(`userName eq "x" or 1=1; DROP TABLE "User"`)}`),
        400,
        "invalidFilter",
      ],
      ["unsupported filter attribute", () => scim("GET", `/Users?filter=${encodeURIComponent("password pr")}`), 400, "invalidFilter"],
      [
        "patch path that does not exist",
        () =>
          scim("PATCH", `/Users/${u}`, {
            schemas: [PATCH],
            Operations: [
              { op: "replace", path: "displayName", value: "Changed" },
              { op: "replace", path: "shoeSize", value: 9 },
            ],
          }),
        400,
        "invalidPath",
      ],
      [
        "patch a read-only attribute",
        () => scim("PATCH", `/Users/${u}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "id", value: other }] }),
        400,
        "mutability",
      ],
      ["remove without a path", () => scim("PATCH", `/Users/${u}`, { schemas: [PATCH], Operations: [{ op: "remove" }] }), 400, "noTarget"],
      [
        "patch without PatchOp schema",
        () => scim("PATCH", `/Users/${u}`, { Operations: [{ op: "replace", path: "displayName", value: "Y" }] }),
        400,
        "invalidSyntax",
      ],
      // The first operation is valid and would succeed; the second fails late (uniqueness): nothing of it stays.
      [
        "late failure rolls back earlier ops",
        () =>
          scim("PATCH", `/Users/${u}`, {
            schemas: [PATCH],
            Operations: [
              { op: "replace", path: `${ENT}:department`, value: "Leaked" },
              { op: "replace", path: "userName", value: "other@example.com" },
            ],
          }),
        409,
        "uniqueness",
      ],
      [
        "member that is no user",
        () =>
          scim("PATCH", `/Groups/${g}`, {
            schemas: [PATCH],
            Operations: [
              { op: "remove", path: "members", value: [{ value: u }] },
              { op: "add", path: "members", value: [{ value: '\'; DELETE FROM "Group"; --' }] },
            ],
          }),
        400,
        "invalidValue",
      ],
      [
        "hostile group name",
        () =>
          scim("PATCH", `/Groups/${g}`, {
            schemas: [PATCH],
            Operations: [{ op: "replace", path: "displayName", value: 'x"; DROP TABLE "Group"; --' }],
          }),
        400,
        "invalidValue",
      ],
      [
        "unknown user id",
        () => scim("PUT", "/Users/00000000-0000-4000-8000-000000000000", { schemas: [USER], userName: "ghost" }),
        404,
        undefined,
      ],
      ["not a uuid", () => scim("GET", "/Users/..%2F..%2Fetc"), 404, undefined],
      ["unknown endpoint", () => scim("GET", "/Bulk"), 404, undefined],
    ];
    for (const [name, send, status, scimType] of cases) {
      const res = await send();
      try {
        expectError(res, status, scimType);
      } catch (err) {
        throw new Error(`${name}: ${res.status} ${JSON.stringify(res.body)} (${(err as Error).message})`);
      }
    }
    expect(await dbState()).toEqual(before);
  });
});
