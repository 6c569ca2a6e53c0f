import type { Db, Tx } from "@steward/db";

export type PruneOutboxOptions = {
  /** Processed rows whose `processedAt` is before this are removed. */
  processedBefore: Date;
  /** Rows per statement: keeps each delete's locks and WAL burst small on a busy table. */
  batchSize: number;
};

/**
 * Deletes one batch of processed outbox rows past their retention; returns how many went. Unprocessed
 * rows are never touched, whatever their age: they are work still owed. Nothing references an
 * outbox row by key — a webhook delivery carries its own payload and event id, and a late duplicate
 * dispatch job finds no row and does nothing — so removing the row loses no history a reader needs.
 * Rows locked by a dispatch in flight are skipped, never waited for.
 */
export async function pruneProcessedOutbox(db: Db | Tx, opts: PruneOutboxOptions): Promise<number> {
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new Error("batchSize must be a positive integer");
  return db.$executeRaw`
    DELETE FROM "OutboxEvent" WHERE id IN (
      SELECT id FROM "OutboxEvent"
      WHERE "processedAt" IS NOT NULL AND "processedAt" < ${opts.processedBefore}
      ORDER BY "processedAt", id
      LIMIT ${opts.batchSize}
      FOR UPDATE SKIP LOCKED)`;
}
