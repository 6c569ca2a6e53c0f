/**
 * Proves the seam: a platform is its adapter. Registering the in-memory adapter under a kind that has
 * no real adapter (REDSHIFT here) is all the engine needs to reconcile, retry and repair drift there.
 */
import { randomBytes } from "node:crypto";
import { parseKeyring, SecretBox } from "@steward/core";
import { transaction } from "@steward/db";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { type AdapterLookup, adapterFor } from "@steward/integrations";
import { memoryAdapter } from "@steward/integrations/memory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dueReconciles, sweepDrift } from "./access-sweep";
import { bumpDesiredVersions } from "./desired-version";
import { type ReconcileDeps, reconcileConnection } from "./reconcile-connection";

let t: TestDatabase;
let deps: ReconcileDeps;
let connectionId = "";
const memory = memoryAdapter();
const path = ["wh", "sales", "orders"];
const withMemory: AdapterLookup = (kind) => (kind === "REDSHIFT" ? memory : adapterFor(kind));

async function bump() {
  const [v] = await transaction(t.db, (tx) => bumpDesiredVersions(tx, [connectionId]));
  return v!.version;
}

beforeAll(async () => {
  t = await createTestDatabase();
  deps = { db: t.db, secretBox: new SecretBox(parseKeyring(`k1:${randomBytes(32).toString("base64")}`)), adapterFor: withMemory };
  const alice = await t.db.user.create({ data: { username: "alice", displayName: "Alice", email: "alice@example.com" } });
  const conn = await t.db.connection.create({
    data: { name: "mem", kind: "REDSHIFT", config: { userMapping: { mode: "USERNAME" } }, inboundSecretCiphertext: "x" },
  });
  connectionId = conn.id;
  const node = await t.db.catalogNode.create({
    data: { connectionId, kind: "OBJECT", name: "orders", path, pathKey: path.join("\u001f"), objectType: "TABLE" },
  });
  const source = await t.db.dataSource.create({
    data: { connectionId, catalogNodeId: node.id, name: "wh.sales.orders", objectType: "TABLE" },
  });
  await t.db.manualSubscription.create({ data: { userId: alice.id, dataSourceId: source.id, accessType: "READ" } });
  memory.platform.addObject(path);
});
afterAll(() => t?.drop());

describe("engine over the adapter seam (in-memory adapter under a test kind)", () => {
  it("without an access adapter the kind is not reconciled: a CONFIGURATION failure, nothing applied", async () => {
    const v = await bump();
    const out = await reconcileConnection({ ...deps, adapterFor }, connectionId, v);
    expect(out).toMatchObject({ kind: "failed", errorClass: "CONFIGURATION", transient: false });
  });

  it("reconciles through the registered adapter, then is idempotent", async () => {
    const out = await reconcileConnection(deps, connectionId, await bump());
    expect(out).toMatchObject({ kind: "applied", statements: 2 }); // create account + grant
    expect(memory.platform.levelOf(path, "alice")).toBe("READ");
    expect(await reconcileConnection(deps, connectionId, await bump())).toMatchObject({ kind: "unchanged" });
  });

  it("records a transient failure with its class and queues the retry once the backoff has passed", async () => {
    memory.platform.failNext("TRANSIENT");
    const v = await bump();
    expect(await reconcileConnection(deps, connectionId, v)).toMatchObject({ kind: "failed", transient: true, errorClass: "TRANSIENT" });
    const run = await t.db.reconcileRun.findFirstOrThrow({ where: { connectionId }, orderBy: { startedAt: "desc" } });
    expect(run).toMatchObject({ status: "FAILED", errorClass: "TRANSIENT" });
    const state = await t.db.connectionAccessState.findUniqueOrThrow({ where: { connectionId } });
    expect(state).toMatchObject({ lastErrorClass: "TRANSIENT", failureStreak: 1 });
    expect(await dueReconciles(deps, state.lastAttemptAt!, 60_000)).toEqual([]);
    const later = new Date(state.lastAttemptAt!.getTime() + 500);
    expect(await dueReconciles(deps, later, 60_000)).toEqual([{ connectionId, version: v, attempt: 1 }]);
    expect(await reconcileConnection(deps, connectionId, v)).toMatchObject({ kind: "unchanged" });
    expect(await t.db.connectionAccessState.findUniqueOrThrow({ where: { connectionId } })).toMatchObject({
      lastErrorClass: null,
      failureStreak: 0,
      appliedVersion: v,
    });
  });

  it("finds drift made by hand, asks for a repair when enforcing, and the next reconcile repairs it", async () => {
    memory.platform.setGrant(path, "alice", null);
    const [checked] = await sweepDrift(deps, new Date(), 0);
    expect(checked).toMatchObject({ connectionId, repairable: 1, repairRequested: true });
    const state = await t.db.connectionAccessState.findUniqueOrThrow({ where: { connectionId } });
    expect(state.drift).toEqual([expect.objectContaining({ kind: "MISSING_PRIVILEGE", repairable: true, accountName: "alice" })]);
    expect(await reconcileConnection(deps, connectionId, state.desiredVersion)).toMatchObject({ kind: "applied", statements: 1 });
    expect(memory.platform.levelOf(path, "alice")).toBe("READ");
  });
});
