/**
 * Data policies end to end through the official snowflake-sdk against the wire emulator: golden
 * statements of a first apply (system objects → salt → profiles → creates → attaches, then grants),
 * no change = 0 statements, a changed mask swapped in place, a profile change as one MERGE, a spec
 * removed, the delta path, hostile names, drift, and bad input refused before anything is sent.
 */
import type { Expr, PolicyViewSpec, ProfileRow } from "@steward/policy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AccessDesiredState, AccessObject } from "../access-types";
import { snowflakeAdapter } from "./adapter";
import { snowflakeConnector } from "./snowflake.connector";
import { connectionFor, startEmulatedAccount } from "./testing/fixture";
import type { WireServer } from "./testing/wire-server";

const access = snowflakeAdapter.access!;
let server: WireServer;
let version = 0;

const HOSTILE_TABLE = 'cust"omers; DROP TABLE x; --';
const HOSTILE_COLUMN = "é-mail \"addr\" 'x' 名前";
const TABLE = ["DB", "S", "CUSTOMERS"];
const HOSTILE = ["DB", "we\"ird's schema", HOSTILE_TABLE];

beforeEach(async () => {
  server = await startEmulatedAccount();
  const m = server.model;
  m.addDatabase("GOV");
  const columns = [
    { name: "email", dataType: "TEXT" },
    { name: "region", dataType: "TEXT" },
    { name: "salary", dataType: "NUMBER" },
  ];
  m.addTable({ database: "DB", schema: "S", name: "CUSTOMERS", tableType: "BASE TABLE", columns });
  m.addTable({ database: "DB", schema: "S", name: "V", tableType: "VIEW", columns });
  m.addTable({
    database: HOSTILE[0]!,
    schema: HOSTILE[1]!,
    name: HOSTILE[2]!,
    tableType: "BASE TABLE",
    columns: [{ name: HOSTILE_COLUMN, dataType: "TEXT" }],
  });
  m.addUser("U1");
  m.addUser("U2");
});
afterEach(() => server.close());

const col = (name: string): Expr => ({ k: "column", name });
const text = (value: string): Expr => ({ k: "literal", value: { k: "text", value } });
const inGroup = (g: string): Expr => ({ k: "inProfileSet", value: text(g), set: { k: "groups" } });

function customers(group = "hr", region = "EU"): PolicyViewSpec {
  return {
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
          when: inGroup(group),
          // biome-ignore lint/suspicious/noThenProperty: the IR names a CASE branch "then"
          then: col("email"),
          else: { k: "mask", mask: { kind: "hash" }, arg: col("email"), type: "text" },
        },
      },
      { name: "region", type: "text", dataType: "TEXT", expr: col("region") },
      { name: "salary", type: "integer", dataType: "NUMBER", expr: col("salary") },
    ],
    rowFilter: { k: "compare", op: "=", left: col("region"), right: text(region) },
  };
}

const profile = (account: string, groups: string[] = ["hr"]): ProfileRow => ({
  accountName: account,
  userId: `id-${account}`,
  username: account.toLowerCase(),
  groups,
  attributes: { "dept:x%": ["sales"] },
  projectId: null,
  purposes: [],
  sources: ["CUSTOMERS"],
});

const objects: AccessObject[] = [
  { id: "CUSTOMERS", path: TABLE, objectType: "TABLE" },
  { id: "V", path: ["DB", "S", "V"], objectType: "VIEW" },
  { id: "HOSTILE", path: HOSTILE, objectType: "TABLE" },
];

function desired(
  views: PolicyViewSpec[],
  profiles = [profile("U1"), profile("U2", [])],
  over: Partial<AccessDesiredState> = {},
): AccessDesiredState {
  return {
    connectionId: "golden",
    version: ++version,
    objects,
    accounts: ["U1", "U2"],
    access: [
      { objectId: "CUSTOMERS", accountName: "U1", level: "READ" },
      { objectId: "CUSTOMERS", accountName: "U2", level: "READ" },
    ],
    settings: { unmanagedGrants: "REPORT" },
    dataPolicies: { viewsForEverything: false, views, profiles, hashSalt: "pepper'\\salt" },
    ...over,
  };
}
const conn = () => connectionFor(server, ["DB"], { policyDatabase: "GOV" });
const applied = (r: Awaited<ReturnType<typeof access.apply>>) => (r.kind === "applied" ? r.statements : [`<${r.kind}>`]);
const changes = () => server.model.statements.filter((s) => !/^(SHOW|SELECT)/.test(s.sql));
const SYS = '"GOV"."STEWARD_SYSTEM"';
const POLICY = /"GOV"\."STEWARD_SYSTEM"\."(STW_DD56DE41_(?:M|RAP)_[0-9A-F]{8}_[0-9A-F]{10})"/;
const policyIn = (sql: string) => POLICY.exec(sql)?.[1] ?? "";

describe("Snowflake data policies through the SDK (wire emulator)", () => {
  it("first apply: system objects, salt, profiles, policies created and attached, then the grants; a second apply sends nothing", async () => {
    const first = applied(await access.apply(conn(), desired([customers()])));
    const policyPart = first.slice(0, 10);
    expect(policyPart.slice(0, 4)).toEqual([
      `CREATE SCHEMA IF NOT EXISTS ${SYS} COMMENT = 'managed by steward'`,
      `CREATE TABLE IF NOT EXISTS ${SYS}."PROFILE" ("account" VARCHAR NOT NULL PRIMARY KEY, "user_id" VARCHAR, "username" VARCHAR, "groups" ARRAY, "attributes" ARRAY, "purposes" ARRAY, "sources" ARRAY, "project_id" VARCHAR)`,
      `CREATE VIEW IF NOT EXISTS ${SYS}."USER_PROFILE" AS SELECT * FROM ${SYS}."PROFILE" WHERE "account" = CURRENT_USER()`,
      `CREATE TABLE IF NOT EXISTS ${SYS}."HASH_SALT" ("salt" VARCHAR NOT NULL)`,
    ]);
    expect(policyPart[4]).toBe(`INSERT INTO ${SYS}."HASH_SALT" ("salt") VALUES ('pepper''\\\\salt')`);
    expect(policyPart[5]).toBe(
      `MERGE INTO ${SYS}."PROFILE" AS t USING (` +
        `SELECT 'U1' AS "account", 'id-U1' AS "user_id", 'u1' AS "username", ARRAY_CONSTRUCT('hr') AS "groups", ARRAY_CONSTRUCT('dept%3Ax%25:sales') AS "attributes", ARRAY_CONSTRUCT() AS "purposes", ARRAY_CONSTRUCT('CUSTOMERS') AS "sources", NULL AS "project_id"` +
        ` UNION ALL SELECT 'U2' AS "account", 'id-U2' AS "user_id", 'u2' AS "username", ARRAY_CONSTRUCT() AS "groups", ARRAY_CONSTRUCT('dept%3Ax%25:sales') AS "attributes", ARRAY_CONSTRUCT() AS "purposes", ARRAY_CONSTRUCT('CUSTOMERS') AS "sources", NULL AS "project_id"` +
        `) AS s ON t."account" = s."account" WHEN MATCHED THEN UPDATE SET "user_id" = s."user_id", "username" = s."username", "groups" = s."groups", "attributes" = s."attributes", "purposes" = s."purposes", "sources" = s."sources", "project_id" = s."project_id"` +
        ` WHEN NOT MATCHED THEN INSERT ("account", "user_id", "username", "groups", "attributes", "purposes", "sources", "project_id") VALUES (s."account", s."user_id", s."username", s."groups", s."attributes", s."purposes", s."sources", s."project_id")`,
    );
    const mask = policyIn(policyPart[6]!);
    const rows = policyIn(policyPart[7]!);
    expect(mask).toMatch(/_M_/);
    expect(rows).toMatch(/_RAP_/);
    expect(policyPart[6]).toBe(
      `CREATE OR REPLACE MASKING POLICY ${SYS}."${mask}" AS ("email" TEXT) RETURNS TEXT ->\n` +
        `CASE WHEN IFF('hr' IS NULL, NULL, ARRAY_CONTAINS(TO_VARIANT('hr'), (SELECT "groups" FROM ${SYS}."USER_PROFILE"))) THEN "email" ELSE SHA2((SELECT "salt" FROM ${SYS}."HASH_SALT") || TO_VARCHAR("email"), 256) END\n` +
        `COMMENT = 'managed by steward'`,
    );
    expect(policyPart[7]).toBe(
      `CREATE OR REPLACE ROW ACCESS POLICY ${SYS}."${rows}" AS ("region" TEXT) RETURNS BOOLEAN ->\n("region" = 'EU')\nCOMMENT = 'managed by steward'`,
    );
    expect(policyPart.slice(8)).toEqual([
      `ALTER TABLE "DB"."S"."CUSTOMERS" MODIFY COLUMN "email" SET MASKING POLICY ${SYS}."${mask}"`,
      `ALTER TABLE "DB"."S"."CUSTOMERS" ADD ROW ACCESS POLICY ${SYS}."${rows}" ON ("region")`,
    ]);
    // Then the grants, as without data policies.
    expect(first[10]).toMatch(/^CREATE ROLE IF NOT EXISTS "STW_DD56DE41_/);
    expect(first.slice(10).every((s) => /^(CREATE ROLE|GRANT )/.test(s))).toBe(true);

    const p = server.model.policy;
    expect(p.maskOf(TABLE, "email")).toBe(mask);
    expect(p.maskOf(TABLE, "salary")).toBeNull();
    expect(p.rowPolicyOf(TABLE)).toBe(rows);
    expect(p.rows.get(JSON.stringify(["GOV", "STEWARD_SYSTEM", "HASH_SALT"]))).toEqual([{ salt: "pepper'\\salt" }]);

    const before = changes().length;
    const again = await access.apply(conn(), desired([customers()]));
    expect(again.kind).toBe("unchanged");
    expect(changes().length).toBe(before);
    const plan = await access.plan(conn(), desired([customers()]));
    expect(plan.kind === "planned" && plan.statements).toEqual([]);
    const drift = await access.drift(conn(), desired([customers()]));
    expect(drift.kind === "drift" && drift.findings).toEqual([]);
  });

  it("a changed mask is created and swapped in with FORCE, the old policy dropped; a changed filter swaps in one ALTER", async () => {
    await access.apply(conn(), desired([customers()]));
    const oldMask = server.model.policy.maskOf(TABLE, "email")!;
    const oldRows = server.model.policy.rowPolicyOf(TABLE)!;
    const next = applied(await access.apply(conn(), desired([customers("finance", "US")])));
    expect(next).toHaveLength(6);
    const [createMask, createRows, swapMask, swapRows, drop1, drop2] = next;
    const mask = policyIn(createMask!);
    const rows = policyIn(createRows!);
    expect([mask, rows]).not.toContain(oldMask);
    expect(swapMask).toBe(`ALTER TABLE "DB"."S"."CUSTOMERS" MODIFY COLUMN "email" SET MASKING POLICY ${SYS}."${mask}" FORCE`);
    expect(swapRows).toBe(
      `ALTER TABLE "DB"."S"."CUSTOMERS" DROP ROW ACCESS POLICY ${SYS}."${oldRows}", ADD ROW ACCESS POLICY ${SYS}."${rows}" ON ("region")`,
    );
    expect([drop1, drop2].sort()).toEqual(
      [`DROP MASKING POLICY IF EXISTS ${SYS}."${oldMask}"`, `DROP ROW ACCESS POLICY IF EXISTS ${SYS}."${oldRows}"`].sort(),
    );
    expect(server.model.policy.maskOf(TABLE, "email")).toBe(mask);
    expect(server.model.policy.rowPolicyOf(TABLE)).toBe(rows);
    expect([...server.model.policy.policies.values()].map((x) => x.parts[2]).sort()).toEqual([mask, rows].sort());
  });

  it("a profile change is one MERGE of that row and touches no policy", async () => {
    await access.apply(conn(), desired([customers()]));
    const next = applied(await access.apply(conn(), desired([customers()], [profile("U1"), profile("U2", ["hr"])])));
    expect(next).toHaveLength(1);
    expect(next[0]).toMatch(
      /^MERGE INTO "GOV"\."STEWARD_SYSTEM"\."PROFILE" AS t USING \(SELECT 'U2' AS "account", .*ARRAY_CONSTRUCT\('hr'\) AS "groups"/,
    );
    expect(next[0]).not.toContain("'U1'");
  });

  it("a removed spec is detached, then its policies dropped; a removed account's profile row is deleted", async () => {
    await access.apply(conn(), desired([customers()]));
    const mask = server.model.policy.maskOf(TABLE, "email")!;
    const rows = server.model.policy.rowPolicyOf(TABLE)!;
    const next = applied(await access.apply(conn(), desired([], [profile("U1")])));
    expect(next).toEqual([
      `DELETE FROM ${SYS}."PROFILE" WHERE "account" IN ('U2')`,
      `ALTER TABLE "DB"."S"."CUSTOMERS" MODIFY COLUMN "email" UNSET MASKING POLICY`,
      `ALTER TABLE "DB"."S"."CUSTOMERS" DROP ROW ACCESS POLICY ${SYS}."${rows}"`,
      `DROP MASKING POLICY IF EXISTS ${SYS}."${mask}"`,
      `DROP ROW ACCESS POLICY IF EXISTS ${SYS}."${rows}"`,
    ]);
    expect(server.model.policy.policies.size).toBe(0);
  });

  it("delta path with systemCurrent: only the scope's profile row is written, other rows and policies untouched", async () => {
    await access.apply(conn(), desired([customers()]));
    const d = desired([customers()], [profile("U2", ["finance"])], { scope: { accounts: ["U2"] } });
    d.dataPolicies!.systemCurrent = true;
    const next = applied(await access.apply(conn(), d));
    expect(next).toHaveLength(1);
    expect(next[0]).toMatch(/^MERGE INTO .*SELECT 'U2' AS "account".*ARRAY_CONSTRUCT\('finance'\) AS "groups"/);
    const stored = server.model.policy.rows.get(JSON.stringify(["GOV", "STEWARD_SYSTEM", "PROFILE"]))!;
    expect(stored.map((r) => r.account).sort()).toEqual(["U1", "U2"]);
    expect(server.model.policy.maskOf(TABLE, "email")).not.toBeNull();
  });

  it("hostile table, schema and column names reach the emulator exactly; a view with a spec is warned about, not altered", async () => {
    const spec: PolicyViewSpec = {
      sourceId: "HOSTILE",
      policyIds: ["p"],
      conflicts: [],
      columns: [
        {
          name: HOSTILE_COLUMN,
          type: "text",
          dataType: "TEXT",
          expr: { k: "mask", mask: { kind: "null" }, arg: col(HOSTILE_COLUMN), type: "text" },
        },
      ],
      rowFilter: null,
    };
    const onView = { ...customers(), sourceId: "V" };
    const result = await access.apply(conn(), desired([spec, onView]));
    expect(result.kind).toBe("applied");
    expect(result.kind === "applied" && result.warnings.some((w) => w.includes("object V") && w.includes("VIEW"))).toBe(true);
    expect(server.model.policy.maskOf(HOSTILE, HOSTILE_COLUMN)).toMatch(/_M_/);
    expect(server.model.policy.rowPolicyOf(["DB", "S", "V"])).toBeNull();
    expect((await access.apply(conn(), desired([spec, onView]))).kind).toBe("unchanged");
  });

  it("drift reports a mask removed by hand as repairable, and the next apply puts it back", async () => {
    await access.apply(conn(), desired([customers()]));
    const mask = server.model.policy.maskOf(TABLE, "email")!;
    server.model.execute(`ALTER TABLE "DB"."S"."CUSTOMERS" MODIFY COLUMN "email" UNSET MASKING POLICY`);
    const drift = await access.drift(conn(), desired([customers()]));
    expect(drift.kind === "drift" && drift.findings).toEqual([{ kind: "POLICY_NOT_ATTACHED", repairable: true, count: 1, created: 0 }]);
    expect(applied(await access.apply(conn(), desired([customers()])))).toEqual([
      `ALTER TABLE "DB"."S"."CUSTOMERS" MODIFY COLUMN "email" SET MASKING POLICY ${SYS}."${mask}"`,
    ]);
  });

  it("the crawl of a governed policy database leaves STEWARD_SYSTEM out", async () => {
    const c = connectionFor(server, ["DB", "GOV"], { policyDatabase: "GOV" });
    expect((await access.apply(c, desired([customers()]))).kind).toBe("applied");
    expect(server.model.findTable(["GOV", "STEWARD_SYSTEM", "PROFILE"])).toBeDefined();
    const crawled = await snowflakeConnector.crawl(c.config as never, c.credentials as never);
    expect(crawled.filter((o) => o.path[0] === "GOV")).toEqual([]);
    expect(crawled.some((o) => o.path.join(".") === "DB.S.CUSTOMERS")).toBe(true);
  });

  it("specs without a policy database are INVALID_CONFIG before anything is sent", async () => {
    const result = await access.apply(connectionFor(server, ["DB"]), desired([customers()]));
    expect(result.kind === "failed" && [result.error.code, result.error.errorClass]).toEqual(["INVALID_CONFIG", "CONFIGURATION"]);
    expect(server.logins).toBe(0);
  });

  it("a column name with NUL is INVALID_INPUT and changes nothing", async () => {
    const bad = customers();
    bad.columns = [{ ...bad.columns[0]!, name: "e\0mail", expr: { k: "mask", mask: { kind: "null" }, arg: col("e\0mail"), type: "text" } }];
    const result = await access.apply(conn(), desired([bad]));
    expect(result.kind === "failed" && [result.error.code, result.error.errorClass]).toEqual(["INVALID_INPUT", "PERMANENT"]);
    expect(changes()).toEqual([]);
  });
});
