/**
 * The desired state a platform with the `dataPolicies` capability receives: policy views resolved
 * by the engine, one profile row per managed account (group and purpose NAMES, readable sources),
 * the derived hash salt; on the delta path (a project switch) only the switching user's profile.
 */
import { randomBytes } from "node:crypto";
import { type Actor, parseKeyring, SecretBox } from "@steward/core";
import { transaction } from "@steward/db";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import type { AccessDesiredState, AdapterLookup, PlatformAdapter } from "@steward/integrations";
import { adapterFor } from "@steward/integrations";
import { memoryAdapter } from "@steward/integrations/memory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acknowledgeProjectPurposes, createProject, switchProject } from "../projects/projects";
import { createPurpose } from "../projects/purposes";
import { recordPendingScopes, scopeOfEvent } from "../propagation/delta-scope";
import { bumpDesiredVersions } from "../propagation/desired-version";
import { type ReconcileDeps, reconcileConnection } from "../propagation/reconcile-connection";
import { HASH_SALT_LABEL } from "./data-desired";
import { createDataPolicy } from "./data-policy-commands";

let t: TestDatabase;
let deps: ReconcileDeps;
let connectionId = "";
let source = "";
let hr = "";
let gov: Actor;
let alice: Actor & { kind: "USER"; userId: string };
let bob: Actor & { kind: "USER"; userId: string };
const seen: AccessDesiredState[] = [];
const memory = memoryAdapter();
const path = ["wh", "crm", "customers"];

// The in-memory adapter under a kind without a real adapter, declaring dataPolicies and recording what it is handed.
const capturing: PlatformAdapter = {
  ...memory,
  capabilities: { ...memory.capabilities, dataPolicies: true },
  access: {
    plan: (c, d) => memory.access!.plan(c, d),
    drift: (c, d) => memory.access!.drift(c, d),
    apply: (c, d) => {
      seen.push(d);
      return memory.access!.apply(c, d);
    },
  },
};
const lookup: AdapterLookup = (kind) => (kind === "REDSHIFT" ? capturing : adapterFor(kind));

async function user(username: string, roles: "GOVERNOR"[] = []) {
  const u = await t.db.user.create({
    data: { username, displayName: username, email: `${username}@example.com`, roles: { create: roles.map((role) => ({ role })) } },
  });
  return { kind: "USER" as const, userId: u.id, username, roles: new Set(roles) };
}

/** What the worker does for an event: bump the version with the event's scope, then reconcile. */
async function propagate(event: { type: string; payload: unknown }) {
  const [v] = await transaction(t.db, async (tx) => {
    const versions = await bumpDesiredVersions(tx, [connectionId]);
    await recordPendingScopes(tx, versions, scopeOfEvent(event));
    return versions;
  });
  const out = await reconcileConnection(deps, connectionId, v!.version);
  expect(out.kind).not.toBe("failed");
  return seen.at(-1)!;
}

beforeAll(async () => {
  t = await createTestDatabase();
  deps = { db: t.db, secretBox: new SecretBox(parseKeyring(`k1:${randomBytes(32).toString("base64")}`)), adapterFor: lookup };
  gov = await user("gov", ["GOVERNOR"]);
  alice = await user("alice");
  bob = await user("bob");
  hr = (await t.db.group.create({ data: { name: "hr", members: { create: [{ userId: bob.userId }] } } })).id;
  await t.db.userAttribute.create({ data: { userId: alice.userId, key: "region", value: "EU" } });
  const conn = await t.db.connection.create({
    data: { name: "mem", kind: "REDSHIFT", config: { userMapping: { mode: "USERNAME" } }, inboundSecretCiphertext: "x" },
  });
  connectionId = conn.id;
  const node = await t.db.catalogNode.create({
    data: { connectionId, kind: "OBJECT", name: "customers", path, pathKey: path.join("\u001f"), objectType: "TABLE" },
  });
  source = (await t.db.dataSource.create({ data: { connectionId, catalogNodeId: node.id, name: "wh.crm.customers", objectType: "TABLE" } }))
    .id;
  const tag = await t.db.tag.create({ data: { name: "PII.Email" } });
  for (const [ordinal, name] of ["id", "email", "region"].entries()) {
    const c = await t.db.dataSourceColumn.create({
      data: { dataSourceId: source, name, dataType: name === "id" ? "integer" : "text", ordinal, nullable: true },
    });
    if (name === "email") await t.db.columnTag.create({ data: { columnId: c.id, tagId: tag.id } });
  }
  for (const u of [alice, bob])
    await t.db.manualSubscription.create({ data: { userId: u.userId, dataSourceId: source, accessType: "READ" } });
  memory.platform.addObject(path);
});
afterAll(() => t?.drop());

describe("desired state with data policies", () => {
  it("carries the views the engine resolves, every managed account's profile and the derived salt", async () => {
    const { policy } = await createDataPolicy({ db: t.db }, gov, {
      name: "hash emails",
      definition: { scope: { all: true }, rule: { mask: { columns: { tagged: "PII" }, mask: { hash: true } } }, except: { group: hr } },
    });
    const state = await propagate({ type: "data_policy.changed", payload: { dataPolicyId: policy.id, version: 1 } });
    const dp = state.dataPolicies!;
    expect(dp.viewsForEverything).toBe(false);
    expect(dp.views.map((v) => [v.sourceId, v.policyIds])).toEqual([[source, [policy.id]]]);
    expect(dp.views[0]!.columns.find((c) => c.name === "email")?.maskedBy).toBe(policy.id);
    expect(dp.hashSalt).toBe(deps.secretBox.derive(HASH_SALT_LABEL));
    expect(dp.hashSalt).toMatch(/^[0-9a-f]{64}$/);
    expect(dp.profiles).toEqual([
      {
        accountName: "alice",
        userId: alice.userId,
        username: "alice",
        groups: [],
        attributes: { region: ["EU"] },
        projectId: null,
        purposes: [],
        sources: [source],
      },
      {
        accountName: "bob",
        userId: bob.userId,
        username: "bob",
        groups: ["hr"],
        attributes: {},
        projectId: null,
        purposes: [],
        sources: [source],
      },
      {
        accountName: "gov",
        userId: gov.kind === "USER" ? gov.userId : "",
        username: "gov",
        groups: [],
        attributes: {},
        projectId: null,
        purposes: [],
        sources: [],
      },
    ]);
  });

  it("a project switch reaches the platform as the switching user's profile only (delta path), purposes by name", async () => {
    const research = await createPurpose({ db: t.db }, gov, { name: "Research", acknowledgement: "ok" });
    const clinical = await createPurpose({ db: t.db }, gov, { name: "Clinical", acknowledgement: "ok", parentId: research.id });
    const project = await createProject({ db: t.db }, alice, { name: "Trial", purposeIds: [clinical.id] });
    await acknowledgeProjectPurposes({ db: t.db }, alice, project.id);
    await switchProject({ db: t.db }, alice, project.id);
    const event = await t.db.outboxEvent.findFirstOrThrow({ where: { type: "user.project.switched" }, orderBy: { id: "desc" } });
    const state = await propagate(event);
    expect(state.scope).toEqual({ accounts: ["alice"] });
    expect(state.dataPolicies!.profiles).toEqual([
      expect.objectContaining({ accountName: "alice", projectId: project.id, purposes: ["Clinical", "Research"], sources: [source] }),
    ]);
    // Views are still complete on the delta path: the adapter must not drop the others.
    expect(state.dataPolicies!.views.map((v) => v.sourceId)).toEqual([source]);
  });

  it("views for everything: a connection setting the engine turns into a view for every source", async () => {
    await t.db.dataPolicy.updateMany({ data: { deletedAt: new Date() } });
    await t.db.connectionAccessState.update({ where: { connectionId }, data: { viewsForEverything: true } });
    const state = await propagate({ type: "policy_settings.changed", payload: {} });
    expect(state.dataPolicies!.viewsForEverything).toBe(true);
    expect(state.dataPolicies!.views.map((v) => [v.sourceId, v.policyIds])).toEqual([[source, []]]);
  });
});
