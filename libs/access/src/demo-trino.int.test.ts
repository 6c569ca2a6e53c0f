/**
 * The demo Trino step of `npm run dev` (scripts/dev-trino.ts), against a real Trino 476 running open
 * as the step starts it: the connection is registered and synced through Trino, the customer emails
 * are tagged like the PostgreSQL demo's, analysts get READ on the crm schema, and a second run
 * changes nothing. No worker runs here, so the seed syncs in-process. One Trino start; the masked query through the decision service is proven in
 * apps/decisions/src/trino.int.test.ts.
 */
import { randomBytes } from "node:crypto";
import {
  createDemoWarehouse,
  DEMO_TRINO_CATALOG,
  DEMO_TRINO_CONNECTION_NAME,
  type DemoTrinoTarget,
  seedDemoTrinoConnection,
} from "@steward/catalog";
import { type Actor, parseKeyring, SecretBox } from "@steward/core";
import { adminQuery, adminUrl, createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { seedDemoIfEmpty } from "@steward/identity";
import { type RunningTrino, startTrino } from "@steward/integrations/trino/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TRINO_POLICY_NAME, seedDemoTrinoPolicy } from "./demo-trino-policies";
import { mySubscriptions } from "./policies/policy-queries";

const warehouse = `stw_demo_trino_${randomBytes(4).toString("hex")}`;
let t: TestDatabase;
let trino: RunningTrino | undefined;
let deps: { db: TestDatabase["db"]; secretBox: SecretBox };
let target: DemoTrinoTarget;

const asUser = async (username: string): Promise<Actor> => {
  const u = await t.db.user.findUniqueOrThrow({ where: { username } });
  return { kind: "USER", userId: u.id, username, roles: new Set() };
};

/** Everything a repeated seed must leave unchanged. */
async function footprint() {
  const [connections, sources, columnTags, policies, audits] = await Promise.all([
    t.db.connection.count({ where: { name: DEMO_TRINO_CONNECTION_NAME } }),
    t.db.dataSource.count(),
    t.db.columnTag.count(),
    t.db.subscriptionPolicy.count({ where: { name: DEMO_TRINO_POLICY_NAME } }),
    t.db.auditEvent.count({ where: { action: { in: ["column.tagged", "policy.created", "policy.updated", "connection.updated"] } } }),
  ]);
  return { connections, sources, columnTags, policies, audits };
}

beforeAll(async () => {
  t = await createTestDatabase();
  await createDemoWarehouse(adminUrl(), warehouse);
  await seedDemoIfEmpty(t.db);
  deps = { db: t.db, secretBox: new SecretBox(parseKeyring(`k1:${randomBytes(32).toString("base64")}`)) };
  const url = new URL(adminUrl());
  url.pathname = `/${warehouse}`;
  trino = await startTrino({ accessControl: { kind: "allow-all" }, postgresql: { url: url.toString() } });
  target = { host: "127.0.0.1", port: trino.port };
}, 240_000);

afterAll(async () => {
  await trino?.stop();
  await adminQuery(`DROP DATABASE IF EXISTS "${warehouse}" WITH (FORCE)`);
  await t?.drop();
}, 60_000);

describe("the demo Trino seed", () => {
  let connectionId = "";

  it("registers and syncs the cluster, tags customer emails PII.Email, and lets analysts read crm through it", async () => {
    const seeded = await seedDemoTrinoConnection(deps, target, { syncHere: true });
    expect(seeded.created).toBe(true);
    connectionId = seeded.connectionId;
    const connection = await t.db.connection.findUniqueOrThrow({ where: { id: connectionId } });
    expect(connection).toMatchObject({ kind: "TRINO", autoRegister: true });
    expect(connection.config).toMatchObject({ host: "127.0.0.1", port: target.port, user: "steward", catalogs: [DEMO_TRINO_CATALOG] });

    const sources = await t.db.dataSource.findMany({ where: { connectionId }, select: { id: true, name: true } });
    expect(seeded.dataSources).toBe(sources.length);
    const names = sources.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(["postgresql.crm.customers", "postgresql.crm.segments", "postgresql.hr.salaries"]));
    const customers = sources.find((s) => s.name === "postgresql.crm.customers")!;
    const tagged = await t.db.columnTag.findMany({
      where: { column: { dataSourceId: customers.id } },
      select: { column: { select: { name: true } }, tag: { select: { name: true } } },
    });
    expect(tagged.map((c) => [c.column.name, c.tag.name])).toEqual([["email", "PII.Email"]]);

    expect(await seedDemoTrinoPolicy(t.db, connectionId, DEMO_TRINO_CATALOG)).toEqual({ seeded: true });
    const crm = sources.filter((s) => s.name.startsWith("postgresql.crm.")).map((s) => s.id);
    const aliceReads = (await mySubscriptions({ db: t.db }, await asUser("alice")))
      .filter((s) => s.level === "READ")
      .map((s) => s.dataSourceId);
    expect(aliceReads.sort()).toEqual([...crm].sort());
    // bob is not in analysts: nothing through Trino.
    expect(await mySubscriptions({ db: t.db }, await asUser("bob"))).toEqual([]);
  });

  it("a second run re-syncs and changes nothing else", async () => {
    const before = await footprint();
    const again = await seedDemoTrinoConnection(deps, target, { syncHere: true });
    expect(again).toMatchObject({ connectionId, created: false, dataSources: before.sources });
    expect(await seedDemoTrinoPolicy(t.db, connectionId, DEMO_TRINO_CATALOG)).toEqual({ seeded: false });
    expect(await footprint()).toEqual(before);
    const runs = await t.db.syncRun.findMany({ where: { connectionId }, select: { status: true } });
    expect(runs.map((r) => r.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
  });

  it("an invalid port is refused with a typed error and the stored connection stays as it was", async () => {
    const before = await footprint();
    await expect(seedDemoTrinoConnection(deps, { host: "127.0.0.1", port: 0 }, { syncHere: true })).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
    await expect(seedDemoTrinoConnection(deps, { host: "bad host'\u0000", port: target.port }, { syncHere: true })).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
    expect((await t.db.connection.findUniqueOrThrow({ where: { id: connectionId } })).config).toMatchObject({ port: target.port });
    expect(await footprint()).toEqual(before);
  });
});
