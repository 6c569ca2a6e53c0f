import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOSTILE_NAMES } from "./hostile-names";
import { quoteIdent, quoteLiteral } from "./quote";

// The real parser is the judge: every hostile name must round-trip through PostgreSQL unchanged.
describe("quoteIdent against PostgreSQL's parser", () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: process.env.TEST_ADMIN_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" });
    await client.connect();
  });
  afterAll(() => client.end());

  it.each(HOSTILE_NAMES)("round-trips %j as one identifier", async (name) => {
    const res = await client.query(`SELECT 1 AS ${quoteIdent(name)}`);
    expect(res.fields.map((f) => f.name)).toEqual([name]);
    const lit = await client.query(`SELECT ${quoteLiteral(name)} AS v`);
    expect(lit.rows[0].v).toBe(name);
  });
});
