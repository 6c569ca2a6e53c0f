/** The audit queue's bound and batching against the real DecisionRecord table. */
import { randomUUID } from "node:crypto";
import { pruneDecisionRecords } from "@steward/access";
import { createLogger } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import type { DecisionRecordDraft } from "@steward/integrations";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { pgDecisionRecordWriter, startAuditRecorder } from "./audit-recorder";
import { createMetrics } from "./metrics";

let t: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  t = await createTestDatabase();
  pool = new pg.Pool({ connectionString: t.url, max: 2 });
});
afterAll(async () => {
  await pool?.end();
  await t?.drop();
});

const draft = (i: number, allowed: boolean): DecisionRecordDraft => ({
  user: `u${i}`,
  userId: i === 0 ? "not-a-uuid" : null,
  operation: "SelectFromColumns",
  resource: `c.s.t${i}`,
  allowed,
  reason: allowed ? "subscribed" : "no subscription",
  policyIds: [],
  queryId: null,
});

it("past the bound drops the oldest allowed records first, counts them, and writes the rest in batches", async () => {
  const metrics = createMetrics();
  const recorder = startAuditRecorder({
    write: pgDecisionRecordWriter(pool),
    logger: createLogger({ name: "audit-test", level: "silent" }),
    metrics,
    flushMs: 3_600_000, // only explicit flushes in this test
    batchSize: 2,
    maxQueue: 5,
  });
  const connection = { connectionId: randomUUID(), auditSamplePercent: 100 };
  recorder.add(connection, 7, [draft(0, false), draft(1, true), draft(2, true), draft(3, true), draft(4, false)]);
  recorder.add(connection, 8, [draft(5, true), draft(6, false), draft(7, true)]);
  expect(recorder.depth()).toBe(5);
  await recorder.stop();
  const rows = await t.db.decisionRecord.findMany({ where: { connectionId: connection.connectionId }, orderBy: { user: "asc" } });
  // Denials u0, u4, u6 all kept; of the allowed u1 u2 u3 u5 u7, the three oldest went.
  expect(rows.map((r) => [r.user, r.allowed, r.snapshotVersion])).toEqual([
    ["u0", false, 7],
    ["u4", false, 7],
    ["u5", true, 8],
    ["u6", false, 8],
    ["u7", true, 8],
  ]);
  expect(rows[0]?.userId).toBeNull(); // a malformed user id never fails the batch
  const text = await metrics.registry.metrics();
  expect(text).toContain('steward_decision_audit_dropped_total{allowed="true"} 3');
  expect(text).toContain("steward_decision_audit_written_total 5");
});

it("the batch writer stores every field as given (time to the millisecond, policy ids, hostile text)", async () => {
  const at = new Date("2026-11-30T23:59:58.123Z");
  const row = {
    at,
    connectionId: randomUUID(),
    snapshotVersion: 42,
    user: 'o\'brien "ü"',
    userId: randomUUID(),
    operation: "SelectFromColumns",
    resource: "cat.s.t(a, b)",
    allowed: false,
    reason: "no subscription; lacks 'x'",
    policyIds: ["p1", 'p"2'],
    queryId: "20261130_q",
  };
  await pgDecisionRecordWriter(pool)([row, { ...row, userId: null, policyIds: [], queryId: null }]);
  const stored = await t.db.decisionRecord.findMany({ where: { connectionId: row.connectionId }, orderBy: { userId: "asc" } });
  const { id: _id, ...first } = stored[0]!;
  expect(first).toEqual(row);
  expect(stored[1]).toMatchObject({ userId: null, policyIds: [], queryId: null });
});

it("retention deletes only records older than the cut-off, across batches", async () => {
  const connectionId = randomUUID();
  const old = new Date(Date.now() - 31 * 86_400_000);
  const base = { connectionId, snapshotVersion: 1, user: "u", operation: "op", resource: "r", allowed: true, reason: "x", policyIds: [] };
  await t.db.decisionRecord.createMany({
    data: [...Array.from({ length: 5 }, () => ({ ...base, at: old })), { ...base, at: new Date() }],
  });
  expect(await pruneDecisionRecords(t.db, new Date(Date.now() - 30 * 86_400_000), 2)).toBe(5);
  expect(await t.db.decisionRecord.count({ where: { connectionId } })).toBe(1);
});
