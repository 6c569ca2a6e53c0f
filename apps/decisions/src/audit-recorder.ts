import type { Logger } from "@steward/core";
import type { Db } from "@steward/db";
import type { DecisionRecordDraft } from "@steward/integrations";
import type { Metrics } from "./metrics";

type Row = {
  at: Date;
  connectionId: string;
  snapshotVersion: number;
  user: string;
  userId: string | null;
  operation: string;
  resource: string;
  allowed: boolean;
  reason: string;
  policyIds: string[];
  queryId: string | null;
};

/** A FIFO with O(1) take from the front (Array.shift is O(n) at 100k entries). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  get size() {
    return this.items.length - this.head;
  }
  push(item: T) {
    this.items.push(item);
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  take(n: number): T[] {
    const out: T[] = [];
    while (out.length < n && this.size > 0) out.push(this.shift()!);
    return out;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// PostgreSQL text cannot hold U+0000, and one bad record must not fail the whole batch.
const clean = (s: unknown, max: number) =>
  String(s ?? "")
    .replaceAll("\u0000", "\uFFFD")
    .slice(0, max);

function toRow(connectionId: string, snapshotVersion: number, at: Date, d: DecisionRecordDraft): Row {
  return {
    at,
    connectionId,
    snapshotVersion,
    user: clean(d.user, 256),
    userId: typeof d.userId === "string" && UUID.test(d.userId) ? d.userId : null,
    operation: clean(d.operation, 128),
    resource: clean(d.resource, 1_000),
    allowed: d.allowed === true,
    reason: clean(d.reason, 2_000),
    policyIds: Array.isArray(d.policyIds) ? d.policyIds.slice(0, 50).map((p) => clean(p, 64)) : [],
    queryId: d.queryId == null ? null : clean(d.queryId, 128),
  };
}

export type AuditRecorder = {
  /** Off the request path: sampling and a push onto the queue. */
  add(connection: { connectionId: string; auditSamplePercent: number }, snapshotVersion: number, records: DecisionRecordDraft[]): void;
  depth(): number;
  /** Writes what is queued now (tests, shutdown). */
  flush(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * The query audit, batched: records queue in memory and are written with one `createMany` every
 * `flushMs` or as soon as `batchSize` are waiting. Allowed decisions are sampled per connection;
 * denials are always kept. When the database is away the queue keeps growing up to `maxQueue`, then
 * the oldest allowed records are dropped first (and counted) so the denials survive longest.
 */
export function startAuditRecorder(opts: {
  db: Db;
  logger: Logger;
  metrics: Metrics;
  flushMs: number;
  batchSize: number;
  maxQueue: number;
  random?: () => number;
}): AuditRecorder {
  const allowed = new Fifo<Row>();
  const denied = new Fifo<Row>();
  const random = opts.random ?? Math.random;
  let flushing: Promise<void> | null = null;
  let failures = 0;
  let stopped = false;

  const depth = () => allowed.size + denied.size;

  function enforceBound() {
    while (depth() > opts.maxQueue) {
      if (allowed.size > 0) {
        allowed.shift();
        opts.metrics.auditDropped.inc({ allowed: "true" });
      } else {
        denied.shift();
        opts.metrics.auditDropped.inc({ allowed: "false" });
      }
    }
  }

  async function writeBatches(): Promise<void> {
    while (depth() > 0) {
      // Denials first: if the database goes away mid-flush, they are the ones already written.
      const batch = denied.take(opts.batchSize);
      batch.push(...allowed.take(opts.batchSize - batch.length));
      try {
        await opts.db.decisionRecord.createMany({ data: batch });
        opts.metrics.auditWritten.inc(batch.length);
        if (failures > 0) opts.logger.info({ failures }, "query audit writes resumed");
        failures = 0;
      } catch (err) {
        for (const row of batch) (row.allowed ? allowed : denied).push(row);
        enforceBound();
        if (failures++ === 0)
          opts.logger.warn({ err: (err as Error).message, queued: depth() }, "query audit write failed; records kept in memory");
        return;
      }
    }
  }

  function flush(): Promise<void> {
    if (!flushing) flushing = writeBatches().finally(() => (flushing = null));
    return flushing;
  }

  const timer = setInterval(() => void flush(), opts.flushMs);
  timer.unref();

  return {
    add(connection, snapshotVersion, records) {
      if (stopped || records.length === 0) return;
      const at = new Date();
      for (const record of records) {
        if (record.allowed && connection.auditSamplePercent < 100 && random() * 100 >= connection.auditSamplePercent) continue;
        (record.allowed ? allowed : denied).push(toRow(connection.connectionId, snapshotVersion, at, record));
      }
      enforceBound();
      if (depth() >= opts.batchSize && !flushing) setImmediate(() => void flush());
    },
    depth,
    flush: async () => {
      await flushing;
      await flush();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await flushing;
      await flush();
    },
  };
}
