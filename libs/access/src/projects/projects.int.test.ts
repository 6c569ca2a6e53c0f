import type { Actor } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPolicy } from "../policies/policy-commands";
import { mySubscriptions } from "../policies/policy-queries";
import { scopeOfEvent } from "../propagation/delta-scope";
import { loadPolicySnapshot } from "../snapshot";
import { loadActingProjects } from "./acting-purposes";
import {
  acknowledgeProjectPurposes,
  addProjectMember,
  archiveProject,
  createProject,
  getProject,
  listProjects,
  removeProjectMember,
  switchProject,
  updateProject,
} from "./projects";
import { createPurpose, deletePurpose, updatePurpose } from "./purposes";

let t: TestDatabase;
let governor: Actor;
let alice: Actor & { kind: "USER"; userId: string };
let bob: Actor & { kind: "USER"; userId: string };
let carol: Actor & { kind: "USER"; userId: string };
let orders = "";

async function user(username: string, roles: "GOVERNOR"[] = []) {
  const u = await t.db.user.create({
    data: { username, displayName: username, email: `${username}@example.com`, roles: { create: roles.map((role) => ({ role })) } },
  });
  return { kind: "USER" as const, userId: u.id, username, roles: new Set(roles) };
}

const deps = () => ({ db: t.db });
const counts = async () => ({
  audit: await t.db.auditEvent.count(),
  outbox: await t.db.outboxEvent.count(),
  purposes: await t.db.purpose.count(),
  projects: await t.db.project.count(),
});
const lastEvent = () => t.db.outboxEvent.findFirstOrThrow({ orderBy: { id: "desc" } });

beforeAll(async () => {
  t = await createTestDatabase();
  governor = await user("gov", ["GOVERNOR"]);
  alice = await user("alice");
  bob = await user("bob");
  carol = await user("carol");
  const conn = await t.db.connection.create({ data: { name: "wh", kind: "POSTGRES", config: {}, inboundSecretCiphertext: "x" } });
  const node = await t.db.catalogNode.create({
    data: {
      connectionId: conn.id,
      kind: "OBJECT",
      name: "orders",
      path: ["wh", "sales", "orders"],
      pathKey: "wh\u001fsales\u001forders",
      objectType: "TABLE",
    },
  });
  orders = (
    await t.db.dataSource.create({ data: { connectionId: conn.id, catalogNodeId: node.id, name: "wh.sales.orders", objectType: "TABLE" } })
  ).id;
});
afterAll(() => t?.drop());

describe("purposes", () => {
  it("nests purposes, refuses cycles and non-governors, and writes nothing on a no-op", async () => {
    const research = await createPurpose(deps(), governor, { name: "Research", acknowledgement: "I use data for research only." });
    const clinical = await createPurpose(deps(), governor, { name: "Clinical", acknowledgement: "Clinical.", parentId: research.id });
    await expect(createPurpose(deps(), alice, { name: "X", acknowledgement: "x" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const before = await counts();
    await expect(
      updatePurpose(deps(), governor, {
        id: research.id,
        name: "Research",
        acknowledgement: research.acknowledgement,
        parentId: clinical.id,
      }),
    ).rejects.toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "input.parentId" }] });
    await expect(createPurpose(deps(), governor, { name: "Research", acknowledgement: "dup" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(createPurpose(deps(), governor, { name: "'; DROP TABLE x; --", acknowledgement: "x" })).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
    const same = await updatePurpose(deps(), governor, { id: research.id, name: "Research", acknowledgement: research.acknowledgement });
    expect(same.acknowledgementVersion).toBe(1);
    expect(await counts()).toEqual(before);
    await expect(deletePurpose(deps(), governor, research.id)).rejects.toMatchObject({ code: "CONFLICT" }); // has a sub-purpose
  });
});

describe("projects", () => {
  it("lets anyone create a project, its owner manage members, members acknowledge and switch", async () => {
    const research = await t.db.purpose.findUniqueOrThrow({ where: { name: "Research" } });
    const clinical = await t.db.purpose.findUniqueOrThrow({ where: { name: "Clinical" } });
    const project = await createProject(deps(), alice, { name: "Trial 7", purposeIds: [clinical.id], dataSourceIds: [orders] });
    expect(project.ownerId).toBe(alice.userId);

    // Outsiders do not learn the project exists; members may not manage it.
    expect(await getProject(deps(), carol, project.id)).toBeNull();
    await expect(addProjectMember(deps(), carol, { projectId: project.id, userId: carol.userId })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await addProjectMember(deps(), alice, { projectId: project.id, userId: bob.userId });
    await expect(addProjectMember(deps(), bob, { projectId: project.id, userId: carol.userId })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect((await listProjects(deps(), bob)).map((p) => p.id)).toEqual([project.id]);
    expect(await listProjects(deps(), carol)).toEqual([]);

    // Not acknowledged yet: switching is refused and nothing is written.
    const before = await counts();
    await expect(switchProject(deps(), bob, project.id)).rejects.toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "projectId" }] });
    expect(await counts()).toEqual(before);

    await acknowledgeProjectPurposes(deps(), bob, project.id);
    await switchProject(deps(), bob, project.id);
    const switched = await lastEvent();
    expect(switched.type).toBe("user.project.switched");
    expect(scopeOfEvent(switched)).toEqual({ userIds: [bob.userId] });
    // Switching to the same project again is a no-op.
    const afterSwitch = await counts();
    await switchProject(deps(), bob, project.id);
    expect(await counts()).toEqual(afterSwitch);

    // Acting under Clinical also counts as acting under its ancestor Research.
    const acting = await loadActingProjects(t.db);
    expect(acting.get(bob.userId)).toEqual({
      projectId: project.id,
      purposeIds: [research.id, clinical.id].sort(),
      purposeNames: ["Clinical", "Research"],
    });
    const snapshot = await loadPolicySnapshot(t.db);
    expect(snapshot.users.find((u) => u.id === bob.userId)?.purposes).toEqual([research.id, clinical.id].sort());
    expect(snapshot.users.find((u) => u.id === alice.userId)?.purposes).toEqual([]);
  });

  it("a purpose-limited subscription policy applies only while the project is current and acknowledged", async () => {
    const research = await t.db.purpose.findUniqueOrThrow({ where: { name: "Research" } });
    const project = await t.db.project.findUniqueOrThrow({ where: { name: "Trial 7" } });
    await createPolicy(deps(), governor, {
      name: "research reads orders",
      accessType: "READ",
      restriction: { kind: "conditions", condition: { kind: "purpose", purpose: research.id } },
      scope: { kind: "sources", sourceIds: [orders] },
    });
    const reads = async (a: Actor) => (await mySubscriptions(deps(), a)).map((s) => s.dataSourceId);
    expect(await reads(bob)).toEqual([orders]);
    expect(await reads(alice)).toEqual([]); // member, but not acting under the project

    // A changed statement of a bound purpose needs a new acknowledgement: until then bob acts under no purpose.
    const clinical = await t.db.purpose.findUniqueOrThrow({ where: { name: "Clinical" } });
    await updatePurpose(deps(), governor, { id: clinical.id, name: "Clinical", acknowledgement: "Clinical, v2.", parentId: research.id });
    expect(await reads(bob)).toEqual([]);
    expect((await loadActingProjects(t.db)).has(bob.userId)).toBe(false);
    await acknowledgeProjectPurposes(deps(), bob, project.id);
    expect((await loadActingProjects(t.db)).has(bob.userId)).toBe(true);
    await expect(acknowledgeProjectPurposes(deps(), bob, project.id)).resolves.toBeTruthy();

    await switchProject(deps(), bob, null);
    expect(await reads(bob)).toEqual([]);
  });

  it("updates name/purposes with scoped events, removes members and archives", async () => {
    const project = await t.db.project.findUniqueOrThrow({ where: { name: "Trial 7" } });
    const research = await t.db.purpose.findUniqueOrThrow({ where: { name: "Research" } });
    await acknowledgeProjectPurposes(deps(), bob, project.id);
    await switchProject(deps(), bob, project.id);
    await updateProject(deps(), alice, { id: project.id, name: "Trial 7", purposeIds: [research.id], dataSourceIds: [orders] });
    const changed = await lastEvent();
    expect(changed.type).toBe("project.changed");
    expect(scopeOfEvent(changed)).toEqual({ userIds: [bob.userId] });
    // A purpose bob has not acknowledged in this project yet: he acts under none.
    expect((await loadActingProjects(t.db)).has(bob.userId)).toBe(false);

    await updateProject(deps(), alice, { id: project.id, name: "Trial 7", purposeIds: [research.id], dataSourceIds: [] });
    expect(scopeOfEvent(await lastEvent())).toBe("full"); // its sources changed

    const before = await counts();
    await updateProject(deps(), alice, { id: project.id, name: "Trial 7", purposeIds: [research.id], dataSourceIds: [] });
    expect(await counts()).toEqual(before);

    await expect(removeProjectMember(deps(), bob, { projectId: project.id, userId: alice.userId })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await removeProjectMember(deps(), bob, { projectId: project.id, userId: bob.userId }); // leaving
    expect((await t.db.user.findUniqueOrThrow({ where: { id: bob.userId } })).currentProjectId).toBeNull();
    await expect(removeProjectMember(deps(), governor, { projectId: project.id, userId: alice.userId })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    const archived = await archiveProject(deps(), alice, project.id);
    expect(archived.status).toBe("ARCHIVED");
    await expect(switchProject(deps(), alice, project.id)).rejects.toMatchObject({ code: "CONFLICT" });
  });
});
