import type { Db } from "@steward/db";

/** Namespace of the advisory lock key (the second key is hashtext(connectionId)). */
const RECONCILE_LOCK_CLASS = 7_310_001;

/** Longest a reconcile may hold its connection's lock; the platform's own timeouts end it far sooner. */
const LOCK_HOLD_MS = 30 * 60 * 1000;

/**
 * Runs `fn` while holding this connection's reconcile lock: a transaction-scoped advisory lock in
 * the metadata database, taken in a transaction that stays open (and otherwise idle) for the whole
 * run. Any number of worker processes may pick up jobs for one connection; they reconcile it one
 * after the other. A worker that dies loses its session, and PostgreSQL releases the lock with it.
 * `fn` does its own reads and writes through `db`, not through the lock's transaction.
 */
export async function withConnectionLock<T>(db: Db, connectionId: string, fn: () => Promise<T>): Promise<T> {
  let result: { value: T } | undefined;
  await db.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT pg_catalog.pg_advisory_xact_lock(${RECONCILE_LOCK_CLASS}::int, pg_catalog.hashtext(${connectionId}))::text AS locked`;
      result = { value: await fn() };
    },
    { timeout: LOCK_HOLD_MS, maxWait: 10_000 },
  );
  return result!.value;
}
