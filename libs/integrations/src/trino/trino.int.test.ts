/**
 * Against a REAL Trino 476 (started once for this file, see testing/trino-runtime.ts) with a
 * `postgresql` catalog on a throw-away database of the local PostgreSQL. When Trino cannot be
 * installed or started, beforeAll fails with the reason (missing JDK, Maven, refused download).
 *
 * Access control is Trino's stock file-based one: everyone may do everything except `mallory`, who
 * may not read any table, so a permission denial is Trino's own and not simulated.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { qualified, qualifiedTrino, quoteIdent, quoteTrinoLiteral } from "../sql/quote";
import { createTrinoClient, rowObjects, type TrinoClient, TrinoQueryError } from "./client";
import { TrinoConfig } from "./config";
import { type RunningTrino, startTrino } from "./testing/trino-runtime";
import { trinoConnector } from "./trino.connector";

const ADMIN_URL = process.env.TEST_ADMIN_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const DATABASE = `steward_trino_${randomBytes(5).toString("hex")}`;
const WEIRD_TABLE = 'we"ird ü';
const WEIRD_COLUMN = 'na"me ü';

let trino: RunningTrino;
let client: TrinoClient;
let rulesDir: string;

async function pgQuery(sql: string, database = "postgres"): Promise<void> {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

const config = (over: Record<string, unknown> = {}) => TrinoConfig.parse({ host: "127.0.0.1", port: trino.port, user: "steward", ...over });

beforeAll(async () => {
  await pgQuery(`CREATE DATABASE ${quoteIdent(DATABASE)}`);
  await pgQuery(
    [
      "CREATE SCHEMA sales",
      `CREATE TABLE ${qualified("sales", WEIRD_TABLE)} (id bigint NOT NULL, ${quoteIdent(WEIRD_COLUMN)} varchar(255), amount numeric(10,2), at timestamptz, note text)`,
      `INSERT INTO ${qualified("sales", WEIRD_TABLE)} VALUES (1, 'Zoë', 12.50, '2026-01-02T03:04:05Z', 'it''s'), (2, 'Ørjan', 7.25, NULL, NULL)`,
      `CREATE VIEW sales.big AS SELECT id FROM ${qualified("sales", WEIRD_TABLE)} WHERE amount > 10`,
    ].join(";\n"),
    DATABASE,
  );
  rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), "steward-trino-rules-"));
  const rules = path.join(rulesDir, "rules.json");
  fs.writeFileSync(
    rules,
    JSON.stringify({
      tables: [{ user: "mallory", privileges: [] }, { privileges: ["SELECT", "INSERT", "DELETE", "UPDATE", "OWNERSHIP", "GRANT_SELECT"] }],
    }),
  );
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DATABASE}`;
  trino = await startTrino({
    postgresql: { url: url.toString() },
    accessControl: { kind: "properties", properties: { "access-control.name": "file", "security.config-file": rules } },
  });
  client = createTrinoClient({ server: trino.url, user: "alice" });
  // A view Trino itself defines (the JDBC connectors list PostgreSQL's views as plain tables).
  await client.query("CREATE VIEW memory.default.big_nations AS SELECT name FROM tpch.tiny.nation WHERE nationkey > 10");
}, 180_000);

afterAll(async () => {
  await trino?.stop();
  if (rulesDir) fs.rmSync(rulesDir, { recursive: true, force: true });
  await pgQuery(`DROP DATABASE IF EXISTS ${quoteIdent(DATABASE)} WITH (FORCE)`);
}, 60_000);

async function failure(p: Promise<unknown>): Promise<TrinoQueryError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TrinoQueryError);
  return err as TrinoQueryError;
}

describe("Trino connection test", () => {
  it("reports the server version and the catalogs it would sync (never system)", async () => {
    const res = await trinoConnector.testConnection(config(), { password: "" });
    expect(res).toMatchObject({ ok: true, serverVersion: "Trino 476", warnings: [] });
    expect(res.ok && [...res.databases].sort()).toEqual(["memory", "postgresql", "tpch"]);
  });

  it.each([
    ["an unreachable port", () => config({ port: 1 }), "", "UNREACHABLE"],
    ["a catalog Trino does not have", () => config({ catalogs: ["postgresql", "nope"] }), "", "NOT_FOUND"],
    ["a password over plain http", () => config(), "secret", "INVALID_CONFIG"],
  ])("reports %s", async (_label, cfg, password, code) => {
    const res = await trinoConnector.testConnection(cfg(), { password });
    expect(res.ok).toBe(false);
    expect(!res.ok && res.problem.code).toBe(code);
  });
});

describe("Trino catalog crawl", () => {
  it("sees the PostgreSQL table with a quote and unicode, its columns and Trino's types", async () => {
    const objects = await trinoConnector.crawl(config({ catalogs: ["postgresql"] }), { password: "" });
    const weird = objects.find((o) => o.path.join("\u0001") === ["postgresql", "sales", WEIRD_TABLE].join("\u0001"));
    expect(weird).toEqual({
      path: ["postgresql", "sales", WEIRD_TABLE],
      objectType: "TABLE",
      columns: [
        { name: "id", dataType: "bigint", ordinal: 1, nullable: false },
        { name: WEIRD_COLUMN, dataType: "varchar(255)", ordinal: 2, nullable: true },
        { name: "amount", dataType: "decimal(10,2)", ordinal: 3, nullable: true },
        { name: "at", dataType: "timestamp(6) with time zone", ordinal: 4, nullable: true },
        { name: "note", dataType: "varchar", ordinal: 5, nullable: true },
      ],
    });
    // Trino's PostgreSQL connector reports PostgreSQL views as tables: so does Steward.
    expect(objects.find((o) => o.path[2] === "big")).toMatchObject({ path: ["postgresql", "sales", "big"], objectType: "TABLE" });
    expect(objects.filter((o) => o.path[1] === "information_schema")).toEqual([]);
  });

  it("crawls every catalog but system when none is configured", async () => {
    const progress: number[] = [];
    const objects = await trinoConnector.crawl(config(), { password: "" }, (p) => progress.push(p.seen));
    const catalogs = new Set(objects.map((o) => o.path[0]));
    expect([...catalogs].sort()).toEqual(["memory", "postgresql", "tpch"]);
    expect(objects.find((o) => o.path.join(".") === "memory.default.big_nations")).toEqual({
      path: ["memory", "default", "big_nations"],
      objectType: "VIEW",
      columns: [{ name: "name", dataType: "varchar(25)", ordinal: 1, nullable: true }],
    });
    expect(objects.find((o) => o.path.join(".") === "tpch.tiny.nation")?.columns.map((c) => `${c.name} ${c.dataType}`)).toEqual([
      "nationkey bigint",
      "name varchar(25)",
      "regionkey bigint",
      "comment varchar(152)",
    ]);
    expect(progress.at(-1)).toBe(objects.length);
  });

  it("fails a crawl of a missing catalog with NOT_FOUND", async () => {
    await expect(trinoConnector.crawl(config({ catalogs: ["nope"] }), { password: "" })).rejects.toMatchObject({
      problem: { code: "NOT_FOUND" },
    });
  });
});

describe("Trino client against the real server", () => {
  it("as alice, SELECTs through quoted identifiers and literals", async () => {
    const table = qualifiedTrino("postgresql", "sales", WEIRD_TABLE);
    const res = await client.query(
      `SELECT id, ${qualifiedTrino(WEIRD_COLUMN)} AS who, amount, note FROM ${table} WHERE note = ${quoteTrinoLiteral("it's")} OR id = 2 ORDER BY id`,
    );
    expect(res.columns).toEqual([
      { name: "id", type: "bigint" },
      { name: "who", type: "varchar(255)" },
      // The statement protocol spells parametrised types with a blank (information_schema does not).
      { name: "amount", type: "decimal(10, 2)" },
      { name: "note", type: "varchar" },
    ]);
    expect(rowObjects(res)).toEqual([
      { id: 1, who: "Zoë", amount: "12.50", note: "it's" },
      { id: 2, who: "Ørjan", amount: "7.25", note: null },
    ]);
  });

  it("uses the catalog and schema headers", async () => {
    const res = await client.query("SELECT count(*) FROM nation", { catalog: "tpch", schema: "tiny" });
    expect(res.rows).toEqual([[25]]);
  });

  it("reports a denial as PERMISSION_DENIED with Trino's message", async () => {
    const err = await failure(client.query(`SELECT * FROM ${qualifiedTrino("postgresql", "sales", WEIRD_TABLE)}`, { user: "mallory" }));
    expect(err).toMatchObject({ code: "PERMISSION_DENIED", errorName: "PERMISSION_DENIED" });
    expect(err.message).toMatch(/^Access Denied: Cannot select from/);
    expect(err.queryId).toMatch(/^\d{8}_/);
  });

  it("reports a syntax error and a missing table as QUERY_FAILED with Trino's error name", async () => {
    expect(await failure(client.query("SELEC 1"))).toMatchObject({ code: "QUERY_FAILED", errorName: "SYNTAX_ERROR" });
    expect(await failure(client.query(`SELECT * FROM ${qualifiedTrino("postgresql", "sales", "nope")}`))).toMatchObject({
      code: "QUERY_FAILED",
      errorName: "TABLE_NOT_FOUND",
    });
  });

  it("a hostile literal stays a value", async () => {
    const hostile = "x' OR '1'='1";
    const res = await client.query(
      `SELECT count(*) FROM ${qualifiedTrino("postgresql", "sales", WEIRD_TABLE)} WHERE note = ${quoteTrinoLiteral(hostile)}`,
    );
    expect(res.rows).toEqual([[0]]);
  });
});
