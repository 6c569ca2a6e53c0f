/**
 * The access sweeper's rules, pure so they are unit-tested here and the worker loop only schedules:
 * when a failed or lost version is retried, and which drift findings call for a repair.
 */
import type { AccessFinding, ErrorClass } from "@steward/integrations";

export const MAX_TRANSIENT_RETRY_MS = 10_000;
/** An admin must fix configuration and permanent errors; retrying them fast only fills the run log. */
export const MAX_STUCK_RETRY_MS = 5 * 60_000;

/** Capped exponential spacing after `failureStreak` failures in a row (0 = none). */
export function retryDelayMs(failureStreak: number, errorClass: ErrorClass | null = "TRANSIENT"): number {
  const cap = errorClass === null || errorClass === "TRANSIENT" ? MAX_TRANSIENT_RETRY_MS : MAX_STUCK_RETRY_MS;
  return Math.min(cap, 500 * 2 ** Math.max(0, failureStreak - 1));
}

export type PendingState = { failureStreak: number; lastAttemptAt: Date | null; lastErrorClass?: string | null };

const asErrorClass = (c: string | null | undefined): ErrorClass | null =>
  c === "TRANSIENT" || c === "PERMANENT" || c === "CONFIGURATION" ? c : null;

/**
 * Whether an unapplied version should be (re)queued now: never attempted; after a failure, once its
 * backoff has passed (forever — an outage ends eventually); with no failure (a job lost with Redis),
 * once a sweep interval has passed since the last attempt.
 */
export function isRetryDue(s: PendingState, now: Date, sweepIntervalMs: number): boolean {
  if (!s.lastAttemptAt) return true;
  const wait = s.failureStreak > 0 ? retryDelayMs(s.failureStreak, asErrorClass(s.lastErrorClass)) : sweepIntervalMs;
  return now.getTime() - s.lastAttemptAt.getTime() >= wait;
}

/** Findings the next reconcile would change; the adapter marks them (e.g. unmanaged grants only when revoking). */
export function repairableFindings(findings: readonly AccessFinding[]): AccessFinding[] {
  return findings.filter((f) => f.repairable);
}

/** Time-bound access has ended when its expiry instant has come. */
export function hasExpired(nextExpiryAt: Date | null, now: Date): boolean {
  return nextExpiryAt !== null && nextExpiryAt.getTime() <= now.getTime();
}
