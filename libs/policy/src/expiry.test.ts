import { describe, expect, it } from "vitest";
import { evaluateAll } from "./evaluate";
import { explainAccess } from "./explain";
import { levelOf } from "./result";
import { policy, source, user } from "./testing";
import type { PolicySnapshot } from "./types";

const T = (h: number) => new Date(Date.UTC(2026, 10, 24, h));

const snap: PolicySnapshot = {
  users: [user("alice"), user("bob"), user("carol")],
  sources: [source("s1"), source("s2")],
  policies: [policy("ask", { accessType: "WRITE", restriction: { kind: "anyoneWhoAsks" }, scope: { kind: "sources", sourceIds: ["s1"] } })],
  accessRequests: [
    { id: "r-open", userId: "alice", sourceId: "s1", status: "APPROVED", expiresAt: null },
    { id: "r-timed", userId: "bob", sourceId: "s1", status: "APPROVED", expiresAt: T(10) },
    // An approval on a source without an ask policy changes nothing, so its expiry does not count.
    { id: "r-idle", userId: "bob", sourceId: "s2", status: "APPROVED", expiresAt: T(9) },
  ],
  subscriptions: [
    { id: "m-timed", userId: "carol", sourceId: "s2", accessType: "READ", expiresAt: T(14) },
    { id: "m-open", userId: "alice", sourceId: "s2", accessType: "WRITE" },
  ],
};

describe("time-bound access", () => {
  it("grants before the expiry instant and not from it on", () => {
    expect(levelOf(evaluateAll(snap, new Date(T(10).getTime() - 1)), "bob", "s1")).toBe("WRITE");
    expect(levelOf(evaluateAll(snap, T(10)), "bob", "s1")).toBe("NONE");
    expect(levelOf(evaluateAll(snap, T(13)), "carol", "s2")).toBe("READ");
    expect(levelOf(evaluateAll(snap, T(14)), "carol", "s2")).toBe("NONE");
  });

  it("never expires without an expiry", () => {
    const far = new Date(Date.UTC(2099, 0, 1));
    expect(levelOf(evaluateAll(snap, far), "alice", "s1")).toBe("WRITE");
    expect(levelOf(evaluateAll(snap, far), "alice", "s2")).toBe("WRITE");
  });

  it("several approvals for one pair keep the latest expiry", () => {
    const more = {
      ...snap,
      accessRequests: [
        ...(snap.accessRequests ?? []),
        { id: "r-late", userId: "bob", sourceId: "s1", status: "APPROVED" as const, expiresAt: T(12) },
      ],
    };
    expect(levelOf(evaluateAll(more, T(11)), "bob", "s1")).toBe("WRITE");
  });

  it("reports the next expiry strictly after now", () => {
    expect(evaluateAll(snap, T(8)).nextExpiryAt).toEqual(T(10));
    expect(evaluateAll(snap, T(10)).nextExpiryAt).toEqual(T(14));
    expect(evaluateAll(snap, T(14)).nextExpiryAt).toBeNull();
  });

  it("ignores expiries that cannot change a decision (deactivated user, disabled source)", () => {
    const quiet = {
      ...snap,
      users: [user("alice"), user("bob", { active: false }), user("carol")],
      sources: [source("s1"), source("s2", { status: "DISABLED" })],
    };
    expect(evaluateAll(quiet, T(8)).nextExpiryAt).toBeNull();
  });

  it("explains the approval, the subscriptions and this pair's next expiry", () => {
    const e = explainAccess(snap, "bob", "s1", T(8));
    expect(e.level).toBe("WRITE");
    expect(e.policies[0]).toMatchObject({ policyId: "ask", satisfied: true, approval: { requestId: "r-timed", expiresAt: T(10) } });
    expect(e.nextExpiryAt).toEqual(T(10));
    const c = explainAccess(snap, "carol", "s2", T(14));
    expect(c.subscriptions).toEqual([{ subscriptionId: "m-timed", accessType: "READ", expiresAt: T(14), inForce: false }]);
    expect(c.level).toBe("NONE");
  });
});
