import type { Logger } from "@steward/core";
import type { DecisionRecordDraft } from "@steward/integrations";
import type pg from "pg";
import type { Metrics } from "./metrics";

export type AuditRow = {
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

type Row = AuditRow;

/** Writes one batch of rows (throws on failure; the recorder keeps the rows and retries). */
export type AuditWriter = (rows: readonly AuditRow[]) => Promise<void>;

/**
 * One INSERT per batch through plain `pg`, every column as one array parameter (`unnest`): the
 * cheapest write PostgreSQL offers short of COPY. Measured (bench decision-endpoint): Prisma's
 * `createMany` of 1,000 rows held the event loop long enough to cap the service at a tenth of a bare
 * server's throughput; this statement's cost on the request thread is building eleven arrays.
 */
export function pgDecisionRecordWriter(pool: pg.Pool): AuditWriter {
  return async (rows) => {
    const cols = {
      at: [] as number[],
      connectionId: [] as string[],
      snapshotVersion: [] as number[],
      user: [] as string[],
      userId: [] as (string | null)[],
      operation: [] as string[],
      resource: [] as string[],
      allowed: [] as boolean[],
      reason: [] as string[],
      policyIds: [] as string[],
      queryId: [] as (string | null)[],
    };
    for (const r of rows) {
      cols.at.push(r.at.getTime());
      cols.connectionId.push(r.connectionId);
      cols.snapshotVersion.push(r.snapshotVersion);
      cols.user.push(r.user);
      cols.userId.push(r.userId);
      cols.operation.push(r.operation);
      cols.resource.push(r.resource);
      cols.allowed.push(r.allowed);
      cols.reason.push(r.reason);
      cols.policyIds.push(JSON.stringify(r.policyIds));
      cols.queryId.push(r.queryId);
    }
    await pool.query(
      `INSERT INTO "DecisionRecord" (id, at, "connectionId", "snapshotVersion", "user", "userId", operation, resource, allowed, reason, "policyIds", "queryId")
       SELECT gen_random_uuid(), to_timestamp(t.at / 1000.0) AT TIME ZONE 'UTC', t.cid, t.v, t.u, t.uid, t.op, t.res, t.ok, t.why,
              ARRAY(SELECT json_array_elements_text(t.pids::json)), t.qid
         FROM unnest($1::float8[], $2::uuid[], $3::int[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::bool[], $9::text[], $10::text[], $11::text[])
           AS t(at, cid, v, u, uid, op, res, ok, why, pids, qid)`,
      [
        cols.at,
        cols.connectionId,
        cols.snapshotVersion,
        cols.user,
        cols.userId,
        cols.operation,
        cols.resource,
        cols.allowed,
        cols.reason,
        cols.policyIds,
        cols.queryId,
      ],
    );
  };
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
 * The query audit, batched: records queue in memory and are written with one statement every
 * `flushMs` or as soon as `batchSize` are waiting. Allowed decisions are sampled per connection;
 * denials are always kept. When the database is away the queue keeps growing up to `maxQueue`, then
 * the oldest allowed records are dropped first (and counted) so the denials survive longest.
 */
export function startAuditRecorder(opts: {
  write: AuditWriter;
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
        await opts.write(batch);
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
