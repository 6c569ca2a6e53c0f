import { randomBytes } from "node:crypto";
import { createConnection, handleInboundSyncWebhook } from "@steward/catalog";
import { createLogger, systemActor } from "@steward/core";
import { adminQuery, createTestDatabase, queryDatabase, type TestDatabase } from "@steward/db/testing";
import { signWebhook } from "@steward/webhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushPrefix, REDIS_URL, testConfig, testKeyring, uniquePrefix, waitFor } from "./test-support";
import { type RunningWorker, startWorker } from "./worker";

const prefix = uniquePrefix("sync");
const warehouse = `steward_wh_${randomBytes(4).toString("hex")}`;
let t: TestDatabase;
let worker: RunningWorker;
const admin = systemActor("test");

const wh = (sql: string) => queryDatabase(warehouse, sql);

beforeAll(async () => {
  t = await createTestDatabase();
  await adminQuery(`CREATE DATABASE "${warehouse}"`);
  await wh("CREATE SCHEMA shop; CREATE TABLE shop.orders (id int); CREATE TABLE shop.customers (id int, email text)");
  worker = await startWorker({
    databaseUrl: t.url,
    redisUrl: REDIS_URL,
    encryptionKeys: testKeyring(),
    port: 0,
    config: testConfig(prefix, { SYNC_SCHEDULER_MS: 500 }),
    logger: createLogger({ name: "worker", level: "warn" }),
  });
});
afterAll(async () => {
  await worker?.stop();
  await flushPrefix(prefix);
  await t?.drop();
  await adminQuery(`DROP DATABASE IF EXISTS "${warehouse}" WITH (FORCE)`);
});

const deps = () => ({ db: t.db, secretBox: worker.context.secretBox });
const runDone = (id: string) => async () => {
  const run = await t.db.syncRun.findUnique({ where: { id } });
  return run && (run.status === "SUCCEEDED" || run.status === "FAILED") ? run : null;
};

describe("sync through the worker", () => {
  it("runs the first sync of a new connection, then a sync started by a signed inbound webhook", async () => {
    const { connection, syncRun, inboundSecret } = await createConnection(deps(), admin, {
      name: "shop",
      kind: "POSTGRES",
      config: { host: "127.0.0.1", port: 5432, user: "postgres", databases: [warehouse] },
      autoRegister: true,
    });
    const first = await waitFor(runDone(syncRun.id), { timeoutMs: 20_000 });
    expect(first).toMatchObject({ status: "SUCCEEDED", added: 2, registered: 2, objectsSeen: 2, objectsTotal: 2 });

    await wh("CREATE TABLE shop.refunds (id int, amount numeric)");
    const body = JSON.stringify({ changed: ["shop.refunds"] });
    const run = await handleInboundSyncWebhook(
      deps(),
      connection.id,
      signWebhook(inboundSecret, Math.floor(Date.now() / 1000), body),
      body,
    );
    const second = await waitFor(runDone(run.id), { timeoutMs: 20_000 });
    expect(second).toMatchObject({ status: "SUCCEEDED", added: 1, registered: 1 });
    expect(await t.db.dataSource.findFirst({ where: { name: `${warehouse}.shop.refunds` } })).not.toBeNull();
  });

  it("recovers a queued sync whose job was lost with Redis", async () => {
    const { connection, syncRun } = await createConnection(deps(), admin, {
      name: "shop-2",
      kind: "POSTGRES",
      config: { host: "127.0.0.1", port: 5432, user: "postgres", databases: [warehouse] },
    });
    await waitFor(runDone(syncRun.id), { timeoutMs: 20_000 });
    // The request's outbox event was handled, but its job vanished with Redis: only the SyncRun row
    // remains. (Written directly, with no event, to make the loss deterministic.)
    await flushPrefix(prefix);
    const run = await t.db.syncRun.create({
      data: { connectionId: connection.id, trigger: "MANUAL", requestedAt: new Date(Date.now() - 10_000) },
    });
    const done = await waitFor(runDone(run.id), { timeoutMs: 30_000 });
    expect(done?.status).toBe("SUCCEEDED");
  });
});
