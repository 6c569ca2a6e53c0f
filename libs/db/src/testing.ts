/**
 * Test isolation: every test file gets its own database, cloned from a template that the test
 * global setup migrated once (CREATE DATABASE ... TEMPLATE is a fast file copy).
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDb, type Db } from "./index";

/** Per test run (set by the global setup), so parallel runs on one machine do not collide. */
export function templateDb(): string {
  return process.env.STEWARD_TEST_TEMPLATE_DB ?? "steward_test_template";
}

export function adminUrl(): string {
  return process.env.TEST_ADMIN_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
}

export function urlForDatabase(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Runs SQL (one or more statements) in another database on the test server, e.g. a scratch warehouse. */
export async function queryDatabase(name: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: urlForDatabase(name) });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export type TestDatabase = { name: string; url: string; db: Db; drop(): Promise<void> };

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `steward_test_${randomBytes(6).toString("hex")}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${templateDb()}"`);
      break;
    } catch (err) {
      // Two clones starting at once can see each other as "other users" of the template.
      if (attempt >= 10 || !String(err).includes("being accessed by other users")) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  const url = urlForDatabase(name);
  const db = createDb({ url, poolSize: 5, applicationName: "steward-test" });
  return {
    name,
    url,
    db,
    async drop() {
      await db.$disconnect();
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
