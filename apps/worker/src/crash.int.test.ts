/**
 * The worker is killed (SIGKILL, twice) while deliveries are in flight and Redis loses every key of
 * our prefix mid-run; every (endpoint, event) pair must still reach the receiver, which deduplicates
 * on Steward-Event-Id as receivers are told to.
 */
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLogger, parseKeyring, SecretBox, systemActor } from "@steward/core";
import { transaction } from "@steward/db";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { emitEvent } from "@steward/events";
import { createWebhookEndpoint, verifyWebhookSignature } from "@steward/webhooks";
import { startReceiver, type TestReceiver } from "@steward/webhooks/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { flushPrefix, REDIS_URL, testKeyring, uniquePrefix, waitFor } from "./test-support";
import { killProcess, spawnWorkerProcess } from "./testing/processes";

const EVENTS = 200;
const prefix = uniquePrefix("crash");
const keys = testKeyring();
const log = createLogger({ name: "crash.int.test", level: "info" });

let t: TestDatabase;
let receiver: TestReceiver;
const children: ChildProcess[] = [];
const output: string[] = [];
const secrets = new Map<string, string>(); // receiver path → signing secret
/** The receiver's side effects, applied once per (path, event id): the deduplicated set. */
const effects = new Map<string, string>();
let duplicates = 0;
let badSignatures = 0;

async function spawnWorker(): Promise<ChildProcess> {
  const { child } = await spawnWorkerProcess(
    {
      DATABASE_URL: t.url,
      REDIS_URL,
      STEWARD_ENCRYPTION_KEYS: keys,
      QUEUE_PREFIX: prefix,
      WEBHOOK_TIMEOUT_MS: "2000",
      WEBHOOK_BACKOFF_MS: "100",
      WEBHOOK_MAX_ATTEMPTS: "10",
      WEBHOOK_CONCURRENCY: "4",
      OUTBOX_STALE_MS: "2000",
      DELIVERY_SWEEP_MS: "1000",
      JOB_LOCK_MS: "2000",
      JOB_STALLED_CHECK_MS: "1000",
    },
    output,
  );
  children.push(child);
  return child;
}

const kill = killProcess;

async function emitEvents(count: number): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (let i = 0; i < count; i += 10) {
    ids.push(
      ...(await transaction(t.db, async (tx) => {
        const batch: bigint[] = [];
        for (let j = 0; j < Math.min(10, count - i); j++) {
          batch.push(
            await emitEvent(tx, {
              type: j % 2 ? "user.updated" : "user.created",
              aggregateType: "User",
              aggregateId: "u",
              payload: { userId: randomUUID() },
            }),
          );
        }
        return batch;
      })),
    );
  }
  return ids;
}

const pendingWork = async () =>
  (await t.db.webhookDelivery.count({ where: { status: "PENDING" } })) + (await t.db.outboxEvent.count({ where: { processedAt: null } }));

beforeAll(async () => {
  t = await createTestDatabase();
  receiver = await startReceiver(async (req, index) => {
    const eventId = req.headers["steward-event-id"] as string;
    if (verifyWebhookSignature(secrets.get(req.path) ?? "", req.headers["steward-signature"] as string, req.body).valid === false) {
      badSignatures++;
      return { status: 401 };
    }
    // Slow enough that deliveries are in flight when the worker is killed; some fail once.
    await new Promise((r) => setTimeout(r, 20 + (index % 5) * 10));
    if (index % 17 === 0) return { status: 503 };
    const key = `${req.path} ${eventId}`;
    if (effects.has(key)) duplicates++;
    else effects.set(key, req.body);
    return { status: 200 };
  });
  const box = new SecretBox(parseKeyring(keys));
  for (const p of ["/a", "/b"]) {
    const { secret } = await createWebhookEndpoint({ db: t.db, secretBox: box }, systemActor("test"), {
      url: receiver.url(p),
      eventTypes: ["*"],
    });
    secrets.set(p, secret);
  }
});

afterAll(async () => {
  // The children's logs, for when this test needs debugging.
  writeFileSync(path.join(tmpdir(), "steward-crash-test-worker.log"), output.join(""));
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await receiver?.close();
  await flushPrefix(prefix);
  await t?.drop();
});

it("loses nothing across worker crashes and a Redis wipe", async () => {
  const started = Date.now();
  const first = await emitEvents(EVENTS / 2);
  let worker = await spawnWorker();

  await waitFor(async () => effects.size >= 60, { timeoutMs: 60_000, intervalMs: 10, what: "first deliveries" });
  expect(await kill(worker, "SIGKILL")).toBeNull();
  const pendingAtFirstKill = await pendingWork();
  expect(pendingAtFirstKill).toBeGreaterThan(0);

  // Events committed while no worker runs wait in the outbox.
  const second = await emitEvents(EVENTS / 2);
  worker = await spawnWorker();
  await waitFor(async () => effects.size >= 200, { timeoutMs: 60_000, intervalMs: 10, what: "deliveries after restart" });
  const wiped = await flushPrefix(prefix); // what a Redis restart does: every queued, delayed and active job is gone
  await waitFor(async () => effects.size >= 260, { timeoutMs: 60_000, intervalMs: 10, what: "deliveries after the Redis wipe" });
  expect(await kill(worker, "SIGKILL")).toBeNull();
  const pendingAtSecondKill = await pendingWork();
  expect(pendingAtSecondKill).toBeGreaterThan(0);

  worker = await spawnWorker();
  // Nothing lost is the property, not speed: the budget is generous because integration files run two at
  // a time beside real Trino/UC JVMs, and stale hand-overs wait out their threshold first.
  await waitFor(async () => (await pendingWork()) === 0 && effects.size >= EVENTS * 2, {
    timeoutMs: 90_000,
    intervalMs: 100,
    what: "every delivery",
  });
  expect(await kill(worker, "SIGTERM")).toBe(0); // graceful shutdown exits cleanly

  const eventIds = [...first, ...second].map(String);
  for (const p of ["/a", "/b"]) {
    const received = new Set(receiver.requests.filter((r) => r.path === p).map((r) => r.headers["steward-event-id"] as string));
    expect(eventIds.filter((id) => !received.has(id))).toEqual([]);
    for (const id of eventIds)
      expect(JSON.parse(effects.get(`${p} ${id}`) ?? "{}")).toMatchObject({ id, data: { userId: expect.any(String) } });
  }
  expect(effects.size).toBe(EVENTS * 2);
  expect(badSignatures).toBe(0);
  expect(await t.db.webhookDelivery.count({ where: { status: "SUCCEEDED" } })).toBe(EVENTS * 2);
  log.info(
    {
      events: EVENTS,
      pairs: effects.size,
      requests: receiver.requests.length,
      duplicatesDeduplicated: duplicates,
      pendingAtFirstKill,
      pendingAtSecondKill,
      redisKeysWiped: wiped,
      seconds: (Date.now() - started) / 1000,
    },
    "CRASH TEST every (endpoint, event) delivered; duplicates absorbed by the receiver's dedup",
  );
}, 300_000); // child processes restart several times; a loaded CI machine needs headroom
