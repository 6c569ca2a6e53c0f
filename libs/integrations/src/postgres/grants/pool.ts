/**
 * Platform connections kept between reconciles. Opening a PostgreSQL session (fork, auth) and
 * closing it cost more than the whole one-user delta transaction they carried (measured by the
 * profile-propagation bench: ≈ 60 % of the platform apply), so the reconciler borrows sessions from a
 * small pool per (server, user, database, options) instead. Each borrowing is one transaction
 * ended by COMMIT or ROLLBACK, and the reconciler only sets transaction-local settings, so no
 * session state carries over; a session that saw any error is destroyed, never returned.
 * Idle sessions close after IDLE_MS and never keep the process alive.
 */
import { createHash } from "node:crypto";
import pg from "pg";
import { openWithPassword, type Password, passwordIdentity, passwordOption } from "../password";

/**
 * Reconciles of one connection take turns (connection lock), so more than one session per target
 * serves only plans, drift checks and connections sharing a server login. A borrower that finds all
 * busy waits up to the connect timeout, then fails as a transient error and is retried.
 */
const MAX_PER_TARGET = 4;
const IDLE_MS = 10_000;

const pools = new Map<string, pg.Pool>();
/** Sessions already handed out once: a failure on one of these may just be a stale socket. */
const borrowedBefore = new WeakSet<pg.PoolClient>();

// The key holds the password only as part of a hash: the map outlives any one reconcile. A password
// provider is keyed by its identity (a digest), and the pool asks it for every new session.
const keyOf = (config: pg.ClientConfig, password: Password | undefined) =>
  createHash("sha256")
    .update(JSON.stringify({ ...config, password: passwordIdentity(password) }))
    .digest("hex");

export type Borrowed = { client: pg.PoolClient; reused: boolean };

/** `config` without its password; `password` is fixed (PostgreSQL) or a provider (Lakebase tokens). */
export async function borrowSession(config: Omit<pg.ClientConfig, "password">, password?: Password): Promise<Borrowed> {
  const key = keyOf(config, password);
  let pool = pools.get(key);
  if (!pool) {
    pool = new pg.Pool({
      ...config,
      password: passwordOption(password),
      max: MAX_PER_TARGET,
      idleTimeoutMillis: IDLE_MS,
      allowExitOnIdle: true,
    });
    // An idle session the server closed (restart, pg_terminate_backend, DROP DATABASE … FORCE) is
    // dropped by the pool; the error needs a listener or it would crash the process.
    pool.on("error", () => {});
    pools.set(key, pool);
  }
  const target = pool;
  const client = await openWithPassword(password, () => target.connect());
  const reused = borrowedBefore.has(client);
  if (!reused) {
    borrowedBefore.add(client);
    client.on("error", () => {}); // a dropped connection surfaces as the failing query's error
  }
  return { client, reused };
}

/** `broken`: destroy the session instead of returning it (any error: its state is unknown). */
export function returnSession(b: Borrowed, broken: boolean): void {
  b.client.release(broken ? true : undefined);
}

/** A failure that says the session itself is gone, not that a statement was refused. */
export function isSessionLost(err: unknown): boolean {
  const e = (err ?? {}) as { code?: string; message?: string };
  if (e.code === "57P01" || e.code === "57P02" || e.code === "ECONNRESET" || e.code === "EPIPE") return true;
  return !e.code && err instanceof Error && /terminated|not queryable|closed|ECONNRESET|EPIPE/i.test(err.message);
}

/** Closes every kept session (tests and shutdown; reconciles open new ones on demand). */
export async function closeSessions(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.end().catch(() => {})));
}
