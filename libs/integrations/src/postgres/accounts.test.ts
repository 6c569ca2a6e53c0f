import { describe, expect, it } from "vitest";
import { postgresAccountRules, postgresAccountRulesFor } from "./accounts";

describe("postgresAccountRules", () => {
  it.each([
    "",
    "nul\0byte",
    "x".repeat(64),
    "é".repeat(32), // 64 bytes
    "public",
    "PUBLIC",
    "none",
    "current_user",
    "SESSION_USER",
    "current_role",
    "current_catalog",
    "current_schema",
    "system_user",
    "postgres",
    "Postgres",
    "pg_monitor",
    "PG_x",
    "stw_1a2b3c4d_db",
    "STW_x",
  ])("refuses %j with a reason", (name) => {
    expect(postgresAccountRules.validate(name)).toEqual(expect.any(String));
  });

  it.each(["alice", "Alice", 'Robert"; DROP TABLE users; --', "ünïcødé_名前", "a".repeat(63), "public_data", "pgadmin"])(
    "accepts %j",
    (name) => {
      expect(postgresAccountRules.validate(name)).toBeNull();
    },
  );

  it("refuses the connection's own role when it is known, and compares names exactly (quoted identifiers)", () => {
    expect(postgresAccountRulesFor({ reconcilingUser: "steward" }).validate("steward")).toMatch(/connects as/);
    expect(postgresAccountRulesFor({ reconcilingUser: "steward" }).validate("Steward")).toBeNull();
    expect(postgresAccountRules.canonical("Alice")).not.toBe(postgresAccountRules.canonical("alice"));
    expect(postgresAccountRules.canonical("alice")).toBe(postgresAccountRules.canonical("alice"));
  });
});
