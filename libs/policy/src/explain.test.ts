import { describe, expect, it } from "vitest";
import { evaluateAll } from "./evaluate";
import { explainAccess } from "./explain";
import { levelOf } from "./result";
import { policy, randomSnapshot, source, user } from "./testing";
import type { PolicySnapshot } from "./types";

const NOW = new Date("2026-11-24T12:00:00Z");
const scope = { kind: "tag", tag: "PII" } as const;
const snap: PolicySnapshot = {
  users: [user("dave", { groups: ["eng"], attributes: { region: ["US"] } }), user("gone", { active: false })],
  sources: [source("s1", { tags: ["PII.Email"] }), source("off", { tags: ["PII"], status: "DISABLED" })],
  policies: [
    policy("b-eu", {
      scope,
      restriction: { kind: "conditions", condition: { kind: "attribute", key: "region", match: "anyOf", values: ["EU"] } },
    }),
    policy("a-eng", { scope, restriction: { kind: "conditions", condition: { kind: "group", group: "eng" } } }),
    policy("c-write", { scope, accessType: "WRITE", restriction: { kind: "users", userIds: ["dave"] } }),
  ],
  subscriptions: [{ id: "m1", userId: "dave", sourceId: "s1", accessType: "READ" }],
};

describe("explainAccess", () => {
  it("lists applicable policies by id with scope reasons and condition traces", () => {
    const e = explainAccess(snap, "dave", "s1", NOW);
    expect(e.policies.map((p) => [p.policyId, p.satisfied])).toEqual([
      ["a-eng", true],
      ["b-eu", false],
      ["c-write", true],
    ]);
    expect(e.policies[0]!.scopeReason).toBe("tag PII covers source tag PII.Email");
    expect(e.policies[1]!.condition).toEqual({
      kind: "attribute",
      key: "region",
      match: "anyOf",
      values: ["EU"],
      userValues: ["US"],
      satisfied: false,
    });
    expect(e.mergeRule).toBe("ALL");
    expect(e.mergeRuleFrom).toBe("engineDefault");
    expect(e.tiers).toEqual([
      { accessType: "WRITE", policyIds: ["c-write"], granted: true },
      { accessType: "READ", policyIds: ["a-eng", "b-eu"], granted: false },
    ]);
    expect(e.level).toBe("WRITE");
  });

  it("reports the conflicts behind the decision", () => {
    const kinds = explainAccess(snap, "dave", "s1", NOW).conflicts.map((c) => [c.kind, c.grantedBy, c.deniedBy]);
    expect(kinds).toEqual([
      ["ALL_MERGE_DENIAL", ["a-eng"], ["b-eu"]],
      ["WRITE_IMPLIES_READ", ["c-write"], ["b-eu"]],
    ]);
  });

  it("names a manual subscription that lifts the level above the policies", () => {
    const noWrite = { ...snap, policies: snap.policies.filter((p) => p.id !== "c-write") };
    const e = explainAccess(noWrite, "dave", "s1", NOW);
    expect(e.level).toBe("READ");
    expect(e.conflicts).toContainEqual(expect.objectContaining({ kind: "SUBSCRIPTION_OVERRIDE", grantedBy: ["m1"] }));
  });

  it("says why for deactivated users, disabled sources and unknown ids", () => {
    expect(explainAccess(snap, "gone", "s1", NOW).reasons).toEqual(["user is deactivated: no access anywhere"]);
    const off = explainAccess(snap, "dave", "off", NOW);
    expect([off.level, off.reasons, off.policies.length]).toEqual(["NONE", ["data source is disabled: it grants nothing"], 3]);
    expect(explainAccess(snap, "nobody", "s1", NOW)).toMatchObject({
      level: "NONE",
      user: { found: false },
      reasons: ["unknown user nobody"],
    });
  });

  it("agrees with evaluateAll on every pair of random snapshots", () => {
    for (let seed = 1; seed <= 15; seed++) {
      const s = randomSnapshot(seed, 15, 12, 10);
      const at = new Date(Date.UTC(2026, 10, 24, seed % 24));
      const result = evaluateAll(s, at);
      for (const u of s.users) {
        for (const src of s.sources) {
          expect([seed, u.id, src.id, explainAccess(s, u.id, src.id, at).level]).toEqual([
            seed,
            u.id,
            src.id,
            levelOf(result, u.id, src.id),
          ]);
        }
      }
    }
  });
});
