import { describe, expect, it } from "vitest";
import { hasExpired, isRetryDue, MAX_STUCK_RETRY_MS, MAX_TRANSIENT_RETRY_MS, repairableFindings, retryDelayMs } from "./sweep-rules";

const now = new Date("2026-06-01T12:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms);

describe("access sweep rules", () => {
  it("spaces retries exponentially, capped by error class", () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n))).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(retryDelayMs(30)).toBe(MAX_TRANSIENT_RETRY_MS);
    expect(retryDelayMs(30, "CONFIGURATION")).toBe(MAX_STUCK_RETRY_MS);
    expect(retryDelayMs(30, "PERMANENT")).toBe(MAX_STUCK_RETRY_MS);
    expect(retryDelayMs(2, "PERMANENT")).toBe(1000);
  });

  it("retries a never-attempted version at once and a failed one after its backoff, forever", () => {
    expect(isRetryDue({ failureStreak: 0, lastAttemptAt: null }, now, 60_000)).toBe(true);
    expect(isRetryDue({ failureStreak: 3, lastAttemptAt: ago(1999) }, now, 60_000)).toBe(false);
    expect(isRetryDue({ failureStreak: 3, lastAttemptAt: ago(2000) }, now, 60_000)).toBe(true);
    expect(isRetryDue({ failureStreak: 1000, lastAttemptAt: ago(MAX_TRANSIENT_RETRY_MS) }, now, 60_000)).toBe(true);
    const stuck = { failureStreak: 1000, lastAttemptAt: ago(MAX_TRANSIENT_RETRY_MS), lastErrorClass: "CONFIGURATION" };
    expect(isRetryDue(stuck, now, 60_000)).toBe(false);
  });

  it("re-queues a version whose job was lost (no failure) only after a sweep interval", () => {
    expect(isRetryDue({ failureStreak: 0, lastAttemptAt: ago(59_999) }, now, 60_000)).toBe(false);
    expect(isRetryDue({ failureStreak: 0, lastAttemptAt: ago(60_000) }, now, 60_000)).toBe(true);
  });

  it("repairs only what the adapter marks repairable", () => {
    const findings = [
      { kind: "EXTRA_PRIVILEGE", repairable: true },
      { kind: "UNMANAGED_GRANT", repairable: false, accountName: "carol" },
      { kind: "MISSING_OBJECT", repairable: false },
    ];
    expect(repairableFindings(findings).map((f) => f.kind)).toEqual(["EXTRA_PRIVILEGE"]);
  });

  it("bumps expired access at its instant, not before", () => {
    expect(hasExpired(null, now)).toBe(false);
    expect(hasExpired(new Date(now.getTime() + 1), now)).toBe(false);
    expect(hasExpired(now, now)).toBe(true);
  });
});
