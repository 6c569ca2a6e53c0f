/**
 * The decision service against the real PostgreSQL, with the in-memory decision adapter injected
 * under a test kind: NOTIFY-driven reloads on two replicas, forward-only versions, the HTTP error
 * contract, the batched and sampled query audit, and serve-last vs fail-closed while the metadata
 * database refuses connections.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import { prismaDecisionSnapshotStore } from "@steward/access";
import { createLogger, parseAddressList } from "@steward/core";
import { adminQuery, createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { type AdapterLookup, adapterFor, type DecisionSnapshot } from "@steward/integrations";
import { memoryDecisionAdapter } from "@steward/integrations/memory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DecisionServiceConfig, type RunningDecisionService, startDecisionService } from "./service";

const KIND = "REDSHIFT"; // a kind whose real adapter has no decisions: only the injected one answers
const lookup: AdapterLookup = (kind) => (kind === KIND ? memoryDecisionAdapter() : adapterFor(kind));
const token = `tok_${randomBytes(24).toString("base64url")}`;
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const keyring = `k1:${randomBytes(32).toString("base64")}`;
const logger = createLogger({ name: "decisions-test", level: process.env.TEST_LOG ?? "silent" });

let t: TestDatabase;
let connectionId = "";
let sampledId = "";
const running: RunningDecisionService[] = [];

const baseConfig: DecisionServiceConfig = {
  DECISIONS_ON_OUTAGE: "serve-last",
  DECISIONS_STALE_AFTER_MS: 10_000,
  // Long: in the NOTIFY tests only a notification can explain a fast reload.
  DECISIONS_POLL_MS: 60_000,
  DECISIONS_BODY_LIMIT_BYTES: 256 * 1024,
  DECISIONS_AUDIT_RETENTION_DAYS: 30,
  DECISIONS_AUDIT_FLUSH_MS: 100,
  DECISIONS_AUDIT_BATCH_SIZE: 1_000,
  DECISIONS_AUDIT_QUEUE_MAX: 100_000,
};

async function start(overrides: Partial<DecisionServiceConfig> = {}) {
  const service = await startDecisionService({
    databaseUrl: t.url,
    encryptionKeys: keyring,
    port: 0,
    config: { ...baseConfig, ...overrides },
    logger,
    metricsAccess: { allow: parseAddressList("loopback") },
    adapterFor: lookup,
  });
  running.push(service);
  return service;
}

function snapshot(id: string, version: number, access: { account: string; level: "READ" | "WRITE" }[]): DecisionSnapshot {
  const state = {
    connectionId: id,
    version,
    objects: [{ id: "o1", path: ["wh", "sales", "orders"], objectType: "TABLE" }],
    accounts: access.map((a) => a.account),
    access: access.map((a) => ({ objectId: "o1", accountName: a.account, level: a.level })),
    settings: { unmanagedGrants: "REPORT" as const },
    decisions: { privilegedAccounts: ["root"], unknownUsers: { policies: {} as never, groupIdsByName: {} } },
  };
  return { connectionId: id, version, hash: sha256(JSON.stringify(state)), publishedAt: new Date().toISOString(), state };
}

type Reply = { status: number; body: Record<string, unknown> };

/** Raw node:http so oversize bodies can be streamed and a server that closes early is still read. */
function request(
  service: RunningDecisionService,
  path: string,
  body: string | Buffer | null,
  opts: { method?: string; chunked?: boolean } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: service.port,
        path,
        method: opts.method ?? "POST",
        headers: opts.chunked || body === null ? {} : { "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
        });
      },
    );
    // The server may answer 413 and close before the whole body is sent: that is the point.
    req.on("error", (err) => (req.destroyed && (err as NodeJS.ErrnoException).code === "EPIPE" ? undefined : reject(err)));
    if (body !== null && opts.chunked) {
      const buf = Buffer.from(body);
      for (let i = 0; i < buf.length; i += 16_384) req.write(buf.subarray(i, i + 16_384));
    } else if (body !== null) req.write(body);
    req.end();
  });
}

const route = (endpoint = "allow", id = connectionId, tok = token, kind = KIND) =>
  `/decisions/${kind}/${id}/${encodeURIComponent(tok)}/${endpoint}`;
const ask = (service: RunningDecisionService, user: string, level: "READ" | "WRITE", id = connectionId) =>
  request(service, route("allow", id), JSON.stringify({ input: { user, path: ["wh", "sales", "orders"], level, queryId: "q1" } }));

async function until<T>(check: () => Promise<T | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  const make = async (name: string, config: object) =>
    (
      await t.db.connection.create({
        data: {
          name,
          kind: KIND,
          config,
          inboundSecretCiphertext: "x",
          decisionTokenHash: sha256(token),
          decisionTokenIssuedAt: new Date(),
        },
      })
    ).id;
  connectionId = await make("decide", { auditSamplePercent: 100 });
  sampledId = await make("sampled", { auditSamplePercent: 0 });
  const store = prismaDecisionSnapshotStore(t.db);
  await store.publish(snapshot(connectionId, 1, [{ account: "alice", level: "READ" }]));
  await store.publish(snapshot(sampledId, 1, [{ account: "alice", level: "READ" }]));
});

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  await adminQuery(`ALTER DATABASE "${t.name}" WITH ALLOW_CONNECTIONS true`).catch(() => undefined);
  await t?.drop();
});

describe("snapshots", () => {
  it("two replicas answer from the published snapshot and both follow a newer publish within one NOTIFY round trip", async () => {
    const [a, b] = [await start(), await start()];
    for (const s of [a, b]) {
      expect(await ask(s, "alice", "READ")).toEqual({ status: 200, body: { result: true } });
      expect(await ask(s, "alice", "WRITE")).toEqual({ status: 200, body: { result: false } });
      expect(await ask(s, "root", "WRITE")).toEqual({ status: 200, body: { result: true } });
    }
    const published = Date.now();
    await prismaDecisionSnapshotStore(t.db).publish(snapshot(connectionId, 2, [{ account: "alice", level: "WRITE" }]));
    const lags = await Promise.all(
      [a, b].map((s) =>
        until(async () => (await ask(s, "alice", "WRITE")).body.result === true && Date.now() - published, "the replica to reload", 5_000),
      ),
    );
    // The poll runs once a minute here: only the notification can have brought v2 this fast.
    for (const lag of lags) expect(lag).toBeLessThan(1_000);
    expect(a.cache.get(connectionId)?.served?.version).toBe(2);
  });

  it("ignores a publish of an older version", async () => {
    const [a] = running;
    await prismaDecisionSnapshotStore(t.db).publish(snapshot(connectionId, 1, []));
    await new Promise((r) => setTimeout(r, 300));
    const fresh = await start();
    for (const s of [a!, fresh]) {
      expect(s.cache.get(connectionId)?.served?.version).toBe(2);
      expect(await ask(s, "alice", "WRITE")).toEqual({ status: 200, body: { result: true } });
    }
  });
});

describe("HTTP contract", () => {
  it("refuses bad tokens, unknown kinds and endpoints, wrong methods, malformed and oversize bodies", async () => {
    const s = running[0]!;
    const good = JSON.stringify({ input: { user: "alice", path: ["wh"], level: "READ" } });
    for (const bad of ["wrong", `${token}x`, `it's "☃"\u0000`, "x".repeat(5_000)]) {
      expect((await request(s, route("allow", connectionId, bad), good)).status).toBe(401);
    }
    expect((await request(s, route("allow", randomUUID()), good)).status).toBe(401);
    expect((await request(s, route("allow", "not-a-uuid"), good)).status).toBe(401);
    expect(await request(s, route("allow", connectionId, token, "NOPE"), good)).toMatchObject({ status: 404 });
    // POSTGRES exists but answers nothing at query time.
    expect(await request(s, route("allow", connectionId, token, "POSTGRES"), good)).toMatchObject({ status: 404 });
    expect(await request(s, route("filters"), good)).toMatchObject({
      status: 404,
      body: { error: expect.stringContaining("allow, batch") },
    });
    expect(await request(s, route("allow"), null, { method: "GET" })).toMatchObject({ status: 405 });
    expect(await request(s, route("allow"), '{"input": ')).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^malformed JSON/) },
    });
    expect(await request(s, route("allow"), "")).toMatchObject({ status: 400, body: { error: expect.stringContaining("empty") } });
    expect(await request(s, route("allow"), "{}")).toMatchObject({ status: 400, body: { error: "missing input" } });
    const huge = JSON.stringify({
      input: { items: Array.from({ length: 10_000 }, () => ({ user: "alice", path: ["wh"], level: "READ" })) },
    });
    expect(huge.length).toBeGreaterThan(baseConfig.DECISIONS_BODY_LIMIT_BYTES);
    expect(await request(s, route("batch"), huge)).toMatchObject({ status: 413, body: { error: expect.stringContaining("larger than") } });
    expect(await request(s, route("batch"), huge, { chunked: true })).toMatchObject({ status: 413 });
    // The service is unharmed.
    expect(await ask(s, "alice", "READ")).toEqual({ status: 200, body: { result: true } });
  });

  it("a re-issued token replaces the old one at the next poll, even after the old one was verified", async () => {
    const s = await start({ DECISIONS_POLL_MS: 100 });
    expect((await ask(s, "alice", "READ")).status).toBe(200);
    const next = `tok_${randomBytes(24).toString("base64url")}`;
    await t.db.connection.update({ where: { id: connectionId }, data: { decisionTokenHash: sha256(next) } });
    try {
      await until(async () => (await ask(s, "alice", "READ")).status === 401 || false, "the old token to stop working", 5_000);
      const withNext = await request(
        s,
        route("allow", connectionId, next),
        JSON.stringify({ input: { user: "alice", path: ["wh", "sales", "orders"], level: "READ", queryId: "q1" } }),
      );
      expect(withNext).toEqual({ status: 200, body: { result: true } });
    } finally {
      await t.db.connection.update({ where: { id: connectionId }, data: { decisionTokenHash: sha256(token) } });
    }
  });

  it("serves /healthz, /readyz and /metrics", async () => {
    const s = running[0]!;
    expect(await request(s, "/healthz", null, { method: "GET" })).toEqual({ status: 200, body: { status: "ok" } });
    expect(await request(s, "/readyz", null, { method: "GET" })).toEqual({
      status: 200,
      body: { status: "ready", checks: { snapshots: true, database: true } },
    });
    const metrics = await fetch(`http://127.0.0.1:${s.port}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/steward_decisions_total\{result="allowed"\} \d+/);
    expect(metrics).toContain(`steward_decision_snapshot_version{connection="${connectionId}"} 2`);
    expect(metrics).toMatch(/steward_decision_latency_seconds_bucket/);
    expect(metrics).toMatch(/steward_decision_audit_queue_depth \d+/);
  });
});

describe("query audit", () => {
  it("lands in DecisionRecord in batches with the snapshot version; sampling keeps every denial", async () => {
    const s = running[0]!;
    await Promise.all(running.map((r) => r.flushAudit()));
    await t.db.decisionRecord.deleteMany();
    const items = Array.from({ length: 2_500 }, (_, i) => ({
      user: i % 2 ? "alice" : "mallory\u0000'\"☃",
      path: ["wh", "sales", "orders"],
      level: "READ",
      queryId: `q-${i}`,
    }));
    const batch = await request(s, route("batch"), JSON.stringify({ input: { items: items.slice(0, 1_200) } }));
    expect(batch.status).toBe(200);
    expect(batch.body.result).toHaveLength(600);
    await request(s, route("batch"), JSON.stringify({ input: { items: items.slice(1_200) } }));
    const ours = { connectionId, queryId: { startsWith: "q-" } };
    await until(async () => (await t.db.decisionRecord.count({ where: ours })) >= 2_500 || false, "2,500 records");
    const rows = await t.db.decisionRecord.groupBy({ by: ["allowed", "snapshotVersion", "user"], where: ours, _count: true });
    expect([...rows].sort((x, y) => Number(x.allowed) - Number(y.allowed))).toEqual([
      { allowed: false, snapshotVersion: 2, user: "mallory\uFFFD'\"☃", _count: 1_250 },
      { allowed: true, snapshotVersion: 2, user: "alice", _count: 1_250 },
    ]);

    // auditSamplePercent 0: no allowed decision is kept, every denial is.
    for (let i = 0; i < 20; i++) {
      await ask(s, "alice", "READ", sampledId);
      await ask(s, "bob", "READ", sampledId);
    }
    await s.flushAudit();
    const sampled = await t.db.decisionRecord.findMany({ where: { connectionId: sampledId } });
    expect(sampled).toHaveLength(20);
    expect(sampled.every((r) => !r.allowed && r.user === "bob" && r.snapshotVersion === 1 && r.reason === "no subscription")).toBe(true);
  });
});

describe("metadata database outage", () => {
  it("serve-last keeps answering; fail-closed denies (503 where no safe deny exists) and records why; both recover", async () => {
    const outage = { DECISIONS_POLL_MS: 100, DECISIONS_STALE_AFTER_MS: 500 };
    const serveLast = await start({ ...outage, DECISIONS_ON_OUTAGE: "serve-last" });
    const failClosed = await start({ ...outage, DECISIONS_ON_OUTAGE: "fail-closed" });
    expect((await ask(failClosed, "alice", "READ")).body).toEqual({ result: true });
    await t.db.decisionRecord.deleteMany();

    await adminQuery(`ALTER DATABASE "${t.name}" WITH ALLOW_CONNECTIONS false`);
    await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${t.name}' AND pid <> pg_backend_pid()`);
    try {
      await until(async () => (await ask(failClosed, "alice", "READ")).body.result === false || false, "fail-closed to deny", 10_000);
      const batch = await request(
        failClosed,
        route("batch"),
        JSON.stringify({ input: { items: [{ user: "alice", path: ["wh"], level: "READ" }] } }),
      );
      expect(batch).toMatchObject({ status: 503, body: { error: expect.stringContaining("unreachable") } });
      expect(await ask(serveLast, "alice", "READ")).toEqual({ status: 200, body: { result: true } });
      expect((await request(serveLast, "/readyz", null, { method: "GET" })).status).toBe(503);
    } finally {
      await adminQuery(`ALTER DATABASE "${t.name}" WITH ALLOW_CONNECTIONS true`);
    }
    await until(async () => (await ask(failClosed, "alice", "READ")).body.result === true || false, "fail-closed to recover", 15_000);
    // The denial made during the outage was queued and written once the database came back.
    const denial = await until(
      async () =>
        (await t.db.decisionRecord.findFirst({ where: { connectionId, allowed: false, reason: { contains: "unreachable" } } })) ?? false,
      "the fail-closed record",
      15_000,
    );
    expect(denial).toMatchObject({ user: "alice", snapshotVersion: 2, queryId: "q1" });
    // LISTEN came back too: a publish reaches the replicas again.
    await prismaDecisionSnapshotStore(t.db).publish(snapshot(connectionId, 3, []));
    for (const s of [serveLast, failClosed]) {
      await until(async () => (await ask(s, "alice", "READ")).body.result === false || false, "v3 after the outage");
    }
  });
});
