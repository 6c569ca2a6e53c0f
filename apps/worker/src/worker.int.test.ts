import { randomUUID } from "node:crypto";
import { createLogger, systemActor } from "@steward/core";
import { transaction } from "@steward/db";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { emitEvent } from "@steward/events";
import { createWebhookEndpoint, pingWebhookEndpoint, redeliverWebhook, verifyWebhookSignature } from "@steward/webhooks";
import { startReceiver, type TestReceiver } from "@steward/webhooks/testing";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELIVERY_NOTIFY_CHANNEL } from "./loops/delivery-sweep";
import { flushPrefix, percentile, REDIS_URL, testConfig, testKeyring, uniquePrefix, waitFor } from "./test-support";
import { type RunningWorker, startWorker } from "./worker";

const prefix = uniquePrefix("worker");
const keys = testKeyring();
const log = createLogger({ name: "worker.int.test", level: "info" });
let t: TestDatabase;
let receiver: TestReceiver;
let worker: RunningWorker;
const admin = systemActor("test");

beforeAll(async () => {
  t = await createTestDatabase();
  receiver = await startReceiver();
  worker = await startWorker({
    databaseUrl: t.url,
    redisUrl: REDIS_URL,
    encryptionKeys: keys,
    port: 0,
    // A long sweep interval: anything picked up quickly below was woken by NOTIFY, not by polling.
    config: testConfig(prefix, { WEBHOOK_TIMEOUT_MS: 1_500, DELIVERY_SWEEP_MS: 60_000 }),
    logger: createLogger({ name: "worker", level: "warn" }),
  });
});
afterAll(async () => {
  await worker?.stop();
  await receiver?.close();
  await flushPrefix(prefix);
  await t?.drop();
});

const deps = () => ({ db: t.db, secretBox: worker.context.secretBox });

async function endpoint(path: string, eventTypes: string[]) {
  return createWebhookEndpoint(deps(), admin, { url: receiver.url(path), eventTypes });
}

async function emitUserEvent(type: "user.created" | "user.updated" | "user.deactivated" | "user.roles.changed"): Promise<bigint> {
  return transaction(t.db, (tx) => emitEvent(tx, { type, aggregateType: "User", aggregateId: "u", payload: { userId: randomUUID() } }));
}

const deliveryFor = (endpointId: string, eventId: bigint) =>
  t.db.webhookDelivery.findUnique({ where: { endpointId_eventId: { endpointId, eventId } } });
const settled = (endpointId: string, eventId: bigint) => async () => {
  const d = await deliveryFor(endpointId, eventId);
  return d && d.status !== "PENDING" ? d : null;
};

describe("worker", () => {
  it("delivers a committed event, signed, and measures commit → job → delivery latency", async () => {
    const { endpoint: ep, secret } = await endpoint("/latency", ["user.created"]);
    const dispatchQueue = new Queue("dispatch-event", { connection: { url: REDIS_URL }, prefix });
    const toJob: number[] = [];
    const toDelivery: number[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const eventId = await emitUserEvent("user.created");
        const committedAt = Date.now();
        const req = await waitFor(async () => receiver.requests.find((r) => r.headers["steward-event-id"] === eventId.toString()), {
          intervalMs: 5,
        });
        const job = await dispatchQueue.getJob(`event-${eventId}`);
        toJob.push((job?.timestamp ?? Number.NaN) - committedAt);
        toDelivery.push(req.receivedAt - committedAt);
        expect(verifyWebhookSignature(secret, req.headers["steward-signature"] as string, req.body)).toMatchObject({ valid: true });
        expect(await waitFor(settled(ep.id, eventId))).toMatchObject({ status: "SUCCEEDED", attempts: 1 });
      }
    } finally {
      await dispatchQueue.close();
    }
    log.info(
      {
        samples: toJob.length,
        commitToJobMs: { p50: percentile(toJob, 50), max: Math.max(...toJob) },
        commitToDeliveryMs: { p50: percentile(toDelivery, 50), max: Math.max(...toDelivery) },
      },
      "LATENCY outbox commit → dispatch job / → receiver (LISTEN/NOTIFY wake-up, 200 ms poll fallback)",
    );
    expect(percentile(toDelivery, 50)).toBeLessThan(500);
  });

  it("retries a receiver that answers 500 then 200, recording both attempts", async () => {
    const { endpoint: ep } = await endpoint("/flaky", ["user.updated"]);
    let calls = 0;
    receiver.respond = (req) => (req.path === "/flaky" && ++calls === 1 ? { status: 500, body: "try later" } : { status: 200 });
    const eventId = await emitUserEvent("user.updated");
    const d = await waitFor(settled(ep.id, eventId), { what: "flaky delivery" });
    expect(d).toMatchObject({ status: "SUCCEEDED", attempts: 2, lastStatusCode: 200, lastError: null });
    const attempts = await t.db.webhookDeliveryAttempt.findMany({ where: { deliveryId: d.id }, orderBy: { id: "asc" } });
    expect(attempts.map((a) => [a.statusCode, a.error])).toEqual([
      [500, "HTTP 500: try later"],
      [200, null],
    ]);
    receiver.respond = () => ({ status: 200 });
  });

  it("records timeouts as failed attempts, fails after the last one, keeps the failed job, and redelivers on request", async () => {
    const { endpoint: ep } = await endpoint("/hang", ["user.deactivated"]);
    receiver.respond = (req) => (req.path === "/hang" ? "hang" : { status: 200 });
    const eventId = await emitUserEvent("user.deactivated");
    const failed = await waitFor(settled(ep.id, eventId), { what: "hanging delivery to fail" });
    expect(failed).toMatchObject({ status: "FAILED", attempts: 3, lastStatusCode: null, lastError: "timeout after 1500 ms" });
    expect(await t.db.webhookDeliveryAttempt.count({ where: { deliveryId: failed.id, error: "timeout after 1500 ms" } })).toBe(3);
    const deliverQueue = new Queue("deliver-webhook", { connection: { url: REDIS_URL }, prefix });
    try {
      expect(await deliverQueue.getJobState(`delivery-${failed.id}-r1`)).toBe("failed");
    } finally {
      await deliverQueue.close();
    }

    receiver.respond = () => ({ status: 200 });
    const requested = Date.now();
    await redeliverWebhook(deps(), admin, { deliveryId: failed.id });
    const redelivered = await waitFor(settled(ep.id, eventId), { what: "redelivery", timeoutMs: 5_000 });
    expect(Date.now() - requested).toBeLessThan(3_000); // woken by NOTIFY; the sweep interval is 60 s
    expect(redelivered).toMatchObject({ status: "SUCCEEDED", round: 2, attempts: 4, lastStatusCode: 200 });
    const sent = receiver.requests.filter((r) => r.headers["steward-event-id"] === eventId.toString());
    expect(new Set(sent.map((r) => r.headers["steward-delivery-id"]))).toEqual(new Set([failed.id]));
  });

  it("sends a ping only to its endpoint", async () => {
    const { endpoint: target } = await endpoint("/ping-me", ["group.created"]);
    await endpoint("/ping-other", ["*"]);
    await pingWebhookEndpoint(deps(), admin, { id: target.id });
    const req = await waitFor(async () => receiver.requests.find((r) => r.path === "/ping-me"));
    expect(JSON.parse(req.body)).toMatchObject({ type: "webhook.ping", data: { endpointId: target.id } });
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests.some((r) => r.path === "/ping-other" && r.headers["steward-event-type"] === "webhook.ping")).toBe(false);
    await t.db.webhookEndpoint.updateMany({ where: { url: receiver.url("/ping-other") }, data: { active: false } });
  });

  it("fails a malformed job payload at once, without retrying", async () => {
    const queue = new Queue("deliver-webhook", { connection: { url: REDIS_URL }, prefix });
    try {
      await queue.add(
        "deliver-webhook",
        { deliveryId: "not-a-uuid" },
        { jobId: "malformed-1", attempts: 5, backoff: { type: "fixed", delay: 10 } },
      );
      const job = await waitFor(async () => {
        const j = await queue.getJob("malformed-1");
        return j?.finishedOn ? j : null;
      });
      expect(await job.getState()).toBe("failed");
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toMatch(/malformed payload: deliveryId/);
    } finally {
      await queue.close();
    }
  });

  it("recovers outbox rows and deliveries whose jobs Redis lost", async () => {
    const { endpoint: ep } = await endpoint("/lost", ["user.roles.changed"]);
    // A row handed over long ago whose job vanished, and a PENDING delivery with no job at all.
    const lostEvent = await t.db.outboxEvent.create({
      data: {
        type: "user.roles.changed",
        aggregateType: "User",
        aggregateId: "u",
        payload: { userId: randomUUID() },
        enqueuedAt: new Date(Date.now() - 3_600_000),
      },
    });
    const orphan = await t.db.webhookDelivery.create({
      data: { endpointId: ep.id, eventId: 999_999n, eventType: "user.roles.changed", payload: {} },
    });
    await flushPrefix(prefix);
    await t.db.$executeRawUnsafe(`SELECT pg_notify('${DELIVERY_NOTIFY_CHANNEL}', '')`);
    expect(await waitFor(settled(ep.id, lostEvent.id), { what: "stale outbox row" })).toMatchObject({ status: "SUCCEEDED" });
    expect(await waitFor(settled(ep.id, orphan.eventId), { what: "orphaned delivery" })).toMatchObject({ status: "SUCCEEDED" });
    const text = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
    expect(text).toMatch(/steward_outbox_relayed_total\{kind="rehandover"\} [1-9]/);
    expect(text).toMatch(/steward_webhook_deliveries_requeued_total\{reason="missing"\} [1-9]/);
    expect(text).toMatch(/steward_jobs_processed_total\{job="deliver-webhook",result="completed"\} [1-9]/);
    expect(await (await fetch(`http://127.0.0.1:${worker.port}/readyz`)).json()).toEqual({
      status: "ready",
      checks: { database: true, redis: true },
    });
  });
});
