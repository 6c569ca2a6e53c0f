/**
 * Databricks row filters and column masks end to end through the UC adapter, against a LOCAL EMULATOR
 * of the SQL Statement Execution API (testing/statement-server.ts; no Databricks warehouse is
 * involved): golden statements of a first apply (system tables → salt → profiles → creates →
 * attaches, then the grant PATCHes), no change = 0 statements, a changed spec swapped in place, a
 * removed spec detached then dropped, hostile names, a statement FAILED mid-batch, 429 / 503 retried,
 * polling, drift, and bad input or config refused before anything is sent.
 */
import type { Expr, PolicyViewSpec, ProfileRow } from "@steward/policy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AccessApplyResult, AccessConnection, AccessDesiredState, AccessObject } from "../access-types";
import { unityCatalogAdapterWith } from "./adapter";
import { memoryGrantLedger } from "./ledger";
import { DbxSqlError } from "./testing/dbx-cursor";
import { type StatementServer, startStatementServer } from "./testing/statement-server";

let server: StatementServer;
let version = 0;
const SALT = "pepper'\\salt`";
const TABLE = ["main", "sales", "customers"];
const HOSTILE_SCHEMA = "we`ird \"s'chema";
const HOSTILE_TABLE = "cust'omers; DROP TABLE x; --";
const HOSTILE_COLUMN = 'é.mail "addr" `x` 名前';
const HOSTILE = ["main", HOSTILE_SCHEMA, HOSTILE_TABLE];

beforeEach(async () => {
  server = await startStatementServer();
  // The workspace's users, whom Steward's groups (account SCIM) take as members.
  for (const user of [ANN, BOB]) server.scim.model.addUser(user);
  const m = server.model;
  m.addCatalog("gov");
  const columns = [
    { name: "email", type: "STRING" },
    { name: "region", type: "STRING" },
    { name: "salary", type: "DECIMAL(10,2)" },
  ];
  m.addTable(TABLE, columns);
  m.addTable(["main", "sales", "v"], columns, "VIEW");
  m.addTable(HOSTILE, [{ name: HOSTILE_COLUMN, type: "STRING" }]);
});
afterEach(() => server.close());

const adapter = () => unityCatalogAdapterWith({ ledger: memoryGrantLedger(), statements: { pollDelaysMs: [2], retryDelaysMs: [2, 2, 2] } });
let access = adapter().access!;
beforeEach(() => {
  access = adapter().access!;
});

const col = (name: string): Expr => ({ k: "column", name });
const text = (value: string): Expr => ({ k: "literal", value: { k: "text", value } });
const inGroup = (g: string): Expr => ({ k: "inProfileSet", value: text(g), set: { k: "groups" } });

function customers(group = "hr", region = "EU"): PolicyViewSpec {
  return {
    sourceId: "customers",
    policyIds: ["p1"],
    conflicts: [],
    columns: [
      {
        name: "email",
        type: "text",
        dataType: "string",
        expr: {
          k: "case",
          when: inGroup(group),
          // biome-ignore lint/suspicious/noThenProperty: the IR names a CASE branch "then"
          then: col("email"),
          else: { k: "mask", mask: { kind: "hash" }, arg: col("email"), type: "text" },
        },
      },
      { name: "region", type: "text", dataType: "string", expr: col("region") },
      { name: "salary", type: "decimal", dataType: "decimal(10,2)", expr: col("salary") },
    ],
    rowFilter: { k: "compare", op: "=", left: col("region"), right: text(region) },
  };
}

const profile = (account: string, groups: string[] = ["hr"]): ProfileRow => ({
  accountName: account,
  userId: `id-${account}`,
  username: account,
  groups,
  attributes: { "dept:x%": ["sales"] },
  projectId: null,
  purposes: [],
  sources: ["customers"],
});

const objects: AccessObject[] = [
  { id: "customers", path: TABLE, objectType: "TABLE" },
  { id: "v", path: ["main", "sales", "v"], objectType: "VIEW" },
  { id: "hostile", path: HOSTILE, objectType: "TABLE" },
];
const ANN = "ann@example.com";
const BOB = "bob@example.com";

function desired(
  views: PolicyViewSpec[],
  profiles = [profile(ANN), profile(BOB, [])],
  over: Partial<AccessDesiredState> = {},
): AccessDesiredState {
  return {
    connectionId: "dbx-golden",
    version: ++version,
    objects,
    accounts: [ANN, BOB],
    access: [
      { objectId: "customers", accountName: ANN, level: "READ" },
      { objectId: "customers", accountName: BOB, level: "READ" },
    ],
    settings: { unmanagedGrants: "REPORT" },
    dataPolicies: { viewsForEverything: false, views, profiles, hashSalt: SALT },
    ...over,
  };
}
const conn = (over: Record<string, unknown> = {}): AccessConnection => ({
  config: { url: server.url, flavor: "DATABRICKS", catalogs: ["main"], warehouseId: server.warehouseId, policyCatalog: "gov", ...over },
  credentials: { token: server.token },
});
const applied = (r: AccessApplyResult) => (r.kind === "applied" ? r.statements : [`<${r.kind}>`]);
const changes = () => server.model.statements.filter((s) => !s.sql.startsWith("SELECT")).map((s) => s.sql);
const SYS = "`gov`.`steward_system`";
/** What the grant step sends: Steward's groups through account SCIM, then UC permission PATCHes. */
const GRANT_STEP = /^(?:(?:POST|PATCH|DELETE) \/scim\/v2\/Groups|PATCH \/permissions\/)/;
const UDF = /`gov`\.`steward_system`\.`(stw_[0-9a-f]{8}_(?:m|rf)_[0-9a-f]{8}_[0-9a-f]{10})`/;
const udfIn = (sql: string) => UDF.exec(sql)?.[1] ?? "";

describe("Databricks row filters and masks through the adapter (Statement Execution API emulator)", () => {
  it("first apply: system tables, salt, profiles, UDFs created and attached, then the grants; a second apply sends nothing", async () => {
    const first = applied(await access.apply(conn(), desired([customers()])));
    expect(first.slice(0, 3)).toEqual([
      `CREATE SCHEMA IF NOT EXISTS ${SYS} COMMENT 'managed by steward'`,
      `CREATE TABLE IF NOT EXISTS ${SYS}.\`profile\` (\`account\` STRING NOT NULL, \`user_id\` STRING, \`username\` STRING, \`groups\` ARRAY<STRING>, \`attributes\` ARRAY<STRING>, \`purposes\` ARRAY<STRING>, \`sources\` ARRAY<STRING>, \`project_id\` STRING) COMMENT 'managed by steward'`,
      `CREATE TABLE IF NOT EXISTS ${SYS}.\`hash_salt\` (\`salt\` STRING NOT NULL) COMMENT 'managed by steward'`,
    ]);
    expect(first[3]).toBe(`INSERT OVERWRITE ${SYS}.\`hash_salt\` (\`salt\`) VALUES (:salt)`);
    expect(first[4]).toBe(
      `MERGE INTO ${SYS}.\`profile\` AS t USING (` +
        `SELECT 'ann@example.com' AS \`account\`, 'id-ann@example.com' AS \`user_id\`, 'ann@example.com' AS \`username\`, CAST(array('hr') AS ARRAY<STRING>) AS \`groups\`, CAST(array('dept%3Ax%25:sales') AS ARRAY<STRING>) AS \`attributes\`, CAST(array() AS ARRAY<STRING>) AS \`purposes\`, CAST(array('customers') AS ARRAY<STRING>) AS \`sources\`, CAST(NULL AS STRING) AS \`project_id\`` +
        ` UNION ALL SELECT 'bob@example.com' AS \`account\`, 'id-bob@example.com' AS \`user_id\`, 'bob@example.com' AS \`username\`, CAST(array() AS ARRAY<STRING>) AS \`groups\`, CAST(array('dept%3Ax%25:sales') AS ARRAY<STRING>) AS \`attributes\`, CAST(array() AS ARRAY<STRING>) AS \`purposes\`, CAST(array('customers') AS ARRAY<STRING>) AS \`sources\`, CAST(NULL AS STRING) AS \`project_id\`` +
        `) AS s ON t.\`account\` = s.\`account\` WHEN MATCHED THEN UPDATE SET \`user_id\` = s.\`user_id\`, \`username\` = s.\`username\`, \`groups\` = s.\`groups\`, \`attributes\` = s.\`attributes\`, \`purposes\` = s.\`purposes\`, \`sources\` = s.\`sources\`, \`project_id\` = s.\`project_id\`` +
        ` WHEN NOT MATCHED THEN INSERT (\`account\`, \`user_id\`, \`username\`, \`groups\`, \`attributes\`, \`purposes\`, \`sources\`, \`project_id\`) VALUES (s.\`account\`, s.\`user_id\`, s.\`username\`, s.\`groups\`, s.\`attributes\`, s.\`purposes\`, s.\`sources\`, s.\`project_id\`)`,
    );
    const mask = udfIn(first[5]!);
    const filter = udfIn(first[6]!);
    expect(mask).toMatch(/_m_/);
    expect(filter).toMatch(/_rf_/);
    expect(first[5]).toMatch(
      new RegExp(
        `^CREATE OR REPLACE FUNCTION ${SYS.replaceAll(".", "\\.")}\\.\`${mask}\`\\(\`email\` STRING\\)\nRETURNS STRING\nCOMMENT 'managed by steward'\nRETURN CASE WHEN`,
      ),
    );
    expect(first[6]).toBe(
      `CREATE OR REPLACE FUNCTION ${SYS}.\`${filter}\`(\`region\` STRING)\nRETURNS BOOLEAN\nCOMMENT 'managed by steward'\nRETURN (\`region\` = 'EU')`,
    );
    expect(first.slice(7, 9)).toEqual([
      `ALTER TABLE \`main\`.\`sales\`.\`customers\` ALTER COLUMN \`email\` SET MASK ${SYS}.\`${mask}\``,
      `ALTER TABLE \`main\`.\`sales\`.\`customers\` SET ROW FILTER ${SYS}.\`${filter}\` ON (\`region\`)`,
    ]);
    // Then the grants, as without data policies: Steward's groups (account SCIM), then their privileges.
    const grantStep = first.slice(9);
    expect(grantStep.some((s) => s.startsWith("POST /scim/v2/Groups "))).toBe(true);
    expect(grantStep.some((s) => s.startsWith("PATCH /permissions/"))).toBe(true);
    expect(
      grantStep.every((s) => GRANT_STEP.test(s)),
      grantStep.join("\n"),
    ).toBe(true);

    const m = server.model;
    expect(m.maskOf(TABLE, "email")).toBe(mask);
    expect(m.maskOf(TABLE, "salary")).toBeNull();
    expect(m.rowFilterOf(TABLE)).toBe(filter);
    expect(m.table(["gov", "steward_system", "profile"])!.rows.map((r) => [r.account, r.groups])).toEqual([
      [ANN, ["hr"]],
      [BOB, []],
    ]);
    // The salt reached the table as a bound parameter, never as statement text.
    expect(m.table(["gov", "steward_system", "hash_salt"])!.rows).toEqual([{ salt: SALT }]);
    expect(m.statements.filter((s) => s.sql.includes(SALT) || s.sql.includes("pepper"))).toEqual([]);
    expect(first.some((s) => s.includes("pepper"))).toBe(false);
    expect(m.statements.find((s) => s.sql.startsWith("INSERT OVERWRITE"))!.params).toEqual({ salt: SALT });
    // Grants waited for the masks: the first PATCH came after the last data-policy statement.
    const lastDdl = server.requests.lastIndexOf("POST /api/2.0/sql/statements");
    expect(server.requests.findIndex((r) => r.startsWith("PATCH "))).toBeGreaterThan(lastDdl);

    const before = changes().length;
    const reads = server.model.statements.length;
    const again = await access.apply(conn(), desired([customers()]));
    expect(again.kind).toBe("unchanged");
    expect(changes().length).toBe(before);
    // A no-change reconcile costs six reads with one governed catalog: tables, profile, salt check,
    // routines, column_masks, row_filters.
    expect(server.model.statements.length - reads).toBe(6);
    const plan = await access.plan(conn(), desired([customers()]));
    expect(plan.kind === "planned" && plan.statements).toEqual([]);
    const drift = await access.drift(conn(), desired([customers()]));
    expect(drift.kind === "drift" && drift.findings).toEqual([]);
  });

  it("a changed spec: new UDFs created and swapped in with one SET each (never unmasked in between), then the old ones dropped", async () => {
    await access.apply(conn(), desired([customers()]));
    const oldMask = server.model.maskOf(TABLE, "email")!;
    const oldFilter = server.model.rowFilterOf(TABLE)!;
    const next = applied(await access.apply(conn(), desired([customers("finance", "US")])));
    expect(next).toHaveLength(6);
    const [createMask, createFilter, swapMask, swapFilter, drop1, drop2] = next;
    const mask = udfIn(createMask!);
    const filter = udfIn(createFilter!);
    expect([mask, filter]).not.toContain(oldMask);
    expect([mask, filter]).not.toContain(oldFilter);
    expect(swapMask).toBe(`ALTER TABLE \`main\`.\`sales\`.\`customers\` ALTER COLUMN \`email\` SET MASK ${SYS}.\`${mask}\``);
    expect(swapFilter).toBe(`ALTER TABLE \`main\`.\`sales\`.\`customers\` SET ROW FILTER ${SYS}.\`${filter}\` ON (\`region\`)`);
    expect([drop1, drop2].sort()).toEqual(
      [`DROP FUNCTION IF EXISTS ${SYS}.\`${oldMask}\``, `DROP FUNCTION IF EXISTS ${SYS}.\`${oldFilter}\``].sort(),
    );
    expect(server.model.maskOf(TABLE, "email")).toBe(mask);
    expect(server.model.rowFilterOf(TABLE)).toBe(filter);
    expect([...server.model.functions.values()].map((f) => f.parts[2]).sort()).toEqual([mask, filter].sort());
  });

  it("a profile change is one MERGE of that row and touches no UDF", async () => {
    await access.apply(conn(), desired([customers()]));
    const next = applied(await access.apply(conn(), desired([customers()], [profile(ANN), profile(BOB, ["hr"])])));
    expect(next).toHaveLength(1);
    expect(next[0]).toMatch(
      /^MERGE INTO `gov`\.`steward_system`\.`profile` AS t USING \(SELECT 'bob@example\.com' AS `account`, .*CAST\(array\('hr'\) AS ARRAY<STRING>\) AS `groups`/,
    );
    expect(next[0]).not.toContain(ANN);
  });

  it("a removed spec is detached, then its UDFs dropped; a removed account's profile row is deleted", async () => {
    await access.apply(conn(), desired([customers()]));
    const mask = server.model.maskOf(TABLE, "email")!;
    const filter = server.model.rowFilterOf(TABLE)!;
    const next = applied(await access.apply(conn(), desired([], [profile(ANN)])));
    expect(next).toEqual([
      `DELETE FROM ${SYS}.\`profile\` WHERE \`account\` IN ('bob@example.com')`,
      "ALTER TABLE `main`.`sales`.`customers` ALTER COLUMN `email` DROP MASK",
      "ALTER TABLE `main`.`sales`.`customers` DROP ROW FILTER",
      `DROP FUNCTION IF EXISTS ${SYS}.\`${mask}\``,
      `DROP FUNCTION IF EXISTS ${SYS}.\`${filter}\``,
    ]);
    expect(server.model.functions.size).toBe(0);
    expect(server.model.masks.size + server.model.filters.size).toBe(0);
  });

  it("hostile schema, table and column names (backticks, quotes, dots, unicode) reach the warehouse as one name each; a view is warned about", async () => {
    const spec: PolicyViewSpec = {
      sourceId: "hostile",
      policyIds: ["p"],
      conflicts: [],
      columns: [
        {
          name: HOSTILE_COLUMN,
          type: "text",
          dataType: "string",
          expr: { k: "mask", mask: { kind: "null" }, arg: col(HOSTILE_COLUMN), type: "text" },
        },
      ],
      rowFilter: { k: "compare", op: "=", left: col(HOSTILE_COLUMN), right: text("it's `x`") },
    };
    const onView = { ...customers(), sourceId: "v" };
    const result = await access.apply(conn(), desired([spec, onView]));
    expect(result.kind).toBe("applied");
    expect(result.kind === "applied" && result.warnings.some((w) => w.includes("object v") && w.includes("VIEW"))).toBe(true);
    expect(server.model.maskOf(HOSTILE, HOSTILE_COLUMN)).toMatch(/_m_/);
    expect(server.model.rowFilterOf(HOSTILE)).toMatch(/_rf_/);
    expect(server.model.rowFilterOf(["main", "sales", "v"])).toBeNull();
    expect(
      applied(result).some((s) =>
        s.includes(
          'ALTER TABLE `main`.`we``ird "s\'chema`.`cust\'omers; DROP TABLE x; --` ALTER COLUMN `é.mail "addr" ``x`` 名前` SET MASK',
        ),
      ),
    ).toBe(true);
    expect((await access.apply(conn(), desired([spec, onView]))).kind).toBe("unchanged");
  });

  it("a statement FAILED mid-batch fails the run with what was applied, sends no grant; the next run continues from there", async () => {
    server.model.refuse = (sql) =>
      sql.includes("SET ROW FILTER") ? new DbxSqlError("INSUFFICIENT_PERMISSIONS", "User does not have MANAGE on table.", "42000") : null;
    const failed = await access.apply(conn(), desired([customers()]));
    expect(failed.kind).toBe("failed");
    if (failed.kind !== "failed") return;
    expect([failed.error.code, failed.error.errorClass]).toEqual(["PERMISSION_DENIED", "CONFIGURATION"]);
    expect(failed.statements).toHaveLength(8);
    expect(failed.statements.at(-1)).toMatch(/SET MASK/);
    expect(failed.statementsAttempted).toHaveLength(1);
    expect(failed.statementsAttempted[0]).toMatch(/SET ROW FILTER/);
    expect(server.requests.some((r) => r.startsWith("PATCH "))).toBe(false);
    expect(server.model.maskOf(TABLE, "email")).not.toBeNull();

    server.model.refuse = null;
    const next = applied(await access.apply(conn(), desired([customers()])));
    expect(next[0]).toMatch(/^ALTER TABLE `main`\.`sales`\.`customers` SET ROW FILTER/);
    expect(next.length).toBeGreaterThan(1);
    expect(
      next.slice(1).every((s) => GRANT_STEP.test(s)),
      next.join("\n"),
    ).toBe(true);
  });

  it("429 and 503 answers are retried (transient); when they persist the run fails TRANSIENT", async () => {
    server.faults.push(429, 503);
    expect((await access.apply(conn(), desired([customers()]))).kind).toBe("applied");
    expect(server.model.rowFilterOf(TABLE)).not.toBeNull();

    server.faults.push(503, 503, 503, 503);
    const failed = await access.apply(conn(), desired([customers("finance")]));
    expect(failed.kind === "failed" && [failed.error.code, failed.error.errorClass]).toEqual(["SERVER_ERROR", "TRANSIENT"]);
  });

  it("statements still running are polled until they finish; results come back across chunks", async () => {
    server.pendingPolls = 2;
    server.chunkRows = 1;
    await access.apply(conn(), desired([customers()]));
    expect(server.requests.filter((r) => /^GET \/api\/2\.0\/sql\/statements\/[^/]+$/.test(r)).length).toBeGreaterThan(0);
    const before = changes().length;
    // The profile read spans two chunks (one row each); an unchanged state still plans nothing.
    expect((await access.apply(conn(), desired([customers()]))).kind).toBe("unchanged");
    expect(server.requests.some((r) => r.includes("/result/chunks/1"))).toBe(true);
    expect(changes().length).toBe(before);
  });

  it("drift reports a mask dropped by hand as repairable, and the next apply puts it back", async () => {
    await access.apply(conn(), desired([customers()]));
    const mask = server.model.maskOf(TABLE, "email")!;
    server.model.execute("ALTER TABLE `main`.`sales`.`customers` ALTER COLUMN `email` DROP MASK");
    const drift = await access.drift(conn(), desired([customers()]));
    expect(drift.kind === "drift" && drift.findings).toEqual([{ kind: "POLICY_NOT_ATTACHED", repairable: true, count: 1, created: 0 }]);
    expect(applied(await access.apply(conn(), desired([customers()])))).toEqual([
      `ALTER TABLE \`main\`.\`sales\`.\`customers\` ALTER COLUMN \`email\` SET MASK ${SYS}.\`${mask}\``,
    ]);
  });

  it("delta path with systemCurrent: only the scope's profile row is written", async () => {
    await access.apply(conn(), desired([customers()]));
    const d = desired([customers()], [profile(BOB, ["finance"])], { scope: { accounts: [BOB] } });
    d.dataPolicies!.systemCurrent = true;
    const next = applied(await access.apply(conn(), d));
    expect(next).toHaveLength(1);
    expect(next[0]).toMatch(
      /^MERGE INTO .*SELECT 'bob@example\.com' AS `account`.*CAST\(array\('finance'\) AS ARRAY<STRING>\) AS `groups`/,
    );
    expect(server.model.table(["gov", "steward_system", "profile"])!.rows.map((r) => r.account)).toEqual([ANN, BOB]);
  });

  it.each<[string, Record<string, unknown>]>([
    ["no warehouse", { warehouseId: undefined }],
    ["no policy catalog", { policyCatalog: undefined }],
    ["the OSS server", { flavor: "OSS" }],
  ])("specs on a connection with %s are INVALID_CONFIG before anything is sent, grants included", async (_what, over) => {
    const result = await access.apply(conn(over), desired([customers()]));
    expect(result.kind === "failed" && [result.error.code, result.error.errorClass]).toEqual(["INVALID_CONFIG", "CONFIGURATION"]);
    expect(server.requests).toEqual([]);
  });

  it("without specs, an OSS connection sends no SQL at all (its grants as before)", async () => {
    const result = await access.apply(conn({ flavor: "OSS", warehouseId: undefined, policyCatalog: undefined }), desired([]));
    expect(result.kind).toBe("applied");
    expect(server.requests.filter((r) => r.includes("/sql/statements"))).toEqual([]);
  });

  it("a column name with NUL is INVALID_INPUT and nothing is sent", async () => {
    const bad = customers();
    bad.columns = [{ ...bad.columns[0]!, name: "e\0mail", expr: { k: "mask", mask: { kind: "null" }, arg: col("e\0mail"), type: "text" } }];
    const result = await access.apply(conn(), desired([bad]));
    expect(result.kind === "failed" && [result.error.code, result.error.errorClass]).toEqual(["INVALID_INPUT", "PERMANENT"]);
    expect(server.requests).toEqual([]);
  });

  it("a wrong token is AUTH_FAILED and an unknown warehouse NOT_FOUND, before any change", async () => {
    const wrong = await access.apply({ ...conn(), credentials: { token: "nope" } }, desired([customers()]));
    expect(wrong.kind === "failed" && [wrong.error.code, wrong.error.errorClass]).toEqual(["AUTH_FAILED", "CONFIGURATION"]);
    const missing = await access.apply(conn({ warehouseId: "0000000000000000" }), desired([customers()]));
    expect(missing.kind === "failed" && [missing.error.code, missing.error.errorClass]).toEqual(["NOT_FOUND", "PERMANENT"]);
    expect(changes()).toEqual([]);
  });
});
