import { describe, expect, it } from "vitest";
import { diffAccess } from "./diff";
import { evaluateAll } from "./evaluate";
import { policy, source, user } from "./testing";
import type { PolicySnapshot } from "./types";

const NOW = new Date("2026-11-24T12:00:00Z");
const users = [user("alice", { groups: ["eng"] }), user("bob", { groups: ["finance"] }), user("carol", { groups: ["eng"] })];
const sources = [source("s1"), source("s2")];
const engRead = policy("p", {
  scope: { kind: "sources", sourceIds: ["s1"] },
  restriction: { kind: "conditions", condition: { kind: "group", group: "eng" } },
});
const before: PolicySnapshot = { users, sources, policies: [engRead] };

describe("diffAccess", () => {
  it("is empty for identical results", () => {
    expect(diffAccess(evaluateAll(before, NOW), evaluateAll(before, NOW))).toEqual([]);
  });

  it("lists gains and losses per source for a proposed policy change", () => {
    const after: PolicySnapshot = {
      ...before,
      policies: [
        { ...engRead, accessType: "WRITE", restriction: { kind: "users", userIds: ["alice", "bob"] } },
        policy("q", { scope: { kind: "sources", sourceIds: ["s2"] }, restriction: { kind: "users", userIds: ["carol"] } }),
      ],
    };
    expect(diffAccess(evaluateAll(before, NOW), evaluateAll(after, NOW))).toEqual([
      { sourceId: "s1", gainedRead: ["bob"], lostRead: ["carol"], gainedWrite: ["alice", "bob"], lostWrite: [] },
      { sourceId: "s2", gainedRead: ["carol"], lostRead: [], gainedWrite: [], lostWrite: [] },
    ]);
  });

  it("treats users and sources present on one side only as NONE on the other", () => {
    const after: PolicySnapshot = { users: [users[0]!, user("dave", { groups: ["eng"] })], sources: [source("s1")], policies: [engRead] };
    const withS2 = { ...before, policies: [{ ...engRead, scope: { kind: "connection", connectionId: "conn-1" } as const }] };
    expect(diffAccess(evaluateAll(withS2, NOW), evaluateAll(after, NOW))).toEqual([
      { sourceId: "s1", gainedRead: ["dave"], lostRead: ["carol"], gainedWrite: [], lostWrite: [] },
      { sourceId: "s2", gainedRead: [], lostRead: ["alice", "carol"], gainedWrite: [], lostWrite: [] },
    ]);
  });
});
