/**
 * The decision seam in libs/access: snapshots publish only forward with a NOTIFY in the same
 * transaction, and a reconcile hands a decision-capable adapter the store and the extras (privileged
 * accounts, unknown-user policies, group ids) on the full and on the user-scoped delta path.
 */
import { randomBytes } from "node:crypto";
import { AppError, parseKeyring, SecretBox } from "@steward/core";
import { transaction } from "@steward/db";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { type AdapterLookup, adapterFor, type DecisionSnapshot } from "@steward/integrations";
import { memoryDecisionAdapter } from "@steward/integrations/memory";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordPendingScopes } from "../propagation/delta-scope";
import { bumpDesiredVersions } from "../propagation/desired-version";
import { type ReconcileDeps, reconcileConnection } from "../propagation/reconcile-connection";
import { DECISIONS_NOTIFY_CHANNEL, parseDecisionsNotification, prismaDecisionSnapshotStore } from "./snapshot-store";

let t: TestDatabase;
let deps: ReconcileDeps;
let listener: pg.Client;
const notifications: string[] = [];
let connectionId = "";
let aliceId = "";
const decisionsKind: AdapterLookup = (kind) => (kind === "REDSHIFT" ? memoryDecisionAdapter() : adapterFor(kind));

function snapshot(version: number, marker = "x"): DecisionSnapshot {
  return {
    connectionId,
    version,
    hash: "a".repeat(64),
    publishedAt: new Date().toISOString(),
    state: {
      connectionId,
      version,
      objects: [{ id: marker, path: ["c", 's"q', "☃"], objectType: "TABLE" }],
      accounts: [],
      access: [],
      settings: { unmanagedGrants: "REPORT" },
      decisions: { privilegedAccounts: [], unknownUsers: { policies: {} as never, groupIdsByName: {} } },
    },
  };
}

async function waitForNotification(expected: string) {
  const deadline = Date.now() + 5_000;
  while (!notifications.includes(expected)) {
    if (Date.now() > deadline) throw new Error(`no notification ${expected}; got ${notifications.join(", ")}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function bump(scope: "full" | { userIds: string[] }) {
  const [v] = await transaction(t.db, async (tx) => {
    const versions = await bumpDesiredVersions(tx, [connectionId]);
    await recordPendingScopes(tx, versions, scope);
    return versions;
  });
  return v!.version;
}

beforeAll(async () => {
  t = await createTestDatabase();
  deps = { db: t.db, secretBox: new SecretBox(parseKeyring(`k1:${randomBytes(32).toString("base64")}`)), adapterFor: decisionsKind };
  listener = new pg.Client({ connectionString: t.url });
  await listener.connect();
  listener.on("notification", (m) => notifications.push(m.payload ?? ""));
  await listener.query(`LISTEN ${DECISIONS_NOTIFY_CHANNEL}`);
  const conn = await t.db.connection.create({
    data: { name: "decide", kind: "REDSHIFT", config: { userMapping: { mode: "USERNAME" } }, inboundSecretCiphertext: "x" },
  });
  connectionId = conn.id;
  const alice = await t.db.user.create({ data: { username: "alice", displayName: "Alice", email: "alice@example.com" } });
  aliceId = alice.id;
  await t.db.user.create({
    data: { username: "root", displayName: "Root", email: "root@example.com", roles: { create: { role: "ADMIN" } } },
  });
  await t.db.user.create({
    data: { username: "gone", displayName: "Gone", email: "gone@example.com", status: "DEACTIVATED", roles: { create: { role: "ADMIN" } } },
  });
  await t.db.group.createMany({ data: [{ name: 'we"ird ☃' }, { name: "__proto__" }] });
  const path = ["wh", "sales", "orders"];
  const node = await t.db.catalogNode.create({
    data: { connectionId, kind: "OBJECT", name: "orders", path, pathKey: path.join("\u001f"), objectType: "TABLE" },
  });
  const source = await t.db.dataSource.create({
    data: { connectionId, catalogNodeId: node.id, name: "wh.sales.orders", objectType: "TABLE" },
  });
  await t.db.manualSubscription.create({ data: { userId: alice.id, dataSourceId: source.id, accessType: "READ" } });
});
afterAll(async () => {
  await listener?.end();
  await t?.drop();
});

describe("prismaDecisionSnapshotStore", () => {
  it("publishes forward only, notifying once per stored version", async () => {
    const store = prismaDecisionSnapshotStore(t.db);
    expect(await store.read(connectionId)).toBeNull();
    await store.publish(snapshot(5, "five"));
    await waitForNotification(`${connectionId}:5`);
    await store.publish(snapshot(3, "three"));
    await store.publish(snapshot(5, "again"));
    const read = await store.read(connectionId);
    expect(read).toMatchObject({ version: 5, state: { objects: [{ id: "five", path: ["c", 's"q', "☃"] }] } });
    await store.publish(snapshot(6, "six"));
    await waitForNotification(`${connectionId}:6`);
    expect(notifications.filter((n) => n.startsWith(connectionId))).toEqual([`${connectionId}:5`, `${connectionId}:6`]);
    expect(parseDecisionsNotification(`${connectionId}:6`)).toEqual({ connectionId, version: 6 });
    expect(parseDecisionsNotification("nonsense:1")).toBeNull();
  });

  it("refuses a malformed snapshot with a typed error and changes nothing", async () => {
    const store = prismaDecisionSnapshotStore(t.db);
    const before = await store.read(connectionId);
    const nul = snapshot(99);
    nul.state.objects[0]!.path = ["a\u0000b"];
    const wrongOwner = { ...snapshot(98), connectionId: "00000000-0000-4000-8000-000000000000" };
    for (const bad of [nul, wrongOwner, { ...snapshot(97), hash: "nope" }, { ...snapshot(96), connectionId: "x' OR 1=1" }]) {
      await expect(store.publish(bad)).rejects.toSatisfy((e) => e instanceof AppError && e.code === "BAD_USER_INPUT");
    }
    expect(await store.read(connectionId)).toEqual(before);
    expect(await store.read("not-a-uuid")).toBeNull();
  });
});

describe("reconcile of a decision platform", () => {
  it("publishes the full state with the extras, then a role change as a delta with new privileged accounts", async () => {
    await t.db.decisionSnapshot.deleteMany();
    const v1 = await bump("full");
    expect(await reconcileConnection(deps, connectionId, v1)).toMatchObject({ kind: "applied", version: v1 });
    const first = await prismaDecisionSnapshotStore(t.db).read(connectionId);
    expect(first?.version).toBe(v1);
    expect(first?.state.access).toEqual([expect.objectContaining({ accountName: "alice", level: "READ" })]);
    // Deactivated admins and users without an account are never privileged.
    expect(first?.state.decisions.privilegedAccounts).toEqual(["root"]);
    const unknown = first!.state.decisions.unknownUsers;
    expect(Object.keys(unknown.groupIdsByName).sort()).toEqual(["__proto__", 'we"ird ☃']);
    expect(unknown.policies).not.toHaveProperty("users");
    expect(unknown.policies.sources.map((s) => s.location.object)).toEqual(["orders"]);

    await t.db.roleAssignment.create({ data: { userId: aliceId, role: "ADMIN" } });
    const v2 = await bump({ userIds: [aliceId] });
    expect(await reconcileConnection(deps, connectionId, v2)).toMatchObject({ kind: "applied", version: v2 });
    const second = await prismaDecisionSnapshotStore(t.db).read(connectionId);
    expect(second?.version).toBe(v2);
    expect(second?.state.decisions.privilegedAccounts).toEqual(["alice", "root"]);
    expect(second?.state.access).toEqual(first?.state.access);
  });
});
