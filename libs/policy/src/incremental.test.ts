import { describe, expect, it } from "vitest";
import { compileSnapshot } from "./compile";
import { diffAccess } from "./diff";
import { evaluateAll, evaluateCompiled } from "./evaluate";
import { recomputeForUser } from "./incremental";
import { levelOf } from "./result";
import { pick, policy, prng, randomSnapshot, randomUser, source, user } from "./testing";
import type { PolicySnapshot } from "./types";

const NOW = new Date("2026-11-24T12:00:00Z");

describe("recomputeForUser", () => {
  it("returns only the changed (source, level) pairs of that user", () => {
    const snap: PolicySnapshot = {
      users: [user("alice"), user("bob")],
      sources: [source("s1"), source("s2"), source("s3")],
      policies: [
        policy("p", {
          scope: { kind: "sources", sourceIds: ["s1", "s2"] },
          restriction: { kind: "conditions", condition: { kind: "group", group: "eng" } },
        }),
        policy("w", {
          accessType: "WRITE",
          scope: { kind: "sources", sourceIds: ["s2"] },
          restriction: { kind: "conditions", condition: { kind: "attribute", key: "lead", match: "anyOf", values: ["yes"] } },
        }),
      ],
      settings: { defaultMergeRule: "ANY" },
    };
    const c = compileSnapshot(snap);
    evaluateCompiled(c, NOW);
    expect(recomputeForUser(c, user("alice", { groups: ["eng"], attributes: { lead: ["yes"], unrelated: ["x"] } }), NOW)).toEqual([
      { sourceId: "s1", before: "NONE", after: "READ" },
      { sourceId: "s2", before: "NONE", after: "WRITE" },
    ]);
    expect(recomputeForUser(c, user("alice", { groups: ["eng"], attributes: { lead: ["yes"] } }), NOW)).toEqual([]);
    expect(recomputeForUser(c, user("alice", { active: false, groups: ["eng"] }), NOW)).toEqual([
      { sourceId: "s1", before: "READ", after: "NONE" },
      { sourceId: "s2", before: "WRITE", after: "NONE" },
    ]);
  });

  it("refuses users it was not compiled with, and a matrix not evaluated yet", () => {
    const c = compileSnapshot({ users: [user("alice")], sources: [], policies: [] });
    expect(() => recomputeForUser(c, user("alice"), NOW)).toThrow(/before evaluateCompiled/);
    evaluateCompiled(c, NOW);
    expect(() => recomputeForUser(c, user("zed"), NOW)).toThrow(/not found/);
  });

  it("equals a full recompute on random snapshots and changes (seeded)", () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rng = prng(seed * 7919);
      let snap = randomSnapshot(seed);
      const compiled = compileSnapshot(snap);
      let current = evaluateCompiled(compiled, NOW);
      for (let step = 0; step < 8; step++) {
        const target = pick(rng, snap.users);
        const changed = { ...randomUser(rng, target.id) };
        const nextSnap = { ...snap, users: snap.users.map((u) => (u.id === target.id ? changed : u)) };
        const changes = recomputeForUser(compiled, changed, NOW);
        const full = evaluateAll(nextSnap, NOW);

        // Same matrix as a full recompute…
        expect(compiled.current!.read).toEqual(full.read);
        expect(compiled.current!.write).toEqual(full.write);
        // …and the reported changes are exactly that user's diff.
        const expected = diffAccess(current, full).map((d) => ({
          sourceId: d.sourceId,
          before: levelOf(current, target.id, d.sourceId),
          after: levelOf(full, target.id, d.sourceId),
        }));
        expect(changes).toEqual(expected);
        snap = nextSnap;
        current = full;
      }
    }
    // 60 seeded scenarios of full recomputes: seconds on a loaded 2-core CI machine, not a speed check.
  }, 60_000);
});
