/**
 * "See as user" on Snowflake through the official snowflake-sdk against the wire emulator, whose
 * reads of a protected table evaluate the attached masking / row access policies for the session's
 * CURRENT_USER(). The preview (Steward's user, its PROFILE row set to the chosen user's facts in a
 * rolled-back transaction) must return exactly what the user's own login reads, and leave nothing.
 */
import { createHash } from "node:crypto";
import type { Expr, PolicyViewSpec, ProfileRow } from "@steward/policy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AccessDesiredState } from "../access-types";
import type { DataPreviewRequest } from "../adapter";
import { snowflakeAdapter } from "./adapter";
import { withSnowflake } from "./client";
import { connectionFor, STEWARD_USER, startEmulatedAccount } from "./testing/fixture";
import { EmulatedSqlError } from "./testing/lexer";
import type { WireServer } from "./testing/wire-server";

const access = snowflakeAdapter.access!;
const preview = snowflakeAdapter.dataPreview!;
let server: WireServer;

const SALT = "pepper'\\salt";
const HOSTILE = ["DB", 'we"ird.schema', "Robert'); DROP ROLE x; -- 名前"];
const ROWS = [
  { email: "a@x.eu", region: "EU", salary: 5000 },
  { email: "b@x.us", region: "US", salary: 7000 },
  { email: "c@x.eu", region: "EU", salary: 6000 },
];

beforeEach(async () => {
  server = await startEmulatedAccount();
  const m = server.model;
  m.addDatabase("GOV");
  m.addTable({
    database: "DB",
    schema: "S",
    name: "CUSTOMERS",
    tableType: "BASE TABLE",
    columns: [
      { name: "email", dataType: "TEXT" },
      { name: "region", dataType: "TEXT" },
      { name: "salary", dataType: "NUMBER", precision: 10, scale: 0 },
    ],
    rows: ROWS,
  });
  m.addTable({
    database: HOSTILE[0]!,
    schema: HOSTILE[1]!,
    name: HOSTILE[2]!,
    tableType: "BASE TABLE",
    columns: [{ name: "x 'y'", dataType: "TEXT" }],
    rows: [{ "x 'y'": "1" }],
  });
  m.addUser("U1", "pw1");
  m.addUser("U2", "pw2");
});
afterEach(() => server.close());

const col = (name: string): Expr => ({ k: "column", name });
const text = (value: string): Expr => ({ k: "literal", value: { k: "text", value } });
const spec: PolicyViewSpec = {
  sourceId: "CUSTOMERS",
  policyIds: ["p1"],
  conflicts: [],
  columns: [
    {
      name: "email",
      type: "text",
      dataType: "TEXT",
      expr: {
        k: "case",
        when: { k: "inProfileSet", value: text("hr"), set: { k: "groups" } },
        // biome-ignore lint/suspicious/noThenProperty: the IR names a CASE branch "then"
        then: col("email"),
        else: { k: "mask", mask: { kind: "hash" }, arg: col("email"), type: "text" },
      },
    },
    { name: "region", type: "text", dataType: "TEXT", expr: col("region") },
    { name: "salary", type: "integer", dataType: "NUMBER(10,0)", expr: col("salary") },
  ],
  rowFilter: { k: "compare", op: "=", left: col("region"), right: text("EU") },
};
const profile = (account: string, groups: string[], sources = ["CUSTOMERS"]): ProfileRow => ({
  accountName: account,
  userId: `id-${account}`,
  username: account.toLowerCase(),
  groups,
  attributes: {},
  projectId: null,
  purposes: [],
  sources,
});
const PROFILES = [profile("U1", ["hr"]), profile("U2", [])];
const desired: AccessDesiredState = {
  connectionId: "preview",
  version: 1,
  objects: [{ id: "CUSTOMERS", path: ["DB", "S", "CUSTOMERS"], objectType: "TABLE" }],
  accounts: ["U1", "U2"],
  access: ["U1", "U2"].map((u) => ({ objectId: "CUSTOMERS", accountName: u, level: "READ" as const })),
  settings: { unmanagedGrants: "REPORT" },
  dataPolicies: { viewsForEverything: false, views: [spec], profiles: PROFILES, hashSalt: SALT },
};
const conn = () => connectionFor(server, ["DB"], { policyDatabase: "GOV" });
const request = (p: ProfileRow, over: Partial<DataPreviewRequest> = {}): DataPreviewRequest => ({
  sourceId: "CUSTOMERS",
  path: ["DB", "S", "CUSTOMERS"],
  spec,
  profile: p,
  hashSalt: SALT,
  limit: 10,
  ...over,
});
const hashed = (v: string) =>
  createHash("sha256")
    .update(SALT + v)
    .digest("hex");
const profileRows = () => JSON.stringify(server.model.policy.rows.get(JSON.stringify(["GOV", "STEWARD_SYSTEM", "PROFILE"])));

/** What the user reads with their own login (their session's CURRENT_USER()). */
async function ownRead(user: string, password: string, sql: string): Promise<unknown[][]> {
  const c = connectionFor(server, ["DB"], { user });
  return withSnowflake(c.config as never, { password }, async (_q, table) => (await table(sql)).rows);
}

describe("Snowflake data preview (wire emulator)", () => {
  beforeEach(async () => {
    expect((await access.apply(conn(), desired)).kind).toBe("applied");
  });

  it("shows each user what their own login reads: rows filtered, masks applied for their profile", async () => {
    const before = profileRows();
    const hr = await preview.preview(conn(), request(PROFILES[0]!));
    const other = await preview.preview(conn(), request(PROFILES[1]!));
    if (hr.kind !== "rows" || other.kind !== "rows") throw new Error(JSON.stringify([hr, other]));
    expect(hr.columns).toEqual(["email", "region", "salary"]);
    expect(hr.rows).toEqual([
      ["a@x.eu", "EU", "5000"],
      ["c@x.eu", "EU", "6000"],
    ]);
    expect(other.rows).toEqual([
      [hashed("a@x.eu"), "EU", "5000"],
      [hashed("c@x.eu"), "EU", "6000"],
    ]);
    expect(await ownRead("U1", "pw1", hr.userSql)).toEqual(hr.rows);
    expect(await ownRead("U2", "pw2", other.userSql)).toEqual(other.rows);
    expect(other.userSql).toBe(`SELECT * FROM "DB"."S"."CUSTOMERS" LIMIT 10`);
    expect(other.sql).toContain(`BEGIN;\nMERGE INTO "GOV"."STEWARD_SYSTEM"."PROFILE"`);
    expect(other.sql).toContain(`'${STEWARD_USER}' AS "account"`);
    expect(other.sql.endsWith(`SELECT * FROM "DB"."S"."CUSTOMERS" LIMIT 10;\nROLLBACK`)).toBe(true);
    expect(other.warnings.some((w) => w.includes("CURRENT_USER()"))).toBe(true);
    expect(other.warnings.some((w) => w.includes("not the ones this spec compiles to"))).toBe(false);
    // Nothing stays behind: Steward's user has no PROFILE row, the users' rows are untouched.
    expect(profileRows()).toBe(before);
    expect(profileRows()).not.toContain(STEWARD_USER);
  });

  it("a spec that is not what is attached (a draft) is said so: the rows are the attached policies", async () => {
    const draft: PolicyViewSpec = { ...spec, rowFilter: { k: "compare", op: "=", left: col("region"), right: text("US") } };
    const result = await preview.preview(conn(), request(PROFILES[0]!, { spec: draft }));
    if (result.kind !== "rows") throw new Error(JSON.stringify(result));
    expect(result.warnings.filter((w) => w.includes("not the ones this spec compiles to"))).toHaveLength(1);
    expect(result.rows.map((r) => r[1])).toEqual(["EU", "EU"]);
  });

  it("a profile that does not list the source shows no rows; a hostile table name is read exactly", async () => {
    const unlisted = await preview.preview(conn(), request(profile("U1", ["hr"], [])));
    expect(unlisted.kind === "rows" && [unlisted.rows, unlisted.warnings[0]]).toEqual([
      [],
      "the user's profile does not list this source: no rows are shown",
    ]);
    const hostile = await preview.preview(conn(), request(profile("U1", [], ["H"]), { sourceId: "H", path: HOSTILE, spec: null }));
    expect(hostile.kind === "rows" && [hostile.columns, hostile.rows]).toEqual([["x 'y'"], [["1"]]]);
  });

  it("a read refused mid-way is a typed failure and the profile write is rolled back", async () => {
    const before = profileRows();
    server.model.refuse = (sql) =>
      sql.startsWith("SELECT *") ? new EmulatedSqlError("003001", "42501", "SQL access control error: Insufficient privileges") : null;
    const result = await preview.preview(conn(), request(PROFILES[1]!));
    expect(result.kind === "failed" && [result.error.code, result.error.errorClass]).toEqual(["MISSING_PRIVILEGE", "CONFIGURATION"]);
    expect(profileRows()).toBe(before);
    expect(server.model.statements.at(-1)?.sql).toBe("ROLLBACK");
  });

  it("bad input is refused before anything is sent", async () => {
    const logins = server.logins;
    const badPath = await preview.preview(conn(), request(PROFILES[0]!, { path: ["DB", "CUSTOMERS"] }));
    expect(badPath.kind === "failed" && badPath.error.code).toBe("INVALID_INPUT");
    const nul = await preview.preview(conn(), request(PROFILES[0]!, { path: ["DB", "S", "bad\0name"] }));
    expect(nul.kind === "failed" && nul.error.code).toBe("INVALID_INPUT");
    const noPolicyDb = await preview.preview(connectionFor(server, ["DB"]), request(PROFILES[0]!));
    expect(noPolicyDb.kind === "failed" && [noPolicyDb.error.code, noPolicyDb.error.errorClass]).toEqual([
      "INVALID_CONFIG",
      "CONFIGURATION",
    ]);
    expect(server.logins).toBe(logins);
  });
});
