import { describe, expect, it } from "vitest";
import { redshiftAccountRules, redshiftAccountRulesFor } from "./accounts";
import { LATE_BINDING_COLUMNS_SQL, REDSHIFT_READS, RELATION_GRANTS_SQL } from "./catalog-reads";
import { type DbDesired, planDatabase } from "./planner";
import { encodeAttributes, encodeSet, storedProfile } from "./profile";
import { CONNECTION_INFO_SQL, crawlSql } from "./redshift.connector";
import { rsGrantee, rsLiteral } from "./sql";
import { type CurrentState, emptyState, viewKey } from "./state";
import { bootstrapStatements, USER_PROFILE_DDL } from "./system";
import { desiredView, sha256, viewNameFor } from "./views";

const orders = desiredView("steward_views", { sourceId: "s1", schema: "sales", table: "orders" }, undefined);
const base = (over: Partial<DbDesired> = {}): DbDesired => ({
  viewSchema: "steward_views",
  reconcilingUser: "steward",
  views: [orders],
  profiles: [storedProfile("alice", null, ["s1"])],
  managedAccounts: new Set(["alice", "bob"]),
  scope: null,
  viewGrants: new Map([[orders.viewName, new Set(["alice"])]]),
  salt: null,
  unmanagedGrants: "REPORT",
  ...over,
});

/** The state a previous apply of `base()` left behind. */
function converged(): CurrentState {
  const s = emptyState();
  for (const n of ["steward_system", "steward_views"]) s.schemas.add(n);
  for (const [n, k] of [
    ["profile", "r"],
    ["hash_salt", "r"],
    ["managed_view", "r"],
    ["user_profile", "v"],
  ] as const)
    s.systemRelations.set(n, k);
  s.definitions.set(viewKey("steward_system", "user_profile"), "SELECT 1");
  s.managed.set(viewKey("steward_system", "user_profile"), {
    schema: "steward_system",
    view: "user_profile",
    sourceId: "",
    ddlHash: sha256(USER_PROFILE_DDL),
    definitionHash: sha256("SELECT 1"),
  });
  s.definitions.set(viewKey("steward_views", orders.viewName), "SELECT 2");
  s.managed.set(viewKey("steward_views", orders.viewName), {
    schema: "steward_views",
    view: orders.viewName,
    sourceId: "s1",
    ddlHash: orders.ddlHash,
    definitionHash: sha256("SELECT 2"),
  });
  s.profiles.set("alice", storedProfile("alice", null, ["s1"]));
  s.users = new Set(["alice", "bob", "steward"]);
  s.grants = [
    { schema: "steward_system", relation: "user_profile", identityName: "PUBLIC", identityType: "public" },
    { schema: "steward_views", relation: orders.viewName, identityName: "alice", identityType: "user" },
    { schema: "steward_views", relation: orders.viewName, identityName: "steward", identityType: "user" },
  ];
  return s;
}

describe("Redshift planner: golden statements (compared as text)", () => {
  it("bootstraps an empty database: system schema, private tables, user_profile for PUBLIC, view, grant, profile", () => {
    const plan = planDatabase(base(), emptyState());
    expect(plan.statements.map((s) => s.sql)).toEqual([
      `CREATE SCHEMA IF NOT EXISTS "steward_system"`,
      `CREATE TABLE IF NOT EXISTS "steward_system"."profile" ("account" VARCHAR(128) NOT NULL, "user_id" VARCHAR(256) NOT NULL, "username" VARCHAR(512) NOT NULL, "groups" VARCHAR(65535) NOT NULL, "attributes" VARCHAR(65535) NOT NULL, "purposes" VARCHAR(65535) NOT NULL, "sources" VARCHAR(65535) NOT NULL, "project_id" VARCHAR(256))`,
      `CREATE TABLE IF NOT EXISTS "steward_system"."hash_salt" ("salt" VARCHAR(1024) NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS "steward_system"."managed_view" ("schema_name" VARCHAR(128) NOT NULL, "view_name" VARCHAR(128) NOT NULL, "source_id" VARCHAR(256) NOT NULL, "ddl_hash" VARCHAR(64) NOT NULL, "definition_hash" VARCHAR(64))`,
      `REVOKE ALL ON "steward_system"."profile", "steward_system"."hash_salt", "steward_system"."managed_view" FROM PUBLIC`,
      `CREATE OR REPLACE VIEW "steward_system"."user_profile" AS SELECT "account", "username", "groups", "attributes", "purposes", "sources", "project_id" FROM "steward_system"."profile" WHERE "account" = CAST(current_user AS VARCHAR(128))`,
      `GRANT USAGE ON SCHEMA "steward_system" TO PUBLIC`,
      `GRANT SELECT ON "steward_system"."user_profile" TO PUBLIC`,
      `CREATE SCHEMA IF NOT EXISTS "steward_views"`,
      `GRANT USAGE ON SCHEMA "steward_views" TO PUBLIC`,
      `CREATE VIEW "steward_views"."sales__orders" AS\nSELECT "steward_src".*\nFROM "sales"."orders" AS "steward_src"\nWHERE (STRPOS((SELECT "sources" FROM "steward_system"."user_profile"), ',s1,') > 0)\nWITH NO SCHEMA BINDING`,
      `INSERT INTO "steward_system"."profile" ("account", "user_id", "username", "groups", "attributes", "purposes", "sources", "project_id") VALUES ('alice', '', '', ',', ',', ',', ',s1,', NULL)`,
      `GRANT SELECT ON "steward_views"."sales__orders" TO "alice"`,
    ]);
    expect(plan.created.map((c) => c.view)).toEqual(["user_profile", "sales__orders"]);
    expect(bootstrapStatements("x").every((s) => !/current_user\(\)/.test(s))).toBe(true);
  });

  it("plans nothing on a converged database", () => {
    const plan = planDatabase(base(), converged());
    expect(plan.statements).toEqual([]);
    expect(plan.findings).toEqual([]);
  });

  it("writes the salt through a bind parameter, never into the statement text", () => {
    const plan = planDatabase(base({ salt: "pepper'; --" }), converged());
    expect(plan.statements).toEqual([
      { sql: `DELETE FROM "steward_system"."hash_salt"` },
      { sql: `INSERT INTO "steward_system"."hash_salt" ("salt") VALUES ($1)`, params: ["pepper'; --"] },
    ]);
  });

  it("revokes outside grants with Redshift's grantee keywords when asked (ROLE, GROUP, PUBLIC, user)", () => {
    const s = converged();
    const on = (identityName: string, identityType: "user" | "role" | "group" | "public") => ({
      schema: "steward_views",
      relation: orders.viewName,
      identityName,
      identityType,
    });
    s.grants.push(on("analysts", "role"), on("Ops Team", "group"), on("PUBLIC", "public"), on("mallory", "user"), on("bob", "user"));
    const report = planDatabase(base(), s);
    expect(report.statements.map((x) => x.sql)).toEqual([`REVOKE SELECT ON "steward_views"."sales__orders" FROM "bob"`]);
    expect(report.findings.map((f) => `${f.kind} ${f.grantee ?? f.accountName} ${f.repairable}`)).toEqual([
      `UNMANAGED_GRANT ROLE "analysts" false`,
      `UNMANAGED_GRANT GROUP "Ops Team" false`,
      `UNMANAGED_GRANT PUBLIC false`,
      `UNMANAGED_GRANT "mallory" false`,
      `EXTRA_GRANT bob true`,
    ]);
    const revoke = planDatabase(base({ unmanagedGrants: "REVOKE" }), s);
    expect(revoke.statements.map((x) => x.sql)).toEqual([
      `REVOKE SELECT ON "steward_views"."sales__orders" FROM ROLE "analysts", GROUP "Ops Team", PUBLIC, "mallory", "bob"`,
    ]);
  });

  it("rebuilds a view edited by hand (drop, create, grant again) and a user_profile edited by hand", () => {
    const s = converged();
    s.definitions.set(viewKey("steward_views", orders.viewName), "SELECT * FROM sales.orders");
    s.definitions.set(viewKey("steward_system", "user_profile"), "SELECT * FROM steward_system.profile");
    const plan = planDatabase(base(), s);
    expect(plan.findings.map((f) => f.kind)).toEqual(["USER_PROFILE_CHANGED", "VIEW_CHANGED"]);
    expect(plan.statements.slice(-3).map((x) => x.sql)).toEqual([
      `DROP VIEW IF EXISTS "steward_views"."sales__orders"`,
      orders.ddl,
      `GRANT SELECT ON "steward_views"."sales__orders" TO "alice"`,
    ]);
    expect(plan.statements.map((x) => x.sql)).toContain(USER_PROFILE_DDL);
  });

  it("delta path: only the scoped account's row and grants, no view work even when a view is outdated", () => {
    const s = converged();
    s.managed.get(viewKey("steward_views", orders.viewName))!.ddlHash = "old";
    s.profiles.set("bob", storedProfile("bob", null, []));
    const plan = planDatabase(
      base({
        scope: new Set(["alice"]),
        profiles: [
          storedProfile(
            "alice",
            { userId: "u1", username: "alice", groups: ["hr"], attributes: {}, projectId: "p1", purposes: ["Research"], sources: [] },
            ["s1"],
          ),
        ],
      }),
      s,
    );
    expect(plan.statements.map((x) => x.sql)).toEqual([
      `UPDATE "steward_system"."profile" SET "user_id" = 'u1', "username" = 'alice', "groups" = ',hr,', "attributes" = ',', "purposes" = ',Research,', "sources" = ',s1,', "project_id" = 'p1' WHERE "account" = 'alice'`,
    ]);
  });

  it("refuses to store a profile wider than VARCHAR(65535) and deletes the stale row (fail closed)", () => {
    const wide = storedProfile(
      "alice",
      null,
      Array.from({ length: 7000 }, (_, i) => `source-${i}`),
    );
    const plan = planDatabase(base({ profiles: [wide] }), converged());
    expect(plan.warnings[0]).toMatch(/alice: profile not stored \(its sources list is longer than 65535 bytes\)/);
    expect(plan.statements.map((x) => x.sql)).toEqual([`DELETE FROM "steward_system"."profile" WHERE "account" IN ('alice')`]);
  });
});

describe("Redshift profile encoding", () => {
  it("percent-encodes the delimiters so no value can fake another element", () => {
    expect(encodeSet(["b", "a,b", "50%", "a"])).toBe(",50%25,a,a%2Cb,b,");
    expect(encodeSet([])).toBe(",");
    expect(encodeAttributes({ "Re:gion": ["EU", "x:y"], Dept: [] })).toBe(",Re%3Agion:EU,Re%3Agion:x%3Ay,");
  });
});

describe("Redshift view names", () => {
  it("are readable when unambiguous and hashed otherwise, within 127 bytes", () => {
    expect(viewNameFor("sales", "orders")).toBe("sales__orders");
    // "a_"."_b" and "a"."__b" would both read a____b: only the plain schema keeps the readable form.
    expect(viewNameFor("a", "__b")).toBe("a____b");
    const hashed = [viewNameFor("a_", "_b"), viewNameFor("Sales", "orders"), viewNameFor("sales", "Orders"), viewNameFor("x__y", "z")];
    for (const n of hashed) expect(n).toMatch(/^_[0-9a-f]{16}_/);
    expect(new Set([...hashed, "a____b"]).size).toBe(5);
    const long = viewNameFor("s", "é".repeat(120));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(127);
  });
});

describe("Redshift-only reads (compared as text; PostgreSQL has no such relations)", () => {
  it("svv_relation_privileges for grant drift, with the literal quoted", () => {
    expect(RELATION_GRANTS_SQL("it's")).toBe(
      `SELECT namespace_name, relation_name, identity_name, identity_type\nFROM svv_relation_privileges\nWHERE namespace_name = 'it''s' AND privilege_type = 'SELECT'`,
    );
    expect(LATE_BINDING_COLUMNS_SQL).toBe(
      "SELECT view_schema, view_name, col_name, col_type, col_num\nFROM pg_get_late_binding_view_cols() cols(view_schema name, view_name name, col_name name, col_type varchar, col_num int)",
    );
  });

  it("maps their rows (fake client)", async () => {
    const q = async (sql: string) =>
      sql.includes("svv_relation_privileges")
        ? [
            { namespace_name: "v", relation_name: "t", identity_name: "ops", identity_type: "group " },
            { namespace_name: "v", relation_name: "t", identity_name: "x", identity_type: "datashare" },
          ]
        : [{ view_schema: "s", view_name: "lbv", col_name: "c", col_type: "integer", col_num: "2" }];
    const grants = await REDSHIFT_READS.relationGrants(q as never, "v");
    expect(
      grants.map((g) => rsGrantee(g.identityType === "public" ? { kind: "public" } : { kind: g.identityType, name: g.identityName })),
    ).toEqual([`GROUP "ops"`, `ROLE "x"`]);
    expect(await REDSHIFT_READS.lateBindingColumns(q as never)).toEqual([
      { schema: "s", view: "lbv", name: "c", dataType: "integer", ordinal: 2 },
    ]);
    expect(REDSHIFT_READS.adaptStatement("CREATE VIEW v AS SELECT 1\nWITH NO SCHEMA BINDING")).toMatch(/WITH NO SCHEMA BINDING$/);
  });

  it("the crawl and connection-info SQL (these also ran on PostgreSQL in redshift.int.test.ts)", () => {
    expect(crawlSql(["pg_catalog", "it's"])).toContain(`AND n.nspname NOT IN ('pg_catalog', 'it''s')`);
    expect(crawlSql([])).not.toMatch(/json_agg|relispartition|\\/);
    expect(CONNECTION_INFO_SQL).not.toMatch(/current_user\(\)/);
  });
});

describe("Redshift account rules", () => {
  it("fold ASCII only, cap at 127 bytes, refuse reserved names and the connection's own user", () => {
    expect(redshiftAccountRules.canonical("Alice_É")).toBe("alice_É");
    expect(redshiftAccountRules.validate("alice")).toBeNull();
    expect(redshiftAccountRules.validate("a".repeat(127))).toBeNull();
    for (const bad of ["", "a".repeat(128), "PUBLIC", "rdsdb", "Current_User", "pg_x", "stw_x", "tab\there"])
      expect(redshiftAccountRules.validate(bad), bad).not.toBeNull();
    expect(redshiftAccountRulesFor({ reconcilingUser: "Steward" }).validate("STEWARD")).toMatch(/connects as/);
    expect(rsLiteral("a\\'b")).toBe(`'a\\\\''b'`);
  });
});
