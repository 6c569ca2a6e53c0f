import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOSTILE_NAMES } from "../sql/hostile-names";
import { qualified, quoteIdent, quoteLiteral } from "../sql/quote";
import { type ScratchCluster, startScratchCluster } from "../testing/scratch-cluster";
import { postgresConnector } from "./postgres.connector";

let cluster: ScratchCluster;

async function sql(text: string, database = "postgres") {
  const client = new pg.Client({ connectionString: cluster.url(database) });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

const config = (over: Partial<Parameters<typeof postgresConnector.testConnection>[0]> = {}) =>
  postgresConnector.configSchema.parse({ host: "127.0.0.1", port: cluster.port, user: "reader", databases: ["warehouse"], ...over });

beforeAll(async () => {
  cluster = await startScratchCluster();
  await sql("CREATE DATABASE warehouse");
  await sql(`CREATE ROLE reader LOGIN PASSWORD 'reader-pw'; CREATE ROLE blind LOGIN PASSWORD 'blind-pw'`);
  const schemas = ["sales", ...HOSTILE_NAMES.slice(0, 4)];
  const statements = [
    ...schemas.map((s) => `CREATE SCHEMA ${quoteIdent(s)}`),
    `CREATE TABLE sales.customers (id bigint PRIMARY KEY, email text NOT NULL, phone varchar(32), created_at timestamptz)`,
    `CREATE VIEW sales.customer_emails AS SELECT id, email FROM sales.customers`,
    `CREATE MATERIALIZED VIEW sales.customer_count AS SELECT count(*) AS n FROM sales.customers`,
    `CREATE TABLE sales.events (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at)`,
    `CREATE TABLE sales.events_2026 PARTITION OF sales.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')`,
    ...HOSTILE_NAMES.map((t, i) => `CREATE TABLE ${qualified(schemas[(i % 4) + 1]!, t)} (${quoteIdent(t)} int, "x" text)`),
  ];
  await sql(statements.join(";\n"), "warehouse");
  // "blind" may connect but not read the catalogs Steward crawls.
  await sql("REVOKE SELECT ON pg_catalog.pg_class FROM PUBLIC", "warehouse");
  await sql("GRANT SELECT ON pg_catalog.pg_class TO reader", "warehouse");
});
afterAll(() => cluster?.destroy());

describe("PostgreSQL connector", () => {
  it("tests a good connection and warns that it cannot manage access without CREATEROLE", async () => {
    const res = await postgresConnector.testConnection(config(), { password: "reader-pw" });
    expect(res).toMatchObject({ ok: true, databases: ["warehouse"] });
    expect(res.ok && res.warnings[0]).toMatch(/CREATEROLE/);
  });

  it.each([
    ["a wrong password", () => config(), "nope", "AUTH_FAILED"],
    ["an unreachable host", () => config({ port: 1 }), "reader-pw", "UNREACHABLE"],
    ["a missing database", () => config({ databases: ["nope"] }), "reader-pw", "NOT_FOUND"],
  ])("reports %s", async (_label, cfg, password, code) => {
    const res = await postgresConnector.testConnection(cfg(), { password });
    expect(res.ok).toBe(false);
    expect(!res.ok && res.problem.code).toBe(code);
  });

  it("names the missing catalog privilege", async () => {
    const res = await postgresConnector.testConnection(config({ user: "blind" }), { password: "blind-pw" });
    expect(res).toMatchObject({ ok: false, problem: { code: "MISSING_PRIVILEGE", privilege: "SELECT on pg_class" } });
  });

  it("crawls tables, views, materialized and partitioned tables with hostile names and exact columns", async () => {
    const seen: number[] = [];
    const objects = await postgresConnector.crawl(config(), { password: "reader-pw" }, (p) => seen.push(p.seen));
    const byName = new Map(objects.map((o) => [o.path.join("\u0001"), o]));
    expect(byName.get(["warehouse", "sales", "customers"].join("\u0001"))).toEqual({
      path: ["warehouse", "sales", "customers"],
      objectType: "TABLE",
      columns: [
        { name: "id", dataType: "bigint", ordinal: 1, nullable: false },
        { name: "email", dataType: "text", ordinal: 2, nullable: false },
        { name: "phone", dataType: "character varying(32)", ordinal: 3, nullable: true },
        { name: "created_at", dataType: "timestamp with time zone", ordinal: 4, nullable: true },
      ],
    });
    expect(byName.get(["warehouse", "sales", "customer_emails"].join("\u0001"))?.objectType).toBe("VIEW");
    expect(byName.get(["warehouse", "sales", "customer_count"].join("\u0001"))?.objectType).toBe("MATERIALIZED_VIEW");
    expect(byName.get(["warehouse", "sales", "events"].join("\u0001"))?.objectType).toBe("PARTITIONED_TABLE");
    expect(byName.has(["warehouse", "sales", "events_2026"].join("\u0001"))).toBe(false);
    for (const name of HOSTILE_NAMES) {
      const found = objects.find((o) => o.path[2] === name);
      expect(found, name).toBeDefined();
      expect(found!.columns[0]!.name).toBe(name);
    }
    expect(seen.at(-1)).toBe(objects.length);
    // Nothing was injected: the catalog still holds exactly what we created.
    const count = await sql(`SELECT count(*)::int AS n FROM pg_class WHERE relname = ${quoteLiteral(HOSTILE_NAMES[0]!)}`, "warehouse");
    expect(count.rows[0].n).toBe(1);
  });

  it("reports a server that disappears mid-crawl as unreachable", async () => {
    cluster.stop();
    try {
      await expect(postgresConnector.crawl(config(), { password: "reader-pw" })).rejects.toMatchObject({
        problem: { code: "UNREACHABLE" },
      });
    } finally {
      cluster.start();
    }
  });
});
