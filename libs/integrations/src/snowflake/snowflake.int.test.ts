/**
 * Snowflake through the official snowflake-sdk against the local wire emulator (testing/): golden
 * statements per object type, a statement refused mid-batch, bad credentials, the crawl. No real
 * Snowflake account is involved.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AccessDesiredState, AccessObject } from "../access-types";
import { snowflakeAdapter } from "./adapter";
import { snowflakeConnector } from "./snowflake.connector";
import { connectionFor, STEWARD_PASSWORD, startEmulatedAccount } from "./testing/fixture";
import { EmulatedSqlError } from "./testing/lexer";
import type { WireServer } from "./testing/wire-server";

const access = snowflakeAdapter.access!;
let server: WireServer;
let version = 0;

const TYPES = [
  ["T", "BASE TABLE", null],
  ["V", "VIEW", null],
  ["MV", "MATERIALIZED VIEW", null],
  ["EXT", "EXTERNAL TABLE", null],
  ["EVT", "EVENT TABLE", null],
  ["DT", "BASE TABLE", "dynamic"],
  ["ICE", "BASE TABLE", "iceberg"],
] as const;

beforeEach(async () => {
  server = await startEmulatedAccount();
  const m = server.model;
  m.addDatabase("SHARED_DB", "IMPORTED DATABASE");
  for (const [name, tableType, flag] of TYPES)
    m.addTable({
      database: "DB",
      schema: "S",
      name,
      tableType,
      dynamic: flag === "dynamic",
      iceberg: flag === "iceberg",
      columns: [{ name: "ID", dataType: "NUMBER" }],
    });
  m.addTable({ database: "SHARED_DB", schema: "S", name: "T", tableType: "BASE TABLE" });
  m.addUser("U1");
  m.addUser("U2");
});
afterEach(() => server.close());

const objects: AccessObject[] = [
  ...TYPES.map(([n]) => ({ id: n, path: ["DB", "S", n], objectType: "TABLE" })),
  { id: "SHARED", path: ["SHARED_DB", "S", "T"], objectType: "TABLE" },
];
const desired = (entries: AccessDesiredState["access"]): AccessDesiredState => ({
  connectionId: "golden",
  version: ++version,
  objects,
  accounts: ["U1", "U2"],
  access: entries,
  settings: { unmanagedGrants: "REPORT" },
});
const conn = () => connectionFor(server, ["DB", "SHARED_DB"]);
const R = "STW_DD56DE41_R_316CA0EFDA";
const W = "STW_DD56DE41_W_316CA0EFDA";

describe("golden statements per object type", () => {
  it("WRITE is DML only on a plain local table; every other kind, and a shared table, gets SELECT; USAGE on parents always", async () => {
    const result = await access.apply(conn(), desired(objects.map((o) => ({ objectId: o.id, accountName: "U1", level: "WRITE" }))));
    expect(result.kind).toBe("applied");
    const grants = result.kind === "applied" ? result.statements.filter((s) => / ON /.test(s)) : [];
    expect(grants).toEqual([
      `GRANT USAGE ON DATABASE "DB" TO ROLE "${R}"`,
      `GRANT USAGE ON DATABASE "SHARED_DB" TO ROLE "${R}"`,
      `GRANT USAGE ON SCHEMA "DB"."S" TO ROLE "${R}"`,
      `GRANT USAGE ON SCHEMA "SHARED_DB"."S" TO ROLE "${R}"`,
      `GRANT SELECT ON DYNAMIC TABLE "DB"."S"."DT" TO ROLE "${R}"`,
      `GRANT SELECT ON EVENT TABLE "DB"."S"."EVT" TO ROLE "${R}"`,
      `GRANT SELECT ON EXTERNAL TABLE "DB"."S"."EXT" TO ROLE "${R}"`,
      `GRANT SELECT ON ICEBERG TABLE "DB"."S"."ICE" TO ROLE "${R}"`,
      `GRANT SELECT ON MATERIALIZED VIEW "DB"."S"."MV" TO ROLE "${R}"`,
      `GRANT SELECT ON VIEW "DB"."S"."V" TO ROLE "${R}"`,
      `GRANT SELECT ON TABLE "SHARED_DB"."S"."T" TO ROLE "${R}"`,
      `GRANT USAGE ON DATABASE "DB" TO ROLE "${W}"`,
      `GRANT USAGE ON SCHEMA "DB"."S" TO ROLE "${W}"`,
      `GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLE "DB"."S"."T" TO ROLE "${W}"`,
    ]);
    // No per-user role and no USAGE roles: the two access-set roles go straight to the user.
    expect(result.kind === "applied" && result.statements.filter((s) => !/ ON /.test(s))).toEqual([
      `CREATE ROLE IF NOT EXISTS "${R}" COMMENT = 'managed by steward'`,
      `CREATE ROLE IF NOT EXISTS "${W}" COMMENT = 'managed by steward'`,
      `GRANT ROLE "${R}" TO USER "U1"`,
      `GRANT ROLE "${W}" TO USER "U1"`,
    ]);
    for (const [name] of TYPES) {
      const privileges = server.model.privilegesOf("U1", server.model.findTable(["DB", "S", name])!);
      expect([...privileges].sort()).toEqual(name === "T" ? ["DELETE", "INSERT", "SELECT", "TRUNCATE", "UPDATE"] : ["SELECT"]);
    }
    expect((await access.apply(conn(), desired(objects.map((o) => ({ objectId: o.id, accountName: "U1", level: "WRITE" }))))).kind).toBe(
      "unchanged",
    );
  });

  it("READ is SELECT on every kind; a second user with the same access is one role grant, a user leaving one revoke", async () => {
    const read = (users: string[]) =>
      objects.flatMap((o) => users.map((u) => ({ objectId: o.id, accountName: u, level: "READ" as const })));
    await access.apply(conn(), desired(read(["U1"])));
    const second = await access.plan(conn(), desired(read(["U1", "U2"])));
    // The role named after [U1] is reused (largest overlap): the audience change edits memberships only.
    expect(second.kind === "planned" && second.statements).toEqual([`GRANT ROLE "${R}" TO USER "U2"`]);
    await access.apply(conn(), desired(read(["U1", "U2"])));
    const leave = await access.apply(conn(), desired(read(["U2"])));
    expect(leave.kind === "applied" && leave.statements).toEqual([`REVOKE ROLE "${R}" FROM USER "U1"`]);
    expect(server.model.privilegesOf("U1", server.model.findTable(["DB", "S", "T"])!).size).toBe(0);
    expect([...server.model.privilegesOf("U2", server.model.findTable(["DB", "S", "T"])!)]).toEqual(["SELECT"]);
  });

  it("a user given Steward's role by hand is drift (repaired by a revoke); a foreign role holding it is reported, left alone", async () => {
    await access.apply(conn(), desired([{ objectId: "T", accountName: "U1", level: "READ" }]));
    const m = server.model;
    m.addRole("ANALYSTS");
    m.execute(`GRANT ROLE "${R}" TO USER "U2"`);
    m.execute(`GRANT ROLE "${R}" TO ROLE "ANALYSTS"`);
    const drift = await access.drift(conn(), desired([{ objectId: "T", accountName: "U1", level: "READ" }]));
    const kinds = drift.kind === "drift" ? drift.findings.map((f) => [f.kind, f.accountName ?? f.grantee, f.repairable]).sort() : [];
    expect(kinds).toEqual([
      ["EXTRA_MEMBERSHIP", "U2", true],
      ["FOREIGN_HOLDER", "ANALYSTS", false],
    ]);
    const repaired = await access.apply(conn(), desired([{ objectId: "T", accountName: "U1", level: "READ" }]));
    expect(repaired.kind === "applied" && repaired.statements).toEqual([`REVOKE ROLE "${R}" FROM USER "U2"`]);
    expect(m.roleParents.get(R)?.has("ANALYSTS")).toBe(true);
  });

  it("removing all access drops Steward's roles and nothing else", async () => {
    server.model.addRole("SOMEONE_ELSES");
    await access.apply(conn(), desired([{ objectId: "T", accountName: "U1", level: "READ" }]));
    const removed = await access.apply(conn(), desired([]));
    expect(removed.kind === "applied" && removed.statements.every((s) => s.startsWith('DROP ROLE IF EXISTS "STW_DD56DE41_'))).toBe(true);
    expect([...server.model.roles.keys()].sort()).toEqual(["SOMEONE_ELSES", "STEWARD_ADMIN"]);
  });
});

describe("failures", () => {
  it("a statement refused mid-batch fails the run and reports exactly what was applied and what was refused", async () => {
    let grants = 0;
    server.model.refuse = (sql) =>
      sql.startsWith("GRANT SELECT") && ++grants === 3
        ? new EmulatedSqlError("003001", "42501", "SQL access control error: Insufficient privileges")
        : null;
    const result = await access.apply(conn(), desired(objects.map((o) => ({ objectId: o.id, accountName: "U1", level: "READ" }))));
    expect(result.kind).toBe("failed");
    if (result.kind !== "failed") return;
    expect(result.error.code).toBe("MISSING_PRIVILEGE");
    expect(result.error.errorClass).toBe("CONFIGURATION");
    const changes = server.model.statements.filter((s) => !/^(SHOW|SELECT)/.test(s.sql));
    // Everything Steward applied is in the run; the refused statement is the attempted one; nothing else ran.
    expect(result.statements).toEqual(changes.filter((s) => s.ok).map((s) => s.sql));
    expect(result.statementsAttempted).toEqual(changes.filter((s) => !s.ok).map((s) => s.sql));
    expect(result.statementsAttempted).toHaveLength(1);
    // The next run continues from what is there and converges.
    server.model.refuse = null;
    expect((await access.apply(conn(), desired(objects.map((o) => ({ objectId: o.id, accountName: "U1", level: "READ" }))))).kind).toBe(
      "applied",
    );
    expect(
      (await access.plan(conn(), desired(objects.map((o) => ({ objectId: o.id, accountName: "U1", level: "READ" }))))).kind === "planned",
    ).toBe(true);
  });

  it("wrong credentials are AUTH_FAILED (CONFIGURATION) and send nothing", async () => {
    const bad = { ...conn(), credentials: { password: `${STEWARD_PASSWORD}-wrong` } };
    const result = await access.apply(bad, desired([{ objectId: "T", accountName: "U1", level: "READ" }]));
    expect(result.kind === "failed" && [result.error.code, result.error.errorClass]).toEqual(["AUTH_FAILED", "CONFIGURATION"]);
    expect(server.model.statements).toEqual([]);
    const test = await snowflakeConnector.testConnection(bad.config as never, bad.credentials as never);
    expect(test.ok === false && test.problem.code).toBe("AUTH_FAILED");
  });

  it("an object name that cannot be quoted is INVALID_INPUT before anything is sent", async () => {
    const d = desired([]);
    d.objects = [{ id: "nul", path: ["DB", "S", "bad\0name"], objectType: "TABLE" }];
    const result = await access.apply(conn(), d);
    expect(result.kind === "failed" && [result.error.code, result.error.errorClass]).toEqual(["INVALID_INPUT", "PERMANENT"]);
    expect(server.logins).toBe(0);
  });
});

describe("catalog", () => {
  it("tests the connection and crawls every relation with its kind and columns", async () => {
    const c = conn();
    const test = await snowflakeConnector.testConnection(c.config as never, c.credentials as never);
    expect(test.ok && test.serverVersion).toBe("Snowflake 9.99.0-emulated");
    const crawled = await snowflakeConnector.crawl(c.config as never, c.credentials as never);
    expect(crawled.map((o) => `${o.path.join(".")}:${o.objectType}:${o.columns.map((x) => x.name).join(",")}`).sort()).toEqual([
      "DB.S.DT:MATERIALIZED_VIEW:ID",
      "DB.S.EVT:TABLE:ID",
      "DB.S.EXT:EXTERNAL_TABLE:ID",
      "DB.S.ICE:TABLE:ID",
      "DB.S.MV:MATERIALIZED_VIEW:ID",
      "DB.S.T:TABLE:ID",
      "DB.S.V:VIEW:ID",
      "SHARED_DB.S.T:TABLE:",
    ]);
  });

  it("keeps NUMBER precision / scale and text length from information_schema.columns", async () => {
    server.model.addTable({
      database: "DB",
      schema: "S",
      name: "PRICES",
      tableType: "BASE TABLE",
      columns: [
        { name: "AMOUNT", dataType: "NUMBER", precision: 10, scale: 2 },
        { name: "QTY", dataType: "NUMBER" },
        { name: "CODE", dataType: "TEXT", length: 8 },
        { name: "NOTE", dataType: "TEXT" },
        { name: "RATIO", dataType: "FLOAT" },
      ],
    });
    const c = conn();
    const crawled = await snowflakeConnector.crawl(c.config as never, c.credentials as never);
    const prices = crawled.find((o) => o.path.join(".") === "DB.S.PRICES");
    expect(prices?.columns.map((x) => `${x.name} ${x.dataType}`)).toEqual([
      "AMOUNT NUMBER(10,2)",
      "QTY NUMBER(38,0)",
      "CODE TEXT(8)",
      "NOTE TEXT(16777216)",
      "RATIO FLOAT",
    ]);
  });

  it("an unknown database is a typed NOT_FOUND problem", async () => {
    const c = connectionFor(server, ["NOPE"]);
    const test = await snowflakeConnector.testConnection(c.config as never, c.credentials as never);
    expect(test.ok === false && test.problem.code).toBe("NOT_FOUND");
  });
});
