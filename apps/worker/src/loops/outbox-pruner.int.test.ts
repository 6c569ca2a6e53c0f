import { randomBytes } from "node:crypto";
import { createLogger, parseKeyring, SecretBox, systemActor } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { pruneProcessedOutbox } from "@steward/events";
import { createWebhookEndpoint, deliverWebhook } from "@steward/webhooks";
import { startReceiver, type TestReceiver } from "@steward/webhooks/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { WorkerContext } from "../context";
import { loadEnv } from "../env";
import { outboxPrunePass } from "./outbox-pruner";

let t: TestDatabase;
let receiver: TestReceiver;
const logger = createLogger({ name: "test", level: "silent" });
const secretBox = new SecretBox(parseKeyring(`k1:${randomBytes(32).toString("base64")}`));
const DAY = 86_400_000;
const now = new Date("2026-12-01T12:00:00Z");
const daysAgo = (d: number) => new Date(now.getTime() - d * DAY);

beforeAll(async () => {
  t = await createTestDatabase();
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await t?.drop();
});
beforeEach(async () => {
  await t.db.outboxEvent.deleteMany();
});

async function event(createdDaysAgo: number, processedDaysAgo: number | null) {
  return t.db.outboxEvent.create({
    data: {
      type: "user.created",
      aggregateType: "User",
      aggregateId: randomBytes(4).toString("hex"),
      payload: { userId: "u" },
      createdAt: daysAgo(createdDaysAgo),
      processedAt: processedDaysAgo === null ? null : daysAgo(processedDaysAgo),
    },
  });
}

function context(overrides: Record<string, string> = {}): WorkerContext {
  const env = loadEnv({ DATABASE_URL: t.url, STEWARD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`, ...overrides });
  return { db: t.db, logger, config: env } as unknown as WorkerContext;
}

describe("outbox pruning", () => {
  it("deletes processed rows past the default 7-day retention and keeps everything else", async () => {
    const old = await event(30, 29);
    const oldButJustProcessed = await event(30, 1);
    const stuck = await event(60, null);
    const recent = await event(2, 2);
    expect(context().config.OUTBOX_RETENTION_DAYS).toBe(7);

    expect(await outboxPrunePass(context(), now)).toBe("idle");
    const left = (await t.db.outboxEvent.findMany({ orderBy: { id: "asc" } })).map((e) => e.id);
    expect(left).toEqual([oldButJustProcessed.id, stuck.id, recent.id]);
    expect(left).not.toContain(old.id);
  });

  it("honours OUTBOX_RETENTION_DAYS", async () => {
    const eightDays = await event(9, 8);
    const twoDays = await event(3, 2);
    const ids = async () => (await t.db.outboxEvent.findMany({ orderBy: { id: "asc" } })).map((e) => e.id);
    await outboxPrunePass(context({ OUTBOX_RETENTION_DAYS: "30" }), now);
    expect(await ids()).toEqual([eightDays.id, twoDays.id]);
    await outboxPrunePass(context({ OUTBOX_RETENTION_DAYS: "3" }), now);
    expect(await ids()).toEqual([twoDays.id]);
    await outboxPrunePass(context({ OUTBOX_RETENTION_DAYS: "1" }), now);
    expect(await ids()).toEqual([]);
  });

  it("works in batches, asking for another pass while a full batch went", async () => {
    for (let i = 0; i < 5; i++) await event(20, 20);
    const ctx = context({ OUTBOX_PRUNE_BATCH_SIZE: "2" });
    expect(await outboxPrunePass(ctx, now)).toBe("more");
    expect(await t.db.outboxEvent.count()).toBe(3);
    expect(await outboxPrunePass(ctx, now)).toBe("more");
    expect(await outboxPrunePass(ctx, now)).toBe("idle");
    expect(await t.db.outboxEvent.count()).toBe(0);
  });

  it("skips a row a dispatch holds locked instead of waiting for it", async () => {
    const locked = await event(20, 20);
    await event(20, 20);
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let lockTaken: () => void = () => {};
    const taken = new Promise<void>((r) => {
      lockTaken = r;
    });
    const holder = t.db.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT id FROM "OutboxEvent" WHERE id = ${locked.id} FOR UPDATE`;
        lockTaken();
        await held;
      },
      { timeout: 20_000 },
    );
    await taken;
    expect(await pruneProcessedOutbox(t.db, { processedBefore: daysAgo(7), batchSize: 10 })).toBe(1);
    release();
    await holder;
    expect((await t.db.outboxEvent.findMany()).map((e) => e.id)).toEqual([locked.id]);
  });

  it("leaves webhook deliveries of a pruned event deliverable (they carry their own payload)", async () => {
    const e = await event(20, 20);
    const { endpoint } = await createWebhookEndpoint({ db: t.db, secretBox }, systemActor(), {
      url: receiver.url("/pruned"),
      eventTypes: ["*"],
    });
    const delivery = await t.db.webhookDelivery.create({
      data: { endpointId: endpoint.id, eventId: e.id, eventType: e.type, payload: e.payload as object, eventCreatedAt: e.createdAt },
    });
    await outboxPrunePass(context(), now);
    expect(await t.db.outboxEvent.count()).toBe(0);
    const outcome = await deliverWebhook({ db: t.db, secretBox, timeoutMs: 5_000, logger }, delivery.id);
    expect(outcome).toMatchObject({ kind: "succeeded" });
    const [req] = receiver.requests.filter((r) => r.path === "/pruned");
    expect(JSON.parse(req!.body)).toMatchObject({ id: e.id.toString(), type: "user.created", data: { userId: "u" } });
  });
});
