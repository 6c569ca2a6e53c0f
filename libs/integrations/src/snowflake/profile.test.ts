import type { ProfileRow } from "@steward/policy";
import { describe, expect, it } from "vitest";
import { HOSTILE_NAMES } from "../sql/hostile-names";
import { planProfiles, saltStatements, storedProfile, systemStatements } from "./profile";
import { lex } from "./testing/lexer";

const row = (accountName: string, over: Partial<ProfileRow> = {}): ProfileRow => ({
  accountName,
  userId: `u-${accountName}`,
  username: accountName.toLowerCase(),
  groups: ["hr", "eu", "hr"],
  attributes: { "re:gion": ["EU"], level: ["3", "1"] },
  purposes: [],
  sources: ["s2", "s1"],
  projectId: null,
  ...over,
});
const T = `"GOV"."STEWARD_SYSTEM"."PROFILE"`;

describe("Snowflake profile rows (golden)", () => {
  it("stores sets sorted and unique, attribute keys encoded", () => {
    expect(storedProfile(row("ALICE"))).toEqual({
      account: "ALICE",
      userId: "u-ALICE",
      username: "alice",
      groups: ["eu", "hr"],
      attributes: ["level:1", "level:3", "re%3Agion:EU"],
      purposes: [],
      sources: ["s1", "s2"],
      projectId: null,
    });
  });

  it("one MERGE for new and changed rows, a DELETE for gone ones, nothing when unchanged", () => {
    const alice = storedProfile(row("ALICE"));
    const bob = storedProfile(row("BOB", { projectId: "p1" }));
    const plan = planProfiles("GOV", [alice, bob], [alice, storedProfile(row("BOB")), storedProfile(row("CAROL"))], false);
    expect(plan.statements).toEqual([
      `MERGE INTO ${T} AS t USING (SELECT 'BOB' AS "account", 'u-BOB' AS "user_id", 'bob' AS "username", ARRAY_CONSTRUCT('eu', 'hr') AS "groups", ARRAY_CONSTRUCT('level:1', 'level:3', 're%3Agion:EU') AS "attributes", ARRAY_CONSTRUCT() AS "purposes", ARRAY_CONSTRUCT('s1', 's2') AS "sources", 'p1' AS "project_id") AS s ON t."account" = s."account" WHEN MATCHED THEN UPDATE SET "user_id" = s."user_id", "username" = s."username", "groups" = s."groups", "attributes" = s."attributes", "purposes" = s."purposes", "sources" = s."sources", "project_id" = s."project_id" WHEN NOT MATCHED THEN INSERT ("account", "user_id", "username", "groups", "attributes", "purposes", "sources", "project_id") VALUES (s."account", s."user_id", s."username", s."groups", s."attributes", s."purposes", s."sources", s."project_id")`,
      `DELETE FROM ${T} WHERE "account" IN ('CAROL')`,
    ]);
    expect(plan).toMatchObject({ upserted: 1, deleted: 1 });
    expect(planProfiles("GOV", [alice, bob], [bob, alice], false).statements).toEqual([]);
    // Delta path: other accounts' rows are not this run's to delete.
    expect(planProfiles("GOV", [alice], [alice, bob], true).statements).toEqual([]);
  });

  it("system objects and the salt", () => {
    expect(systemStatements("GOV")).toEqual([
      `CREATE SCHEMA IF NOT EXISTS "GOV"."STEWARD_SYSTEM" COMMENT = 'managed by steward'`,
      `CREATE TABLE IF NOT EXISTS ${T} ("account" VARCHAR NOT NULL PRIMARY KEY, "user_id" VARCHAR, "username" VARCHAR, "groups" ARRAY, "attributes" ARRAY, "purposes" ARRAY, "sources" ARRAY, "project_id" VARCHAR)`,
      `CREATE VIEW IF NOT EXISTS "GOV"."STEWARD_SYSTEM"."USER_PROFILE" AS SELECT * FROM ${T} WHERE "account" = CURRENT_USER()`,
      `CREATE TABLE IF NOT EXISTS "GOV"."STEWARD_SYSTEM"."HASH_SALT" ("salt" VARCHAR NOT NULL)`,
    ]);
    expect(saltStatements("GOV", "s'1", [])).toEqual([`INSERT INTO "GOV"."STEWARD_SYSTEM"."HASH_SALT" ("salt") VALUES ('s''1')`]);
    expect(saltStatements("GOV", "s'1", ["s'1"])).toEqual([]);
    expect(saltStatements("GOV", "new", ["old"])).toEqual([
      `DELETE FROM "GOV"."STEWARD_SYSTEM"."HASH_SALT"`,
      `INSERT INTO "GOV"."STEWARD_SYSTEM"."HASH_SALT" ("salt") VALUES ('new')`,
    ]);
  });

  it.each(HOSTILE_NAMES)("hostile account, group and attribute %j read back as string constants", (name) => {
    const p = storedProfile(row(name, { groups: [name], attributes: { [name]: [name] } }));
    const [merge] = planProfiles("GOV", [p], [], false).statements;
    const strings = lex(merge!).flatMap((t) => (t.t === "str" ? [t.v] : []));
    expect(strings).toContain(name);
    expect(strings).toContain(`${name.replaceAll("%", "%25").replaceAll(":", "%3A")}:${name}`);
    const [del] = planProfiles("GOV", [], [p], false).statements;
    expect(lex(del!).flatMap((t) => (t.t === "str" ? [t.v] : []))).toEqual([name]);
  });
});
