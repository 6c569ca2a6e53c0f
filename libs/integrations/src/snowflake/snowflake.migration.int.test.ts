/**
 * An account holding Steward's design before 2026-12 (a role per user holding its access-set roles,
 * USAGE roles per schema and database) converges to the current one (access-set roles granted to
 * users, USAGE inside them) through an ordinary reconcile, without any user losing access on the way
 * and without touching roles Steward does not own. Through the official snowflake-sdk against the
 * wire emulator.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AccessDesiredState } from "../access-types";
import { snowflakeAdapter } from "./adapter";
import { connectionFor, startEmulatedAccount } from "./testing/fixture";
import { EmulatedSqlError } from "./testing/lexer";
import type { WireServer } from "./testing/wire-server";

const access = snowflakeAdapter.access!;
let server: WireServer;

// The names the previous planner gave these roles for connection "golden" (its golden tests).
const SET = "STW_DD56DE41_R_316CA0EFDA";
const USER_ROLE = { U1: "STW_DD56DE41_U_554D512ED52B", U2: "STW_DD56DE41_U_62BB4AAFFD9B" };
const SCHEMA_ROLE = "STW_DD56DE41_S_6AAEF68551";
const DB_ROLE = "STW_DD56DE41_D_F3DF5B9136";
const LEGACY = [DB_ROLE, SCHEMA_ROLE, USER_ROLE.U1, USER_ROLE.U2].sort();
// Steward's prefix without Steward's comment: not Steward's, never touched.
const LOOKALIKE = "STW_DD56DE41_U_000000000000";

const q = (sql: string) => server.model.execute(sql);
const managed = (role: string) => q(`CREATE ROLE "${role}" COMMENT = 'managed by steward'`);

beforeEach(async () => {
  server = await startEmulatedAccount();
  const m = server.model;
  m.addTable({ database: "DB", schema: "S", name: "T", tableType: "BASE TABLE", columns: [{ name: "ID", dataType: "NUMBER" }] });
  m.addUser("U1");
  m.addUser("U2");
  // The old design, statement by statement as the previous planner issued it.
  for (const r of [SET, SCHEMA_ROLE, DB_ROLE, USER_ROLE.U1, USER_ROLE.U2]) managed(r);
  q(`GRANT SELECT ON TABLE "DB"."S"."T" TO ROLE "${SET}"`);
  q(`GRANT USAGE ON SCHEMA "DB"."S" TO ROLE "${SCHEMA_ROLE}"`);
  q(`GRANT USAGE ON DATABASE "DB" TO ROLE "${DB_ROLE}"`);
  q(`GRANT ROLE "${DB_ROLE}" TO ROLE "${SCHEMA_ROLE}"`);
  q(`GRANT ROLE "${SCHEMA_ROLE}" TO ROLE "${SET}"`);
  for (const [user, role] of Object.entries(USER_ROLE)) {
    q(`GRANT ROLE "${SET}" TO ROLE "${role}"`);
    q(`GRANT ROLE "${role}" TO USER "${user}"`);
  }
  m.addRole("SOMEONE_ELSES");
  m.addRole(LOOKALIKE);
  q(`GRANT ROLE "${LOOKALIKE}" TO USER "U1"`);
});
afterEach(() => server.close());

let version = 0;
const desired = (): AccessDesiredState => ({
  connectionId: "golden",
  version: ++version,
  objects: [{ id: "T", path: ["DB", "S", "T"], objectType: "TABLE" }],
  accounts: ["U1", "U2"],
  access: ["U1", "U2"].map((u) => ({ objectId: "T", accountName: u, level: "READ" as const })),
  settings: { unmanagedGrants: "REPORT" },
});
const canRead = (user: string) => server.model.privilegesOf(user, server.model.findTable(["DB", "S", "T"])!).has("SELECT");

describe("migration from per-user and USAGE roles", () => {
  it("keeps the access-set role, moves USAGE into it, grants it to the users, then drops only Steward's legacy roles", async () => {
    expect(canRead("U1") && canRead("U2")).toBe(true);
    const drift = await access.drift(connectionFor(server, ["DB"]), desired());
    const legacy = drift.kind === "drift" ? drift.findings.filter((f) => f.kind === "LEGACY_ROLE").map((f) => f.role) : [];
    expect(legacy).toEqual(LEGACY);
    // Reaching the role through a legacy per-user role is migration, not a missing membership.
    expect(drift.kind === "drift" && drift.findings.filter((f) => f.kind === "MISSING_MEMBERSHIP")).toEqual([]);
    expect(drift.kind === "drift" && drift.findings.filter((f) => f.kind === "FOREIGN_ROLE").map((f) => f.role)).toEqual([LOOKALIKE]);

    const applied = await access.apply(connectionFor(server, ["DB"]), desired());
    expect(applied.kind === "applied" && applied.statements).toEqual([
      `GRANT USAGE ON DATABASE "DB" TO ROLE "${SET}"`,
      `GRANT USAGE ON SCHEMA "DB"."S" TO ROLE "${SET}"`,
      `GRANT ROLE "${SET}" TO USER "U1"`,
      `GRANT ROLE "${SET}" TO USER "U2"`,
      ...LEGACY.map((r) => `DROP ROLE IF EXISTS "${r}"`),
    ]);
    expect(canRead("U1") && canRead("U2")).toBe(true);
    expect([...server.model.roles.keys()].sort()).toEqual([LOOKALIKE, "SOMEONE_ELSES", "STEWARD_ADMIN", SET].sort());
    expect(server.model.roleUsers.get(LOOKALIKE)?.has("U1")).toBe(true);
    const again = await access.apply(connectionFor(server, ["DB"]), desired());
    expect(again.kind).toBe("unchanged");
  });

  it("a run refused at its first DROP leaves every user with access, and the next run finishes the migration", async () => {
    server.model.refuse = (sql) =>
      sql.startsWith("DROP ROLE") ? new EmulatedSqlError("003001", "42501", "SQL access control error: Insufficient privileges") : null;
    const failed = await access.apply(connectionFor(server, ["DB"]), desired());
    expect(failed.kind === "failed" && failed.statementsAttempted).toEqual([`DROP ROLE IF EXISTS "${LEGACY[0]}"`]);
    expect(failed.kind === "failed" && failed.statements).toHaveLength(4);
    expect(canRead("U1") && canRead("U2")).toBe(true);
    server.model.refuse = null;
    const rest = await access.apply(connectionFor(server, ["DB"]), desired());
    expect(rest.kind === "applied" && rest.statements).toEqual(LEGACY.map((r) => `DROP ROLE IF EXISTS "${r}"`));
    expect(canRead("U1") && canRead("U2")).toBe(true);
    expect((await access.apply(connectionFor(server, ["DB"]), desired())).kind).toBe("unchanged");
  });
});

describe("secondary roles", () => {
  it("a user whose DEFAULT_SECONDARY_ROLES is () gets the grants and a warning saying how to activate them", async () => {
    server.model.secondaryRoles.set("U2", "[]");
    server.model.secondaryRoles.set("U1", '["ALL"]');
    const applied = await access.apply(connectionFor(server, ["DB"]), desired());
    expect(applied.kind).toBe("applied");
    const warnings = applied.kind === "applied" ? applied.warnings : [];
    expect(warnings.filter((w) => w.includes("DEFAULT_SECONDARY_ROLES"))).toEqual([
      `DEFAULT_SECONDARY_ROLES is not ALL for "U2": Steward's roles are granted but active only after USE SECONDARY ROLES ALL (or USE ROLE)`,
    ]);
    expect(canRead("U1")).toBe(true);
    expect(canRead("U2")).toBe(false);
  });
});
