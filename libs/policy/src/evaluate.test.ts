import { describe, expect, it } from "vitest";
import { evaluateAll } from "./evaluate";
import { levelOf, sourcesForUser, usersWithAccess } from "./result";
import { policy, source, user } from "./testing";
import type { PolicySnapshot } from "./types";

const NOW = new Date("2026-11-24T12:00:00Z");
const level = (snap: PolicySnapshot, u: string, s: string) => levelOf(evaluateAll(snap, NOW), u, s);

const alice = user("alice", { groups: ["eng"], attributes: { region: ["EU"], clearance: ["high"] } });
const bob = user("bob", { groups: ["finance"], attributes: { region: ["US"] } });
const carol = user("carol", { groups: ["eng", "finance"], attributes: { region: ["EU", "US"] } });

describe("restriction levels", () => {
  const s1 = source("s1");

  it("anyone admits every active user", () => {
    const snap = { users: [alice, bob], sources: [s1], policies: [policy("p", { scope: { kind: "sources", sourceIds: ["s1"] } })] };
    expect(usersWithAccess(evaluateAll(snap, NOW), "s1", "READ")).toEqual(["alice", "bob"]);
  });

  it("anyone who asks needs an approved request for that very source", () => {
    const snap: PolicySnapshot = {
      users: [alice, bob, carol],
      sources: [s1, source("s2")],
      policies: [policy("p", { restriction: { kind: "anyoneWhoAsks" }, scope: { kind: "sources", sourceIds: ["s1", "s2"] } })],
      accessRequests: [
        { id: "r1", userId: "alice", sourceId: "s1", status: "APPROVED" },
        { id: "r2", userId: "bob", sourceId: "s1", status: "PENDING" },
        { id: "r3", userId: "carol", sourceId: "s1", status: "DENIED" },
      ],
    };
    const result = evaluateAll(snap, NOW);
    expect(usersWithAccess(result, "s1", "READ")).toEqual(["alice"]);
    expect(usersWithAccess(result, "s2", "READ")).toEqual([]);
  });

  it("conditions combine groups and attributes with nested AND/OR", () => {
    const snap: PolicySnapshot = {
      users: [alice, bob, carol],
      sources: [s1],
      policies: [
        policy("p", {
          scope: { kind: "sources", sourceIds: ["s1"] },
          restriction: {
            kind: "conditions",
            condition: {
              kind: "or",
              conditions: [
                {
                  kind: "and",
                  conditions: [
                    { kind: "group", group: "eng" },
                    { kind: "attribute", key: "clearance", match: "anyOf", values: ["high"] },
                  ],
                },
                { kind: "attribute", key: "region", match: "allOf", values: ["EU", "US"] },
              ],
            },
          },
        }),
      ],
    };
    expect(usersWithAccess(evaluateAll(snap, NOW), "s1", "READ")).toEqual(["alice", "carol"]);
  });

  it("anyOf needs one value, allOf needs every value", () => {
    const mk = (match: "anyOf" | "allOf"): PolicySnapshot => ({
      users: [alice, bob, carol],
      sources: [s1],
      policies: [
        policy("p", {
          scope: { kind: "sources", sourceIds: ["s1"] },
          restriction: { kind: "conditions", condition: { kind: "attribute", key: "region", match, values: ["EU", "US"] } },
        }),
      ],
    });
    expect(usersWithAccess(evaluateAll(mk("anyOf"), NOW), "s1", "READ")).toEqual(["alice", "bob", "carol"]);
    expect(usersWithAccess(evaluateAll(mk("allOf"), NOW), "s1", "READ")).toEqual(["carol"]);
  });

  it("individually selected users, ignoring unknown ids", () => {
    const snap = {
      users: [alice, bob],
      sources: [s1],
      policies: [policy("p", { restriction: { kind: "users", userIds: ["bob", "ghost"] }, scope: { kind: "sources", sourceIds: ["s1"] } })],
    };
    expect(usersWithAccess(evaluateAll(snap, NOW), "s1", "READ")).toEqual(["bob"]);
  });
});

describe("scopes", () => {
  const sources = [
    source("a", { connectionId: "c1", location: { database: "d1", schema: "sales", object: "a" }, tags: ["PII.Email"] }),
    source("b", { connectionId: "c1", location: { database: "d2", schema: "sales", object: "b" }, tags: ["PII"] }),
    source("c", { connectionId: "c2", location: { database: "d1", schema: "sales", object: "c" }, tags: ["PIIX", "Finance"] }),
    source("d", { connectionId: "c2", location: { object: "d" }, tags: ["Finance.Revenue.Q1", "Finance"] }),
  ];
  const covered = (scope: PolicySnapshot["policies"][number]["scope"]) =>
    sourcesForUser(evaluateAll({ users: [alice], sources, policies: [policy("p", { scope })] }, NOW), "alice").map((x) => x.sourceId);

  it("local: the listed sources", () => expect(covered({ kind: "sources", sourceIds: ["b", "d", "zz"] })).toEqual(["b", "d"]));
  it("tag: the tag and its descendants, on whole segments", () => {
    expect(covered({ kind: "tag", tag: "PII" })).toEqual(["a", "b"]);
    expect(covered({ kind: "tag", tag: "PII.Email" })).toEqual(["a"]);
    expect(covered({ kind: "tag", tag: "Finance.Revenue" })).toEqual(["d"]);
    expect(covered({ kind: "tag", tag: "Finance" })).toEqual(["c", "d"]);
    expect(covered({ kind: "tag", tag: "pii" })).toEqual([]);
  });
  it("connection", () => expect(covered({ kind: "connection", connectionId: "c2" })).toEqual(["c", "d"]));
  it("schema, in one database or any", () => {
    expect(covered({ kind: "schema", connectionId: "c1", schema: "sales" })).toEqual(["a", "b"]);
    expect(covered({ kind: "schema", connectionId: "c1", database: "d2", schema: "sales" })).toEqual(["b"]);
  });
  it("global scopes pick up newly registered or tagged sources", () => {
    const p = policy("p", { scope: { kind: "tag", tag: "PII" } });
    const later = [...sources, source("e", { tags: ["PII.Phone"] })];
    expect(levelOf(evaluateAll({ users: [alice], sources: later, policies: [p] }, NOW), "alice", "e")).toBe("READ");
  });
});

describe("merging several policies", () => {
  const scope = { kind: "sources", sourceIds: ["s1"] } as const;
  const eng = policy("p-eng", { scope, restriction: { kind: "conditions", condition: { kind: "group", group: "eng" } } });
  const eu = policy("p-eu", {
    scope,
    restriction: { kind: "conditions", condition: { kind: "attribute", key: "region", match: "anyOf", values: ["EU"] } },
  });
  const base = { users: [alice, bob, carol], policies: [eng, eu] };

  it("defaults to ALL: every policy must be satisfied", () => {
    expect(usersWithAccess(evaluateAll({ ...base, sources: [source("s1")] }, NOW), "s1", "READ")).toEqual(["alice", "carol"]);
    const noEng = user("dave", { attributes: { region: ["EU"] } });
    expect(level({ ...base, users: [noEng], sources: [source("s1")] }, "dave", "s1")).toBe("NONE");
  });
  it("ANY as engine default or per-source override", () => {
    const engineAny = evaluateAll({ ...base, sources: [source("s1")], settings: { defaultMergeRule: "ANY" } }, NOW);
    expect(usersWithAccess(engineAny, "s1", "READ")).toEqual(["alice", "carol"]);
    const dave = user("dave", { attributes: { region: ["EU"] } });
    expect(level({ ...base, users: [dave], sources: [source("s1", { mergeRule: "ANY" })] }, "dave", "s1")).toBe("READ");
    expect(
      level({ ...base, users: [dave], sources: [source("s1", { mergeRule: "ALL" })], settings: { defaultMergeRule: "ANY" } }, "dave", "s1"),
    ).toBe("NONE");
  });
  it("reports users denied by ALL, deterministically ordered", () => {
    const dave = user("dave", { attributes: { region: ["EU"] } });
    const result = evaluateAll({ users: [alice, bob, carol, dave], policies: [eu, eng], sources: [source("s1")] }, NOW);
    expect(result.conflicts).toEqual([
      expect.objectContaining({
        kind: "ALL_MERGE_DENIAL",
        accessType: "READ",
        policyIds: ["p-eng", "p-eu"],
        sourceIds: ["s1"],
        affectedUsers: 1,
      }),
    ]);
  });
  it("READ and WRITE policies are separate tiers, and WRITE includes READ", () => {
    const writeEng = { ...eng, id: "w-eng", accessType: "WRITE" as const };
    const snap = { users: [alice, bob, carol], sources: [source("s1")], policies: [writeEng, eu] };
    const result = evaluateAll(snap, NOW);
    expect(usersWithAccess(result, "s1", "WRITE")).toEqual(["alice", "carol"]);
    expect(usersWithAccess(result, "s1", "READ")).toEqual(["alice", "carol"]);
    const writerOnly = user("erin", { groups: ["eng"], attributes: { region: ["US"] } });
    const r2 = evaluateAll({ ...snap, users: [writerOnly] }, NOW);
    expect(levelOf(r2, "erin", "s1")).toBe("WRITE");
    expect(r2.conflicts.map((c) => c.kind)).toEqual(["WRITE_IMPLIES_READ"]);
  });
  it("a source without policies grants nothing", () =>
    expect(level({ ...base, sources: [source("s1"), source("s2")] }, "alice", "s2")).toBe("NONE"));
});

describe("deactivated users and disabled sources", () => {
  const everything = policy("p", { accessType: "WRITE", scope: { kind: "connection", connectionId: "conn-1" } });
  it("a deactivated user gets NONE, even with an approval or a subscription", () => {
    const gone = user("gone", { active: false, groups: ["eng"] });
    const snap: PolicySnapshot = {
      users: [gone],
      sources: [source("s1")],
      policies: [everything, policy("q", { restriction: { kind: "anyoneWhoAsks" }, scope: { kind: "sources", sourceIds: ["s1"] } })],
      accessRequests: [{ id: "r", userId: "gone", sourceId: "s1", status: "APPROVED" }],
      subscriptions: [{ id: "m", userId: "gone", sourceId: "s1", accessType: "WRITE" }],
      settings: { defaultMergeRule: "ANY" },
    };
    expect(level(snap, "gone", "s1")).toBe("NONE");
  });
  it("a disabled source grants nothing, subscriptions included", () => {
    const snap: PolicySnapshot = {
      users: [alice],
      sources: [source("s1", { status: "DISABLED" })],
      policies: [everything],
      subscriptions: [{ id: "m", userId: "alice", sourceId: "s1", accessType: "READ" }],
    };
    expect(level(snap, "alice", "s1")).toBe("NONE");
  });
  it("rejects duplicate ids", () => {
    expect(() => evaluateAll({ users: [alice, alice], sources: [], policies: [] }, NOW)).toThrow(/Duplicate user id alice/);
  });
});
