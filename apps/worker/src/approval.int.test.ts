/**
 * An approved access request yields access end to end, with no policy in place: the consumer asks,
 * a governor approves, `explainAccess` says READ, and the worker grants it on the real PostgreSQL.
 * (Before, an approval only counted where an "anyone who asks" policy covered the source, so this
 * flow left the requester with NONE.)
 */
import { approveAccessRequest, explainAccess, requestAccess } from "@steward/access";
import { createConnection } from "@steward/catalog";
import { createLogger, systemActor } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { createUser } from "@steward/identity";
import { scopePrefix } from "@steward/integrations/grants";
import { cleanup, query, runId, tryAs } from "@steward/integrations/grants/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushPrefix, REDIS_URL, testConfig, testKeyring, uniquePrefix, waitFor } from "./test-support";
import { type RunningWorker, startWorker } from "./worker";

const id = runId();
const prefix = uniquePrefix("approval");
const warehouse = `stw_appr_${id}`;
const carol = `appr_${id}_carol`;
let t: TestDatabase;
let worker: RunningWorker;
let connectionId = "";
const system = systemActor("test");

beforeAll(async () => {
  t = await createTestDatabase();
  await query(`CREATE DATABASE ${warehouse}`);
  await query("CREATE SCHEMA shop; CREATE TABLE shop.orders (id int, total numeric); INSERT INTO shop.orders VALUES (1, 10)", [], {
    database: warehouse,
  });
  worker = await startWorker({
    databaseUrl: t.url,
    redisUrl: REDIS_URL,
    encryptionKeys: testKeyring(),
    port: 0,
    config: testConfig(prefix),
    logger: createLogger({ name: "worker", level: "warn" }),
  });
  await createUser({ db: t.db }, system, { username: carol, displayName: "Carol", email: `${carol}@example.com` });
  const created = await createConnection({ db: t.db, secretBox: worker.context.secretBox }, system, {
    name: "warehouse",
    kind: "POSTGRES",
    config: { host: "127.0.0.1", port: 5432, user: "postgres", databases: [warehouse] },
    autoRegister: true,
  });
  connectionId = created.connection.id;
  await waitFor(async () => (await t.db.syncRun.findUnique({ where: { id: created.syncRun.id } }))?.status === "SUCCEEDED", {
    timeoutMs: 30_000,
    what: "first sync",
  });
});

afterAll(async () => {
  await worker?.stop();
  await flushPrefix(prefix);
  await cleanup({ databases: [warehouse], rolePrefixes: connectionId ? [scopePrefix(connectionId, warehouse)] : [], roles: [carol] });
  await t?.drop();
});

describe("access request → approval → PostgreSQL grant", () => {
  it("grants what a governor approved, without any policy on the source", async () => {
    const user = await t.db.user.findUniqueOrThrow({ where: { username: carol } });
    const consumer = { kind: "USER" as const, userId: user.id, username: carol, roles: new Set<never>() };
    const gov = await createUser({ db: t.db }, system, {
      username: `gov-${id}`,
      displayName: "Gov",
      email: `gov-${id}@example.com`,
      roles: ["GOVERNOR"],
    });
    const governor = { kind: "USER" as const, userId: gov.id, username: `gov-${id}`, roles: new Set(["GOVERNOR" as const]) };
    const source = await t.db.dataSource.findFirstOrThrow({ where: { connectionId, name: { endsWith: "shop.orders" } } });
    expect(await t.db.subscriptionPolicy.count()).toBe(0);

    const request = await requestAccess({ db: t.db }, consumer, { dataSourceId: source.id, reason: "monthly revenue report" });
    expect((await explainAccess({ db: t.db }, consumer, user.id, source.id)).level).toBe("NONE");
    await approveAccessRequest({ db: t.db }, governor, { requestId: request.id, expiresAt: new Date(Date.now() + 3_600_000) });
    expect((await explainAccess({ db: t.db }, consumer, user.id, source.id)).level).toBe("READ");

    await waitFor(async () => (await tryAs(carol, warehouse, "SELECT count(*) FROM shop.orders")) === "ok", {
      timeoutMs: 30_000,
      what: "carol's SELECT grant",
    });
    expect(await tryAs(carol, warehouse, "INSERT INTO shop.orders VALUES (2, 1)")).toMatch(/permission denied/);
  });
});
