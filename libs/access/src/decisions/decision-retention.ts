import type { Db } from "@steward/db";

/**
 * Deletes query-audit records older than `olderThan`, in bounded batches so a large backlog never
 * holds one long transaction against the replicas' inserts. Returns how many were deleted. Safe to
 * run from several replicas at once (a row deleted twice is simply not found again).
 */
export async function pruneDecisionRecords(db: Db, olderThan: Date, batchSize = 10_000): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await db.$executeRaw`
      DELETE FROM "DecisionRecord"
       WHERE id IN (SELECT id FROM "DecisionRecord" WHERE at < ${olderThan} LIMIT ${batchSize}::int)`;
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
