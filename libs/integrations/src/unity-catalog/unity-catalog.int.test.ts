/**
 * Catalog crawl and bad input against the real Unity Catalog OSS server: wrong and expired tokens, a
 * principal without privileges (403), a wrong URL and a missing principal (404), a server that
 * answers 500 (Databricks spelling sent to OSS). Each is a typed problem or a failed result, and
 * whatever reached the server is exactly what the ledger recorded.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AccessDesiredState } from "../access-types";
import { unityCatalogAdapterWith } from "./adapter";
import { UcConfig } from "./config";
import { memoryGrantLedger } from "./ledger";
import { type RunningUnityCatalog, startUnityCatalog } from "./testing/uc-runtime";
import { unityCatalogConnector } from "./unity-catalog.connector";

const api = "/api/2.1/unity-catalog";
const CATALOG = "crawl_Cat-1";
let uc: RunningUnityCatalog;

const table = (schema: string, name: string, columns: string[] = ["id"]) => ({
  name,
  catalog_name: CATALOG,
  schema_name: schema,
  table_type: "EXTERNAL",
  data_source_format: "DELTA",
  columns: columns.map((c, i) => ({ name: c, type_name: "STRING", type_text: "string", type_json: "{}", position: i, nullable: i > 0 })),
  storage_location: `file:///tmp/steward-uc-int/${schema}/${name}`,
});

beforeAll(async () => {
  uc = await startUnityCatalog();
  await uc.rest("POST", `${api}/catalogs`, { name: CATALOG });
  await uc.rest("POST", `${api}/catalogs`, { name: "other" });
  for (const s of ["sales", "Odd@Schema-x"]) await uc.rest("POST", `${api}/schemas`, { name: s, catalog_name: CATALOG });
  await uc.rest("POST", `${api}/tables`, table("sales", "orders", ["id", "amount"]));
  await uc.rest("POST", `${api}/tables`, table("Odd@Schema-x", "we@rd-T"));
  for (const u of ["ann@example.test", "no-rights@example.test"]) await uc.createUser(u);
}, 120_000);
afterAll(() => uc?.stop());

const config = () => ({ url: uc.url, flavor: "OSS", catalogs: [CATALOG] });
const objects = [
  { id: "orders", path: [CATALOG, "sales", "orders"], objectType: "TABLE" },
  { id: "weird", path: [CATALOG, "Odd@Schema-x", "we@rd-T"], objectType: "EXTERNAL_TABLE" },
];
let version = 0;
const desired = (access: AccessDesiredState["access"], accounts = ["ann@example.test"]): AccessDesiredState => ({
  connectionId: "uc-int",
  version: ++version,
  objects,
  accounts,
  access,
  settings: { unmanagedGrants: "REPORT" },
});
/** Every (securable, principal, privilege) on the governed objects and their parents, as the server says. */
async function serverGrants(): Promise<string[]> {
  const out: string[] = [];
  const securables: [string, string[]][] = [
    ["catalog", [CATALOG]],
    ["schema", [CATALOG, "sales"]],
    ["schema", [CATALOG, "Odd@Schema-x"]],
    ...objects.map((o): [string, string[]] => ["table", o.path]),
  ];
  for (const [type, parts] of securables) {
    const res = await uc.rest<{ privilege_assignments: { principal: string; privileges: string[] }[] }>(
      "GET",
      `${api}/permissions/${type}/${parts.map(encodeURIComponent).join(".")}`,
    );
    for (const a of res.privilege_assignments)
      for (const p of a.privileges) out.push(`${type}:${parts.join("\u0000")}\u0001${a.principal}\u0001${p.replaceAll(" ", "_")}`);
  }
  return out.sort();
}

/** Each test starts from a server without grants (and a fresh ledger). */
afterEach(async () => {
  for (const key of await serverGrants()) {
    const [where, principal, privilege] = key.split("\u0001") as [string, string, string];
    const [type, rest] = [where.slice(0, where.indexOf(":")), where.slice(where.indexOf(":") + 1)];
    const path = rest.split("\u0000").map(encodeURIComponent).join(".");
    await uc.rest("PATCH", `${api}/permissions/${type}/${path}`, {
      changes: [{ principal, add: [], remove: [privilege.replaceAll("_", " ")] }],
    });
  }
});

describe("Unity Catalog crawl (real OSS server)", () => {
  it("lists catalogs → schemas → tables with their table_type and columns, odd names intact", async () => {
    const objs = await unityCatalogConnector.crawl(UcConfig.parse(config()), { token: uc.adminToken });
    expect(objs.map((o) => [o.path.join("|"), o.objectType])).toEqual([
      [`${CATALOG}|Odd@Schema-x|we@rd-T`, "EXTERNAL_TABLE"],
      [`${CATALOG}|sales|orders`, "EXTERNAL_TABLE"],
    ]);
    expect(objs.find((o) => o.path[2] === "orders")?.columns).toEqual([
      { name: "id", dataType: "string", ordinal: 1, nullable: false },
      { name: "amount", dataType: "string", ordinal: 2, nullable: true },
    ]);
  });

  it("tests a connection: catalogs seen; a missing catalog, a wrong token, a wrong URL are typed problems", async () => {
    const ok = await unityCatalogConnector.testConnection(UcConfig.parse({ ...config(), catalogs: [] }), { token: uc.adminToken });
    expect(ok.ok && [...ok.databases].sort()).toEqual([CATALOG, "other"]);
    const missing = await unityCatalogConnector.testConnection(UcConfig.parse({ ...config(), catalogs: ["nope"] }), {
      token: uc.adminToken,
    });
    expect(!missing.ok && missing.problem.code).toBe("NOT_FOUND");
    const badToken = await unityCatalogConnector.testConnection(UcConfig.parse(config()), { token: "not-a-token" });
    expect(!badToken.ok && badToken.problem.code).toBe("AUTH_FAILED");
    const expired = await unityCatalogConnector.testConnection(UcConfig.parse(config()), {
      token: uc.userToken("ann@example.test", { expiresAt: new Date(Date.now() - 60_000) }),
    });
    expect(!expired.ok && expired.problem.code).toBe("AUTH_FAILED");
    const wrongUrl = await unityCatalogConnector.testConnection(UcConfig.parse({ ...config(), url: `${uc.url}/elsewhere` }), {
      token: uc.adminToken,
    });
    expect(!wrongUrl.ok && wrongUrl.problem.code).toBe("NOT_FOUND");
  });
});

describe("Unity Catalog grants: bad input (real OSS server)", () => {
  it("WRITE on an external table is SELECT only; USE CATALOG / USE SCHEMA on the parents, spelled for OSS", async () => {
    const ledger = memoryGrantLedger();
    const adapter = unityCatalogAdapterWith({ ledger });
    const conn = { config: config(), credentials: { token: uc.adminToken } };
    const res = await adapter.access!.apply(conn, desired([{ objectId: "weird", accountName: "ann@example.test", level: "WRITE" }]));
    expect(res.kind).toBe("applied");
    expect(res.kind === "applied" && res.statements).toEqual([
      `PATCH /permissions/catalog/crawl_Cat-1 {"changes":[{"principal":"ann@example.test","add":["USE CATALOG"],"remove":[]}]}`,
      `PATCH /permissions/schema/crawl_Cat-1.Odd%40Schema-x {"changes":[{"principal":"ann@example.test","add":["USE SCHEMA"],"remove":[]}]}`,
      `PATCH /permissions/table/crawl_Cat-1.Odd%40Schema-x.we%40rd-T {"changes":[{"principal":"ann@example.test","add":["SELECT"],"remove":[]}]}`,
    ]);
    expect(res.kind === "applied" && res.warnings.join()).toMatch(/granted as SELECT/);
    expect(await serverGrants()).toEqual(ledger.entries("uc-int"));
    expect((await adapter.access!.apply(conn, desired([]))).kind).toBe("applied");
    expect(await serverGrants()).toEqual([]);
  });

  it("a wrong or expired token fails AUTH_FAILED (CONFIGURATION) and changes nothing", async () => {
    const adapter = unityCatalogAdapterWith({ ledger: memoryGrantLedger() });
    for (const token of ["garbage", uc.userToken("ann@example.test", { expiresAt: new Date(Date.now() - 1000) })]) {
      const res = await adapter.access!.apply(
        { config: config(), credentials: { token } },
        desired([{ objectId: "orders", accountName: "ann@example.test", level: "READ" }]),
      );
      expect(res.kind === "failed" && [res.error.code, res.error.errorClass, res.statements]).toEqual(["AUTH_FAILED", "CONFIGURATION", []]);
    }
    expect(await serverGrants()).toEqual([]);
  });

  it("a principal without privileges gets 403: PERMISSION_DENIED (CONFIGURATION), nothing granted", async () => {
    const adapter = unityCatalogAdapterWith({ ledger: memoryGrantLedger() });
    const token = uc.userToken("no-rights@example.test");
    const res = await adapter.access!.apply(
      { config: config(), credentials: { token } },
      desired([{ objectId: "orders", accountName: "ann@example.test", level: "READ" }]),
    );
    expect(res.kind === "failed" && [res.error.code, res.error.errorClass]).toEqual(["PERMISSION_DENIED", "CONFIGURATION"]);
    expect(res.kind === "failed" && res.error.message).toMatch(/HTTP 403/);
    expect(await serverGrants()).toEqual([]);
  });

  it("a connection set to Databricks on an OSS server (no account SCIM API there) is a CONFIGURATION failure; the platform holds only what was recorded", async () => {
    const ledger = memoryGrantLedger();
    const adapter = unityCatalogAdapterWith({ ledger });
    const res = await adapter.access!.apply(
      { config: { ...config(), flavor: "DATABRICKS" }, credentials: { token: uc.adminToken } },
      desired([{ objectId: "orders", accountName: "ann@example.test", level: "WRITE" }]),
    );
    expect(res.kind === "failed" && [res.error.code, res.error.errorClass]).toEqual(["INVALID_CONFIG", "CONFIGURATION"]);
    expect(res.kind === "failed" && res.error.message).toMatch(/HTTP 404.*flavor/s);
    expect(await serverGrants()).toEqual(ledger.entries("uc-int"));
  });

  it("a principal the server does not know (404) fails PERMANENT; the platform holds only what was recorded", async () => {
    const ledger = memoryGrantLedger();
    const adapter = unityCatalogAdapterWith({ ledger });
    const conn = { config: { ...config(), concurrency: 1 }, credentials: { token: uc.adminToken } };
    const res = await adapter.access!.apply(
      conn,
      desired([{ objectId: "orders", accountName: "ghost@example.test", level: "READ" }], ["ghost@example.test"]),
    );
    expect(res.kind === "failed" && [res.error.code, res.error.errorClass, res.statements.length]).toEqual(["NOT_FOUND", "PERMANENT", 0]);
    expect(res.kind === "failed" && res.statementsAttempted.length).toBe(1);
    expect(await serverGrants()).toEqual(ledger.entries("uc-int"));
  });

  it("a name the REST API cannot carry (a dot inside a part) is refused before any request", async () => {
    let requests = 0;
    const counting: typeof fetch = (input, init) => {
      requests++;
      return fetch(input, init);
    };
    const adapter = unityCatalogAdapterWith({ ledger: memoryGrantLedger(), fetch: counting });
    const bad = { ...desired([]), objects: [{ id: "x", path: [CATALOG, "sales", "a.b"], objectType: "TABLE" }] };
    const res = await adapter.access!.apply({ config: config(), credentials: { token: uc.adminToken } }, bad);
    expect(res.kind === "failed" && [res.error.code, res.error.errorClass]).toEqual(["INVALID_INPUT", "PERMANENT"]);
    expect(requests).toBe(0);
  });

  it("an object dropped since the last sync is reported and skipped; the others are applied", async () => {
    const ledger = memoryGrantLedger();
    const adapter = unityCatalogAdapterWith({ ledger });
    const conn = { config: config(), credentials: { token: uc.adminToken } };
    const withGone = {
      ...desired([
        { objectId: "orders", accountName: "ann@example.test", level: "READ" },
        { objectId: "gone", accountName: "ann@example.test", level: "READ" },
      ]),
    };
    withGone.objects = [...objects, { id: "gone", path: [CATALOG, "sales", "dropped"], objectType: "TABLE" }];
    const res = await adapter.access!.apply(conn, withGone);
    expect(res.kind === "applied" && res.warnings.some((w) => /dropped.*does not exist/.test(w))).toBe(true);
    expect(res.kind === "applied" && res.statements.some((x) => x.includes("dropped"))).toBe(false);
    expect(await serverGrants()).toEqual(ledger.entries("uc-int"));
    const drift = await adapter.access!.drift(conn, withGone);
    expect(drift.kind === "drift" && drift.findings.filter((f) => f.kind === "SECURABLE_MISSING").map((f) => f.securable)).toEqual([
      `table ${CATALOG}.sales.dropped`,
    ]);
    expect((await adapter.access!.apply(conn, desired([]))).kind).toBe("applied");
  });
});
