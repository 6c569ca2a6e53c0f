import { randomBytes, randomUUID } from "node:crypto";
import { type Actor, parseKeyring, SecretBox } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDeliveriesForEvent,
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listDeliveryAttempts,
  listWebhookDeliveries,
  listWebhookEndpoints,
  pingWebhookEndpoint,
  redeliverWebhook,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from "./index";

let t: TestDatabase;
let deps: { db: TestDatabase["db"]; secretBox: SecretBox };
let admin: Actor;
let governor: Actor;

const code = (c: string) => expect.objectContaining({ code: c });

async function makeUser(roles: ("ADMIN" | "GOVERNOR")[]): Promise<Actor> {
  const suffix = randomBytes(4).toString("hex");
  const user = await t.db.user.create({ data: { username: `u${suffix}`, displayName: `User ${suffix}`, email: `u${suffix}@example.com` } });
  return { kind: "USER", userId: user.id, username: user.username, roles: new Set(roles) };
}

async function counts() {
  return { endpoints: await t.db.webhookEndpoint.count(), audit: await t.db.auditEvent.count(), outbox: await t.db.outboxEvent.count() };
}

beforeAll(async () => {
  t = await createTestDatabase();
  deps = { db: t.db, secretBox: new SecretBox(parseKeyring(`k1:${randomBytes(32).toString("base64")}`)) };
  admin = await makeUser(["ADMIN"]);
  governor = await makeUser(["GOVERNOR"]);
});
afterAll(async () => t?.drop());

describe("webhook endpoint use-cases", () => {
  it("creates an endpoint, returning the secret once and storing it only sealed", async () => {
    const { endpoint, secret } = await createWebhookEndpoint(deps, admin, {
      url: "https://hooks.example.com/a",
      eventTypes: ["user.created"],
    });
    expect(secret).toMatch(/^whsec_/);
    expect(endpoint).toMatchObject({
      url: "https://hooks.example.com/a",
      description: "",
      eventTypes: ["user.created"],
      active: true,
      hasSecret: true,
    });
    expect(endpoint).not.toHaveProperty("secretCiphertext");
    const row = await t.db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(row.secretCiphertext).not.toContain(secret);
    expect(deps.secretBox.open(row.secretCiphertext)).toBe(secret);
    const audit = await t.db.auditEvent.findFirstOrThrow({ where: { action: "webhook.created", targetId: endpoint.id } });
    expect(audit.actorId).toBe((admin as { userId: string }).userId);
    expect(JSON.stringify([audit.before, audit.after])).not.toContain(secret);
    expect(JSON.stringify([audit.before, audit.after])).not.toContain(row.secretCiphertext);
  });

  it.each([
    ["a non-http URL", { url: "ftp://example.com", eventTypes: ["*"] }],
    ["credentials in the URL", { url: "https://u:p@example.com", eventTypes: ["*"] }],
    ["an oversized URL", { url: `https://example.com/${"x".repeat(2100)}`, eventTypes: ["*"] }],
    ["an unknown event type", { url: "https://example.com", eventTypes: ["user.vanished"] }],
    ["no event types", { url: "https://example.com", eventTypes: [] }],
    ["an oversized description", { url: "https://example.com", eventTypes: ["*"], description: "d".repeat(2001) }],
  ])("rejects %s with BAD_USER_INPUT and writes nothing", async (_, input) => {
    const before = await counts();
    await expect(createWebhookEndpoint(deps, admin, input)).rejects.toThrow(code("BAD_USER_INPUT"));
    expect(await counts()).toEqual(before);
  });

  it("refuses every webhook operation to non-admins, writing nothing", async () => {
    const { endpoint } = await createWebhookEndpoint(deps, admin, { url: "https://hooks.example.com/b", eventTypes: ["*"] });
    const before = await counts();
    const attempts: Promise<unknown>[] = [
      createWebhookEndpoint(deps, governor, { url: "https://example.com", eventTypes: ["*"] }),
      updateWebhookEndpoint(deps, governor, { id: endpoint.id, active: false }),
      deleteWebhookEndpoint(deps, governor, { id: endpoint.id }),
      rotateWebhookSecret(deps, governor, { id: endpoint.id }),
      pingWebhookEndpoint(deps, governor, { id: endpoint.id }),
      redeliverWebhook(deps, governor, { deliveryId: randomUUID() }),
      listWebhookEndpoints(deps, governor),
      getWebhookEndpoint(deps, governor, endpoint.id),
      listWebhookDeliveries(deps, governor, endpoint.id, {}, {}),
      listDeliveryAttempts(deps, governor, [randomUUID()]),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toThrow(code("FORBIDDEN"));
    expect(await counts()).toEqual(before);
    expect((await t.db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).active).toBe(true);
  });

  it("updates only the given fields and audits before/after", async () => {
    const { endpoint } = await createWebhookEndpoint(deps, admin, {
      url: "https://hooks.example.com/c",
      eventTypes: ["group.created"],
      description: "old",
    });
    const updated = await updateWebhookEndpoint(deps, admin, { id: endpoint.id, description: "new", active: false });
    expect(updated).toMatchObject({ url: endpoint.url, description: "new", eventTypes: ["group.created"], active: false });
    const audit = await t.db.auditEvent.findFirstOrThrow({ where: { action: "webhook.updated", targetId: endpoint.id } });
    expect(audit.before).toMatchObject({ description: "old", active: true });
    expect(audit.after).toMatchObject({ description: "new", active: false });
    await expect(updateWebhookEndpoint(deps, admin, { id: endpoint.id, eventTypes: ["nope"] })).rejects.toThrow(code("BAD_USER_INPUT"));
    await expect(updateWebhookEndpoint(deps, admin, { id: randomUUID(), active: true })).rejects.toThrow(code("NOT_FOUND"));
  });

  it("rotates the secret without auditing it", async () => {
    const created = await createWebhookEndpoint(deps, admin, { url: "https://hooks.example.com/d", eventTypes: ["*"] });
    const rotated = await rotateWebhookSecret(deps, admin, { id: created.endpoint.id });
    expect(rotated.secret).not.toBe(created.secret);
    const row = await t.db.webhookEndpoint.findUniqueOrThrow({ where: { id: created.endpoint.id } });
    expect(deps.secretBox.open(row.secretCiphertext)).toBe(rotated.secret);
    const audit = await t.db.auditEvent.findFirstOrThrow({ where: { action: "webhook.secret_rotated", targetId: created.endpoint.id } });
    expect(audit.after).toEqual({ sealedWithKey: "k1" });
    expect(JSON.stringify([audit.before, audit.after])).not.toContain(rotated.secret);
  });

  it("pings through the outbox, and not when disabled", async () => {
    const { endpoint } = await createWebhookEndpoint(deps, admin, { url: "https://hooks.example.com/e", eventTypes: ["user.created"] });
    expect(await pingWebhookEndpoint(deps, admin, { id: endpoint.id })).toBe(true);
    const event = await t.db.outboxEvent.findFirstOrThrow({ where: { type: "webhook.ping", aggregateId: endpoint.id } });
    expect(event).toMatchObject({ type: "webhook.ping", payload: { endpointId: endpoint.id }, processedAt: null });
    expect(await t.db.auditEvent.count({ where: { action: "webhook.pinged", targetId: endpoint.id } })).toBe(1);
    await updateWebhookEndpoint(deps, admin, { id: endpoint.id, active: false });
    await expect(pingWebhookEndpoint(deps, admin, { id: endpoint.id })).rejects.toThrow(code("CONFLICT"));
  });

  it("lists and gets endpoints, and deletes with an audit record", async () => {
    const { endpoint } = await createWebhookEndpoint(deps, admin, { url: "https://hooks.example.com/f", eventTypes: ["*"] });
    expect((await listWebhookEndpoints(deps, admin)).map((e) => e.id)).toContain(endpoint.id);
    expect(await getWebhookEndpoint(deps, admin, endpoint.id)).toMatchObject({ id: endpoint.id, hasSecret: true });
    expect(await getWebhookEndpoint(deps, admin, "not-a-uuid")).toBeNull();
    await deleteWebhookEndpoint(deps, admin, { id: endpoint.id });
    expect(await getWebhookEndpoint(deps, admin, endpoint.id)).toBeNull();
    const audit = await t.db.auditEvent.findFirstOrThrow({ where: { action: "webhook.deleted", targetId: endpoint.id } });
    expect(audit.before).toMatchObject({ url: endpoint.url });
    await expect(deleteWebhookEndpoint(deps, admin, { id: endpoint.id })).rejects.toThrow(code("NOT_FOUND"));
  });
});

describe("deliveries", () => {
  async function event(type: string, payload: object) {
    return t.db.outboxEvent.create({ data: { type, aggregateType: "Test", aggregateId: "x", payload } });
  }

  it("plans deliveries for subscribed active endpoints only, idempotently; pings go to their endpoint", async () => {
    await t.db.webhookEndpoint.updateMany({ data: { active: false } });
    const all = await createWebhookEndpoint(deps, admin, { url: "https://a.example.com", eventTypes: ["*"] });
    const groups = await createWebhookEndpoint(deps, admin, { url: "https://b.example.com", eventTypes: ["group.created"] });
    const users = await createWebhookEndpoint(deps, admin, { url: "https://c.example.com", eventTypes: ["user.created"] });
    await updateWebhookEndpoint(deps, admin, { id: users.endpoint.id, eventTypes: ["group.created"], active: false });

    const e1 = await event("group.created", { groupId: randomUUID() });
    const first = await createDeliveriesForEvent(t.db, e1);
    expect(first.map((d) => d.endpointId).sort()).toEqual([all.endpoint.id, groups.endpoint.id].sort());
    expect(await createDeliveriesForEvent(t.db, e1)).toHaveLength(2);
    expect(await t.db.webhookDelivery.count({ where: { eventId: e1.id } })).toBe(2);

    const ping = await event("webhook.ping", { endpointId: groups.endpoint.id });
    expect((await createDeliveriesForEvent(t.db, ping)).map((d) => d.endpointId)).toEqual([groups.endpoint.id]);
  });

  it("pages deliveries newest first with a status filter, and batches attempts", async () => {
    const { endpoint } = await createWebhookEndpoint(deps, admin, { url: "https://page.example.com", eventTypes: ["*"] });
    const base = Date.now();
    for (let i = 0; i < 7; i++) {
      await t.db.webhookDelivery.create({
        data: {
          endpointId: endpoint.id,
          eventId: BigInt(10_000 + i),
          eventType: "user.created",
          payload: {},
          status: i % 2 ? "FAILED" : "SUCCEEDED",
          createdAt: new Date(base + i * 1000),
        },
      });
    }
    const seen: bigint[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await listWebhookDeliveries(deps, admin, endpoint.id, {}, { first: 3, after });
      seen.push(...page.nodes.map((d) => d.eventId));
      expect(page.edges.at(-1)?.cursor ?? null).toBe(page.endCursor);
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => BigInt(10_000 + i)));
    const failed = await listWebhookDeliveries(deps, admin, endpoint.id, { status: "FAILED" }, { first: 10 });
    expect(failed.nodes.map((d) => d.eventId)).toEqual([5, 3, 1].map((i) => BigInt(10_000 + i)));
    await expect(listWebhookDeliveries(deps, admin, endpoint.id, {}, { after: "bogus" })).rejects.toThrow(code("BAD_USER_INPUT"));

    const [d1, d2] = failed.nodes;
    await t.db.webhookDeliveryAttempt.createMany({
      data: [
        { deliveryId: d1!.id, statusCode: 500, durationMs: 5 },
        { deliveryId: d2!.id, statusCode: null, error: "timeout", durationMs: 9 },
        { deliveryId: d1!.id, statusCode: 200, durationMs: 4 },
      ],
    });
    const batches = await listDeliveryAttempts(deps, admin, [d2!.id, "junk", d1!.id]);
    expect(batches.map((b) => b.map((a) => a.statusCode))).toEqual([[null], [], [500, 200]]);
  });

  it("redelivers by moving the delivery to a new PENDING round", async () => {
    const { endpoint } = await createWebhookEndpoint(deps, admin, { url: "https://re.example.com", eventTypes: ["*"] });
    const d = await t.db.webhookDelivery.create({
      data: { endpointId: endpoint.id, eventId: 77_777n, eventType: "user.created", payload: {}, status: "FAILED", attempts: 8 },
    });
    const after = await redeliverWebhook(deps, admin, { deliveryId: d.id });
    expect(after).toMatchObject({ status: "PENDING", round: 2, attempts: 8 });
    const audit = await t.db.auditEvent.findFirstOrThrow({ where: { action: "webhook.redelivered", targetId: d.id } });
    expect(audit.before).toMatchObject({ status: "FAILED", round: 1 });
    await expect(redeliverWebhook(deps, admin, { deliveryId: randomUUID() })).rejects.toThrow(code("NOT_FOUND"));
    await updateWebhookEndpoint(deps, admin, { id: endpoint.id, active: false });
    await expect(redeliverWebhook(deps, admin, { deliveryId: d.id })).rejects.toThrow(code("CONFLICT"));
  });
});
