/**
 * The demo seed's data policies: on the seeded demo users and warehouse, customer emails come out
 * hashed for alice, in clear for HR (carol), and in clear for alice once she acts under her project.
 */
import { randomBytes } from "node:crypto";
import { explainDataAccess, seedDemoDataPolicies, switchProject } from "@steward/access";
import { DEMO_CONNECTION_NAME, seedDemoWarehouse } from "@steward/catalog";
import { parseKeyring, SecretBox } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { seedDemoIfEmpty } from "@steward/identity";
import { query } from "@steward/integrations/grants/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let t: TestDatabase;
let connectionId = "";
let customers = "";
const secretBox = new SecretBox(parseKeyring(`k1:${randomBytes(32).toString("base64")}`));

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemoIfEmpty(t.db);
  await seedDemoWarehouse({ db: t.db, secretBox }, t.url);
  connectionId = (await t.db.connection.findFirstOrThrow({ where: { name: DEMO_CONNECTION_NAME } })).id;
  customers = (await t.db.dataSource.findFirstOrThrow({ where: { connectionId, name: { endsWith: ".crm.customers" } } })).id;
}, 60_000);
afterAll(async () => {
  await t?.drop();
  await query(`DROP DATABASE IF EXISTS "${t.name}_demo_warehouse" WITH (FORCE)`).catch(() => {});
});

const emailFor = async (username: string) => {
  const u = await t.db.user.findUniqueOrThrow({ where: { username } });
  const why = await explainDataAccess({ db: t.db }, { kind: "USER", userId: u.id, username, roles: new Set() }, u.id, customers);
  return { level: why.level, email: why.dataPolicies.columns.find((c) => c.column === "email")?.status };
};

describe("demo data policies", () => {
  it("seeds a purpose, a project and a masking policy on the tagged email column, once", async () => {
    expect(await seedDemoDataPolicies(t.db, connectionId)).toEqual({ seeded: true });
    expect(await seedDemoDataPolicies(t.db, connectionId)).toEqual({ seeded: false });
    expect(await emailFor("alice")).toEqual({ level: "READ", email: "masked" });
    expect((await emailFor("carol")).email).toBe("exempt");

    const alice = await t.db.user.findUniqueOrThrow({ where: { username: "alice" } });
    const project = await t.db.project.findFirstOrThrow({ where: { name: "Churn study" } });
    await switchProject({ db: t.db }, { kind: "USER", userId: alice.id, username: "alice", roles: new Set() }, project.id);
    expect((await emailFor("alice")).email).toBe("exempt");
  });
});
