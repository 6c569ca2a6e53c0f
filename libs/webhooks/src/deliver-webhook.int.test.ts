import { randomBytes } from "node:crypto";
import { createLogger, parseKeyring, SecretBox, systemActor } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebhookEndpoint } from "./create-webhook-endpoint";
import { type DeliverDeps, deliverWebhook } from "./deliver-webhook";
import { verifyWebhookSignature } from "./signature";
import { startReceiver, type TestReceiver } from "./testing/receiver";

let t: TestDatabase;
let receiver: TestReceiver;
let deps: DeliverDeps;
const secretBox = new SecretBox(parseKeyring(`k1:${randomBytes(32).toString("base64")}`));
let eventSeq = 1_000n;

beforeAll(async () => {
  t = await createTestDatabase();
  receiver = await startReceiver();
  // Generous for answering receivers (a loaded CI machine is slow); the hang test uses a short one.
  deps = { db: t.db, secretBox, timeoutMs: 5_000, logger: createLogger({ name: "test", level: "silent" }) };
});
afterAll(async () => {
  await receiver?.close();
  await t?.drop();
});

async function setup(path: string) {
  const { endpoint, secret } = await createWebhookEndpoint({ db: t.db, secretBox }, systemActor(), {
    url: receiver.url(path),
    eventTypes: ["*"],
  });
  const eventId = eventSeq++;
  const delivery = await t.db.webhookDelivery.create({
    data: {
      endpointId: endpoint.id,
      eventId,
      eventType: "user.created",
      payload: { userId: "u-1" },
      eventCreatedAt: new Date("2026-11-24T10:00:00Z"),
    },
  });
  return { endpoint, secret, delivery, eventId };
}

const requestsTo = (path: string) => receiver.requests.filter((r) => r.path === path);

describe("deliverWebhook", () => {
  it("POSTs a signed JSON body with the Steward headers, then is idempotent", async () => {
    const { secret, delivery, eventId } = await setup("/ok");
    expect(await deliverWebhook(deps, delivery.id)).toMatchObject({ kind: "succeeded", statusCode: 200 });
    const [req] = requestsTo("/ok");
    expect(JSON.parse(req!.body)).toEqual({
      id: eventId.toString(),
      type: "user.created",
      createdAt: "2026-11-24T10:00:00.000Z",
      data: { userId: "u-1" },
    });
    expect(req!.headers).toMatchObject({
      "content-type": "application/json",
      "user-agent": "Steward-Webhooks/1",
      "steward-event-id": eventId.toString(),
      "steward-event-type": "user.created",
      "steward-delivery-id": delivery.id,
    });
    expect(verifyWebhookSignature(secret, req!.headers["steward-signature"] as string, req!.body)).toMatchObject({ valid: true });

    expect(await deliverWebhook(deps, delivery.id)).toEqual({ kind: "skipped", reason: "already-succeeded" });
    expect(requestsTo("/ok")).toHaveLength(1);
    const row = await t.db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
    expect(row).toMatchObject({ status: "SUCCEEDED", attempts: 1, lastStatusCode: 200, lastError: null });
    expect(row.deliveredAt).toBeInstanceOf(Date);
  });

  it("records a 500 (with a short snippet of the body) and succeeds on the retry", async () => {
    const { delivery } = await setup("/flaky");
    receiver.respond = (req) =>
      req.path === "/flaky" && requestsTo("/flaky").length === 1 ? { status: 500, body: `boom ${"x".repeat(5000)}` } : { status: 200 };
    const first = await deliverWebhook(deps, delivery.id);
    expect(first).toMatchObject({ kind: "failed", statusCode: 500, final: false });
    let row = await t.db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
    expect(row).toMatchObject({ status: "PENDING", attempts: 1, lastStatusCode: 500 });
    expect(row.lastError).toMatch(/^HTTP 500: boom x+/);
    expect(row.lastError!.length).toBeLessThanOrEqual(300);

    expect(await deliverWebhook(deps, delivery.id)).toMatchObject({ kind: "succeeded" });
    row = await t.db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
    expect(row).toMatchObject({ status: "SUCCEEDED", attempts: 2, lastStatusCode: 200, lastError: null });
    const attempts = await t.db.webhookDeliveryAttempt.findMany({ where: { deliveryId: delivery.id }, orderBy: { id: "asc" } });
    expect(attempts.map((a) => a.statusCode)).toEqual([500, 200]);
    receiver.respond = () => ({ status: 200 });
  });

  it("times out a receiver that never answers, and fails for good on the final attempt", async () => {
    const { delivery } = await setup("/hang");
    receiver.respond = (req) => (req.path === "/hang" ? "hang" : { status: 200 });
    const started = Date.now();
    const short = { ...deps, timeoutMs: 300 };
    expect(await deliverWebhook(short, delivery.id)).toMatchObject({ kind: "failed", statusCode: null, error: "timeout after 300 ms" });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await deliverWebhook(short, delivery.id, { finalAttempt: true })).toMatchObject({ kind: "failed", final: true });
    const row = await t.db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
    expect(row).toMatchObject({ status: "FAILED", attempts: 2, lastStatusCode: null, lastError: "timeout after 300 ms" });
    expect(await deliverWebhook(deps, delivery.id)).toEqual({ kind: "skipped", reason: "already-failed" });
    receiver.respond = () => ({ status: 200 });
  });

  it("treats redirects and unreachable hosts as failures", async () => {
    const { delivery } = await setup("/moved");
    receiver.respond = (req) => (req.path === "/moved" ? { status: 302 } : { status: 200 });
    expect(await deliverWebhook(deps, delivery.id)).toMatchObject({ kind: "failed", statusCode: 302 });
    const closed = await startReceiver();
    const deadUrl = closed.url("/nothing");
    await closed.close();
    await t.db.webhookEndpoint.update({ where: { id: delivery.endpointId }, data: { url: deadUrl } });
    expect(await deliverWebhook(deps, delivery.id)).toMatchObject({
      kind: "failed",
      statusCode: null,
      error: expect.stringContaining("ECONNREFUSED"),
    });
    receiver.respond = () => ({ status: 200 });
  });

  it("ignores jobs for a superseded round and abandons deliveries to disabled endpoints", async () => {
    const { delivery, endpoint } = await setup("/rounds");
    await t.db.webhookDelivery.update({ where: { id: delivery.id }, data: { round: 2 } });
    expect(await deliverWebhook(deps, delivery.id, { round: 1 })).toEqual({ kind: "skipped", reason: "superseded" });
    await t.db.webhookEndpoint.update({ where: { id: endpoint.id }, data: { active: false } });
    expect(await deliverWebhook(deps, delivery.id, { round: 2 })).toMatchObject({
      kind: "failed",
      final: true,
      error: "endpoint is disabled",
    });
    expect(requestsTo("/rounds")).toHaveLength(0);
    expect(await t.db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({ status: "FAILED" });
  });
});
