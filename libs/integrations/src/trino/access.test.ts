import { describe, expect, it } from "vitest";
import type { AccessDesiredState } from "../access-types";
import type { DecisionSnapshot, DecisionSnapshotStore } from "../decisions";
import { trinoAccess } from "./access";
import { profile, testSnapshot } from "./opa/testing";

/** The store contract in memory: newest version wins (libs/access implements it over the DB). */
function memoryStore(): DecisionSnapshotStore & { published: DecisionSnapshot[] } {
  let current: DecisionSnapshot | null = null;
  const published: DecisionSnapshot[] = [];
  return {
    published,
    read: async () => (current === null ? null : structuredClone(current)),
    publish: async (s) => {
      published.push(s);
      if (current === null || s.version > current.version) current = structuredClone(s);
    },
  };
}

function desired(version: number, patch: Partial<AccessDesiredState> = {}): AccessDesiredState {
  const base = testSnapshot({
    objects: [
      { id: "o1", path: ["sales", "crm", "customers"] },
      { id: "o2", path: ["sales", "crm", "orders"] },
    ],
    access: [
      { accountName: "alice", objectId: "o1", level: "READ" },
      { accountName: "bob", objectId: "o2", level: "WRITE" },
    ],
    accounts: ["alice", "bob"],
    privileged: ["dana"],
    profiles: [profile("alice", "u-a"), profile("bob", "u-b")],
    views: [],
    version,
  }).state;
  return { ...base, dataPolicies: { ...base.dataPolicies!, hashSalt: "SECRET-SALT", systemCurrent: true }, ...patch };
}

describe("Trino access port: decision snapshots", () => {
  it("publishes the full state without the salt, and a repeat is unchanged", async () => {
    const store = memoryStore();
    const first = await trinoAccess.apply({ config: {}, credentials: {}, decisionSnapshots: store }, desired(1));
    expect(first.kind).toBe("applied");
    if (first.kind !== "applied") return;
    expect(first.statements[0]).toBe("publish decision snapshot v1: 2 accounts, 2 objects, 0 data-policy sources");
    expect(first.statements).toContain("alice: +READ sales.crm.customers");
    expect(first.statements).toContain("bob: +WRITE sales.crm.orders");
    expect(first.statements).toContain("dana: +admin");
    expect(JSON.stringify(store.published[0])).not.toContain("SECRET-SALT");
    expect(store.published[0]!.state.dataPolicies).not.toHaveProperty("systemCurrent");
    expect(store.published[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    // Same content under a new version (entries in another order): nothing to publish.
    const again = desired(2);
    again.access = [...again.access].reverse();
    expect((await trinoAccess.apply({ config: {}, credentials: {}, decisionSnapshots: store }, again)).kind).toBe("unchanged");
    expect(store.published).toHaveLength(1);
  });

  it("merges a user-scoped delta into the published snapshot", async () => {
    const store = memoryStore();
    const conn = { config: {}, credentials: {}, decisionSnapshots: store };
    await trinoAccess.apply(conn, desired(1));
    const delta = desired(2, {
      scope: { accounts: ["alice"] },
      accounts: ["alice"],
      access: [{ accountName: "alice", objectId: "o2", level: "WRITE" }],
    });
    delta.dataPolicies = { ...delta.dataPolicies!, profiles: [profile("alice", "u-a", { projectId: "p1" })] };
    const result = await trinoAccess.apply(conn, delta);
    expect(result.kind).toBe("applied");
    if (result.kind !== "applied") return;
    expect(result.statements).toEqual([
      "publish decision snapshot v2: 2 accounts, 2 objects, 0 data-policy sources",
      "alice: +WRITE sales.crm.orders",
      "alice: -READ sales.crm.customers",
      "data-policy profiles changed: alice",
    ]);
    const state = store.published[1]!.state;
    expect(state.access).toEqual([
      { accountName: "alice", objectId: "o2", level: "WRITE" },
      { accountName: "bob", objectId: "o2", level: "WRITE" },
    ]);
    expect(state.accounts).toEqual(["alice", "bob"]);
    expect(state.dataPolicies!.profiles.map((p) => [p.accountName, p.projectId])).toEqual([
      ["alice", "p1"],
      ["bob", null],
    ]);
    expect(state).not.toHaveProperty("scope");
  });

  it("plans the same lines without publishing; drift compares hashes", async () => {
    const store = memoryStore();
    const conn = { config: {}, credentials: {}, decisionSnapshots: store };
    const plan = await trinoAccess.plan(conn, desired(1));
    expect(plan.kind === "planned" && plan.statements[0]).toBe(
      "publish decision snapshot v1: 2 accounts, 2 objects, 0 data-policy sources",
    );
    expect(store.published).toHaveLength(0);
    const missing = await trinoAccess.drift(conn, desired(1));
    expect(missing.kind === "drift" && missing.findings.map((f) => [f.kind, f.repairable])).toEqual([["SNAPSHOT_OUTDATED", true]]);
    await trinoAccess.apply(conn, desired(1));
    expect(await trinoAccess.drift(conn, desired(1))).toMatchObject({ kind: "drift", findings: [] });
    const changed = await trinoAccess.drift(conn, desired(2, { access: [] }));
    expect(changed).toMatchObject({ kind: "drift", findings: [{ kind: "SNAPSHOT_OUTDATED", publishedVersion: 1 }] });
  });

  it("fails with a classified error without a store, without a base for a delta, or when the store fails", async () => {
    const noStore = await trinoAccess.apply({ config: {}, credentials: {} }, desired(1));
    expect(noStore).toMatchObject({ kind: "failed", error: { code: "NO_SNAPSHOT_STORE", errorClass: "CONFIGURATION" } });
    const store = memoryStore();
    const delta = await trinoAccess.apply(
      { config: {}, credentials: {}, decisionSnapshots: store },
      desired(2, { scope: { accounts: ["alice"] } }),
    );
    expect(delta).toMatchObject({ kind: "failed", error: { code: "NO_BASE_SNAPSHOT" } });
    const broken: DecisionSnapshotStore = {
      read: async () => null,
      publish: async () => {
        throw new Error("connection refused");
      },
    };
    const failed = await trinoAccess.apply({ config: {}, credentials: {}, decisionSnapshots: broken }, desired(1));
    expect(failed).toMatchObject({ kind: "failed", error: { code: "SNAPSHOT_STORE_FAILED", errorClass: "TRANSIENT" } });
    expect(failed.kind === "failed" && failed.error.message).toContain("connection refused");
  });
});
