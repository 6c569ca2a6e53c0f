import { randomUUID } from "node:crypto";
import type { Actor } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPolicy, deletePolicy, updatePolicy } from "./policies/policy-commands";
import { explainAccess, listPolicyVersions, mySubscriptions, planPolicyChange } from "./policies/policy-queries";
import { approveAccessRequest, denyAccessRequest, myPendingApprovals, requestAccess } from "./requests/access-requests";

let t: TestDatabase;
let governor: Actor;
let alice: Actor & { kind: "USER" };
let bob: Actor & { kind: "USER" };
let analysts = "";
let orders = "";
let salaries = "";

async function user(username: string, roles: ("GOVERNOR" | "ADMIN")[] = []) {
  const u = await t.db.user.create({
    data: { username, displayName: username, email: `${username}@example.com`, roles: { create: roles.map((role) => ({ role })) } },
  });
  return { kind: "USER" as const, userId: u.id, username, roles: new Set(roles) };
}

async function source(schema: string, name: string, connectionId: string) {
  const node = await t.db.catalogNode.create({
    data: {
      connectionId,
      kind: "OBJECT",
      name,
      path: ["wh", schema, name],
      pathKey: `wh\u001f${schema}\u001f${name}`,
      objectType: "TABLE",
    },
  });
  return (
    await t.db.dataSource.create({ data: { connectionId, catalogNodeId: node.id, name: `wh.${schema}.${name}`, objectType: "TABLE" } })
  ).id;
}

beforeAll(async () => {
  t = await createTestDatabase();
  governor = await user("gov", ["GOVERNOR"]);
  alice = await user("alice");
  bob = await user("bob");
  analysts = (await t.db.group.create({ data: { name: "analysts" } })).id;
  await t.db.groupMembership.create({ data: { groupId: analysts, userId: alice.userId } });
  await t.db.userAttribute.create({ data: { userId: bob.userId, key: "department", value: "finance" } });
  const conn = await t.db.connection.create({ data: { name: "wh", kind: "POSTGRES", config: {}, inboundSecretCiphertext: "x" } });
  orders = await source("sales", "orders", conn.id);
  salaries = await source("hr", "salaries", conn.id);
  const tag = await t.db.tag.create({ data: { name: "Department.HR" } });
  await t.db.dataSourceTag.create({ data: { dataSourceId: salaries, tagId: tag.id } });
});
afterAll(() => t?.drop());

describe("subscription policies", () => {
  it("creates a versioned policy, previews its effect, and explains decisions", async () => {
    const plan = await planPolicyChange({ db: t.db }, governor, {
      name: "analysts read sales",
      accessType: "READ",
      restriction: { kind: "conditions", condition: { kind: "group", group: analysts } },
      scope: { kind: "sources", sourceIds: [orders] },
    });
    expect(plan.changes).toEqual([{ dataSourceId: orders, userId: alice.userId, before: "NONE", after: "READ" }]);

    const { policy } = await createPolicy({ db: t.db }, governor, {
      name: "analysts read sales",
      accessType: "READ",
      restriction: { kind: "conditions", condition: { kind: "group", group: analysts } },
      scope: { kind: "sources", sourceIds: [orders] },
    });
    expect(await mySubscriptions({ db: t.db }, alice)).toEqual([{ dataSourceId: orders, level: "READ" }]);
    expect(await mySubscriptions({ db: t.db }, bob)).toEqual([]);
    const why = await explainAccess({ db: t.db }, alice, alice.userId, orders);
    expect(why.level).toBe("READ");
    await expect(explainAccess({ db: t.db }, alice, bob.userId, orders)).rejects.toMatchObject({ code: "FORBIDDEN" });

    // Widen to finance by attribute with ANY semantics inside an OR condition; history keeps both versions.
    await updatePolicy({ db: t.db }, governor, {
      id: policy.id,
      name: "analysts read sales",
      accessType: "READ",
      restriction: {
        kind: "conditions",
        condition: {
          kind: "or",
          conditions: [
            { kind: "group", group: analysts },
            { kind: "attribute", key: "department", match: "anyOf", values: ["finance"] },
          ],
        },
      },
      scope: { kind: "sources", sourceIds: [orders] },
    });
    expect(await mySubscriptions({ db: t.db }, bob)).toEqual([{ dataSourceId: orders, level: "READ" }]);
    expect((await listPolicyVersions({ db: t.db }, governor, policy.id)).map((v) => [v.version, v.change])).toEqual([
      [2, "UPDATED"],
      [1, "CREATED"],
    ]);

    const del = await planPolicyChange({ db: t.db }, governor, { policyId: policy.id, delete: true });
    expect(del.changes.map((c) => [c.userId, c.after]).sort()).toEqual(
      [
        [alice.userId, "NONE"],
        [bob.userId, "NONE"],
      ].sort(),
    );
    await deletePolicy({ db: t.db }, governor, policy.id);
    expect(await mySubscriptions({ db: t.db }, alice)).toEqual([]);
    expect(await t.db.outboxEvent.count({ where: { type: "policy.changed" } })).toBe(3);
  });

  it("rejects bad definitions and non-governors, writing nothing", async () => {
    const before = await t.db.subscriptionPolicy.count();
    await expect(
      createPolicy({ db: t.db }, governor, {
        name: "empty",
        accessType: "READ",
        restriction: { kind: "conditions", condition: { kind: "and", conditions: [] } },
        scope: { kind: "tag", tag: "PII" },
      }),
    ).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    await expect(
      createPolicy({ db: t.db }, governor, {
        name: "bad scope",
        accessType: "READ",
        restriction: { kind: "anyone" },
        scope: { kind: "sources", sourceIds: [] },
      }),
    ).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    await expect(
      createPolicy({ db: t.db }, alice, {
        name: "x",
        accessType: "READ",
        restriction: { kind: "anyone" },
        scope: { kind: "tag", tag: "PII" },
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await t.db.subscriptionPolicy.count()).toBe(before);
  });

  it("grants 'anyone who asks' access on approval, until it expires", async () => {
    await createPolicy({ db: t.db }, governor, {
      name: "ask for HR",
      accessType: "READ",
      restriction: { kind: "anyoneWhoAsks" },
      scope: { kind: "tag", tag: "Department" },
    });
    const req = await requestAccess({ db: t.db }, bob, { dataSourceId: salaries, reason: "quarterly audit" });
    await expect(requestAccess({ db: t.db }, bob, { dataSourceId: salaries, reason: "again please" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect((await myPendingApprovals({ db: t.db }, governor)).map((r) => r.id)).toContain(req.id);
    await expect(approveAccessRequest({ db: t.db }, alice, { requestId: req.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const expiresAt = new Date(Date.now() + 60_000);
    await approveAccessRequest({ db: t.db }, governor, { requestId: req.id, expiresAt });
    expect(await mySubscriptions({ db: t.db }, bob)).toContainEqual({ dataSourceId: salaries, level: "READ" });
    expect(await mySubscriptions({ db: t.db }, bob, new Date(expiresAt.getTime() + 1))).not.toContainEqual({
      dataSourceId: salaries,
      level: "READ",
    });
    const other = await requestAccess({ db: t.db }, alice, { dataSourceId: salaries, reason: "curious" });
    await expect(denyAccessRequest({ db: t.db }, governor, { requestId: other.id })).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    await denyAccessRequest({ db: t.db }, governor, { requestId: other.id, reason: "not needed" });
    expect(await mySubscriptions({ db: t.db }, alice)).toEqual([]);
    await expect(approveAccessRequest({ db: t.db }, governor, { requestId: randomUUID() })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("manual subscriptions", () => {
  it("lets governors subscribe a user by hand until a date, additive to policies", async () => {
    const { subscribeUser, unsubscribeUser } = await import("./subscriptions/manual-subscriptions");
    const carol = await user("carol");
    const expiresAt = new Date(Date.now() + 60_000);
    await subscribeUser({ db: t.db }, governor, { dataSourceId: orders, userId: carol.userId, accessType: "WRITE", expiresAt });
    expect(await mySubscriptions({ db: t.db }, carol)).toEqual([{ dataSourceId: orders, level: "WRITE" }]);
    expect(await mySubscriptions({ db: t.db }, carol, new Date(expiresAt.getTime() + 1))).toEqual([]);
    await expect(subscribeUser({ db: t.db }, alice, { dataSourceId: orders, userId: carol.userId })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await unsubscribeUser({ db: t.db }, governor, { dataSourceId: orders, userId: carol.userId })).toBe(true);
    expect(await mySubscriptions({ db: t.db }, carol)).toEqual([]);
  });
});
