/**
 * A Lakebase connection through the catalog use-cases: registered (connection test first) and synced
 * with OAuth tokens as the PostgreSQL password, against a scram-only scratch cluster and a local token
 * endpoint. The tokens are bearer credentials: no column of the metadata database and no use-case
 * answer may ever hold one. A rejected secret writes nothing at all.
 */
import { randomBytes } from "node:crypto";
import { parseKeyring, SecretBox } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { quoteIdent } from "@steward/integrations";
import { type LakebaseFixture, lakebaseConfig, startLakebaseFixture } from "@steward/integrations/lakebase/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CatalogDeps } from "../deps";
import { runSync } from "../sync/run-sync";
import { createConnection, testConnection } from "./connection-commands";

const DB = "lb_catalog";
let meta: TestDatabase;
let deps: CatalogDeps;
let f: LakebaseFixture;
const admin = { kind: "USER" as const, userId: "", username: "admin", roles: new Set(["ADMIN" as const]) };

/** Every text, varchar, json and jsonb column of the metadata database that holds `needle`. */
async function columnsHolding(needle: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: meta.url });
  await client.connect();
  try {
    const cols = await client.query<{ t: string; c: string }>(
      `SELECT table_name AS t, column_name AS c FROM information_schema.columns
       WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY')`,
    );
    expect(cols.rows.length).toBeGreaterThan(20); // the search really covers the schema
    const hits: string[] = [];
    for (const { t, c } of cols.rows) {
      const r = await client.query(`SELECT 1 FROM ${quoteIdent(t)} WHERE strpos(${quoteIdent(c)}::text, $1) > 0 LIMIT 1`, [needle]);
      if (r.rowCount) hits.push(`${t}.${c}`);
    }
    return hits;
  } finally {
    await client.end();
  }
}
const rowCounts = async () => ({
  connections: await meta.db.connection.count(),
  audit: await meta.db.auditEvent.count(),
  outbox: await meta.db.outboxEvent.count(),
});

beforeAll(async () => {
  meta = await createTestDatabase();
  deps = { db: meta.db, secretBox: new SecretBox(parseKeyring(`k1:${randomBytes(32).toString("base64")}`)) };
  const user = await meta.db.user.create({
    data: { username: "admin", displayName: "A", email: "a@example.com", roles: { create: { role: "ADMIN" } } },
  });
  admin.userId = user.id;
  f = await startLakebaseFixture();
  await f.admin(`CREATE DATABASE ${quoteIdent(DB)} OWNER ${quoteIdent(f.clientId)}`);
  await f.asPrincipal('CREATE SCHEMA sales; CREATE TABLE sales.orders (id int); CREATE TABLE sales."it\'s ""odd""" (x text)', DB);
}, 60_000);
afterAll(async () => {
  await meta?.drop();
  await f?.close();
});

describe("Lakebase connection (OAuth M2M) in the catalog", () => {
  it("registers and syncs with tokens; neither tokens nor the secret are stored or returned", async () => {
    const config = lakebaseConfig(f, [DB]);
    const tested = await testConnection(deps, admin, { kind: "LAKEBASE", config, credentials: { clientSecret: f.clientSecret } });
    expect(tested).toMatchObject({ ok: true });
    const created = await createConnection(deps, admin, {
      name: "lakebase",
      kind: "LAKEBASE",
      config,
      credentials: { clientSecret: f.clientSecret },
    });
    const run = await runSync(deps, created.syncRun.id);
    expect(run).toMatchObject({ status: "SUCCEEDED", added: 2 });
    const names = (await meta.db.catalogNode.findMany({ where: { connectionId: created.connection.id, kind: "OBJECT" } })).map(
      (n) => n.name,
    );
    expect(names.sort()).toEqual(['it\'s "odd"', "orders"]);

    expect(f.issued.length).toBeGreaterThan(0);
    const output = JSON.stringify([tested, created, run]);
    for (const secret of [...f.issued, f.clientSecret]) {
      expect(output).not.toContain(secret);
      expect(await columnsHolding(secret)).toEqual([]);
    }
    // The search finds what is there: the client id is stored in the config.
    expect(await columnsHolding(f.clientId)).toContain("Connection.config");
  });

  it("a rejected secret is a typed AUTH_FAILED error and writes nothing", async () => {
    const before = await rowCounts();
    const config = lakebaseConfig(f, [DB]);
    const tested = await testConnection(deps, admin, { kind: "LAKEBASE", config, credentials: { clientSecret: "dose-wrong" } });
    expect(tested).toMatchObject({ ok: false, problem: { code: "AUTH_FAILED" } });
    const err = await createConnection(deps, admin, {
      name: "lakebase-wrong",
      kind: "LAKEBASE",
      config,
      credentials: { clientSecret: "dose-wrong" },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "config", message: "AUTH_FAILED" }] });
    expect((err as Error).message).toMatch(/Connection test failed: Databricks refused the service principal's client id or secret/);
    expect(await rowCounts()).toEqual(before);
  });

  it("bad config (plain http to a remote workspace) is refused before any request", async () => {
    const issued = f.issued.length;
    const err = await testConnection(deps, admin, {
      kind: "LAKEBASE",
      config: { ...lakebaseConfig(f, [DB]), workspaceUrl: "http://dbc-1.cloud.databricks.com" },
      credentials: { clientSecret: f.clientSecret },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "BAD_USER_INPUT" });
    expect(f.issued.length).toBe(issued);
  });
});
