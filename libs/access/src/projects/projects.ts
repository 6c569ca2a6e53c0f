import {
  type Actor,
  actorUserId,
  badInput,
  conflict,
  fields,
  forbidden,
  hasRole,
  notFound,
  parseInput,
  unauthenticated,
} from "@steward/core";
import { type Db, isUniqueViolation, type Tx, transaction } from "@steward/db";
import { emitEvent, recordAudit } from "@steward/events";
import { z } from "zod";
import { pendingAcknowledgements } from "./acting-purposes";

/**
 * Projects: anyone signed in creates one (and becomes its owner); its owners and governors manage
 * members, purposes and sources; members acknowledge its purposes and may then make it their current
 * project. Every write is one transaction with its audit row and outbox event; a no-op writes nothing.
 */
const ids = z.array(z.uuid()).max(500);
const ProjectInput = z.object({
  name: fields.name,
  description: fields.description.nullish(),
  purposeIds: ids.nullish(),
  dataSourceIds: ids.nullish(),
});
const UpdateProjectInput = ProjectInput.extend({ id: z.uuid(), purposeIds: ids, dataSourceIds: ids });

type ProjectRow = Awaited<ReturnType<Db["project"]["findUniqueOrThrow"]>>;

function requireUser(actor: Actor | null): Actor & { userId: string } {
  if (!actor) throw unauthenticated();
  if (actor.kind === "SYSTEM") throw forbidden("Projects belong to users");
  return actor;
}

/** Owners (the project's owner or a member with role OWNER) and governors manage a project. */
async function requireManager(tx: Tx | Db, actor: Actor | null, projectId: string): Promise<{ actor: Actor; project: ProjectRow }> {
  if (!actor) throw unauthenticated();
  const project = await tx.project.findUnique({ where: { id: projectId } });
  if (!project) throw notFound("Project");
  if (hasRole(actor, "GOVERNOR") || actor.kind === "SYSTEM") return { actor, project };
  const userId = actorUserId(actor);
  const member = userId ? await tx.projectMember.findUnique({ where: { projectId_userId: { projectId, userId } } }) : null;
  if (project.ownerId === userId || member?.role === "OWNER") return { actor, project };
  // Members learn that they may not; others must not learn that the project exists.
  if (member) throw forbidden("Only the project's owners and governors manage it");
  throw notFound("Project");
}

async function checkRefs(tx: Tx, purposeIds: readonly string[], dataSourceIds: readonly string[]) {
  const [purposes, sources] = await Promise.all([
    tx.purpose.findMany({ where: { id: { in: [...purposeIds] }, deletedAt: null }, select: { id: true } }),
    tx.dataSource.findMany({ where: { id: { in: [...dataSourceIds] } }, select: { id: true } }),
  ]);
  const knownP = new Set(purposes.map((p) => p.id));
  const knownS = new Set(sources.map((s) => s.id));
  const issues = [
    ...purposeIds.flatMap((id, i) => (knownP.has(id) ? [] : [{ path: `input.purposeIds.${i}`, message: "no such purpose" }])),
    ...dataSourceIds.flatMap((id, i) => (knownS.has(id) ? [] : [{ path: `input.dataSourceIds.${i}`, message: "no such data source" }])),
  ];
  if (issues.length > 0) throw badInput(`Invalid project: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
}

async function actingUserIds(tx: Tx, projectId: string): Promise<string[]> {
  return (await tx.user.findMany({ where: { currentProjectId: projectId }, select: { id: true } })).map((u) => u.id);
}

async function emitProjectChanged(tx: Tx, projectId: string, sourcesChanged: boolean) {
  await emitEvent(tx, {
    type: "project.changed",
    aggregateType: "Project",
    aggregateId: projectId,
    payload: { projectId, actingUserIds: await actingUserIds(tx, projectId), sourcesChanged },
  });
}

async function emitMembership(tx: Tx, projectId: string, userId: string, change: "added" | "removed" | "role" | "acknowledged") {
  await emitEvent(tx, {
    type: "project.membership.changed",
    aggregateType: "Project",
    aggregateId: projectId,
    payload: { projectId, userId, change },
  });
}

const nameTaken = () => conflict("A project with this name already exists");
const sorted = (xs: readonly string[]) => [...new Set(xs)].sort();

export async function createProject(deps: { db: Db }, actor: Actor | null, input: unknown): Promise<ProjectRow> {
  const a = requireUser(actor);
  const data = parseInput(ProjectInput, input);
  const purposeIds = sorted(data.purposeIds ?? []);
  const dataSourceIds = sorted(data.dataSourceIds ?? []);
  try {
    return await transaction(deps.db, async (tx) => {
      await checkRefs(tx, purposeIds, dataSourceIds);
      const project = await tx.project.create({
        data: {
          name: data.name,
          description: data.description ?? "",
          ownerId: a.userId,
          createdById: a.userId,
          purposes: { create: purposeIds.map((purposeId) => ({ purposeId })) },
          sources: { create: dataSourceIds.map((dataSourceId) => ({ dataSourceId })) },
          members: { create: [{ userId: a.userId, role: "OWNER" }] },
        },
      });
      await recordAudit(tx, a, {
        action: "project.created",
        targetType: "Project",
        targetId: project.id,
        after: { name: project.name, description: project.description, purposeIds, dataSourceIds },
      });
      await emitProjectChanged(tx, project.id, dataSourceIds.length > 0);
      await emitMembership(tx, project.id, a.userId, "added");
      return project;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken();
    throw err;
  }
}

export async function updateProject(deps: { db: Db }, actor: Actor | null, input: unknown): Promise<ProjectRow> {
  const data = parseInput(UpdateProjectInput, input);
  try {
    return await transaction(deps.db, async (tx) => {
      const { actor: a, project: before } = await requireManager(tx, actor, data.id);
      if (before.status !== "ACTIVE") throw conflict("The project is archived");
      const purposeIds = sorted(data.purposeIds);
      const dataSourceIds = sorted(data.dataSourceIds);
      await checkRefs(tx, purposeIds, dataSourceIds);
      const [oldP, oldS] = await Promise.all([
        tx.projectPurpose.findMany({ where: { projectId: before.id }, select: { purposeId: true } }),
        tx.projectDataSource.findMany({ where: { projectId: before.id }, select: { dataSourceId: true } }),
      ]);
      const prevPurposes = sorted(oldP.map((p) => p.purposeId));
      const prevSources = sorted(oldS.map((s) => s.dataSourceId));
      const description = data.description ?? before.description;
      const purposesChanged = prevPurposes.join() !== purposeIds.join();
      const sourcesChanged = prevSources.join() !== dataSourceIds.join();
      if (!purposesChanged && !sourcesChanged && data.name === before.name && description === before.description) return before;
      const project = await tx.project.update({ where: { id: before.id }, data: { name: data.name, description } });
      if (purposesChanged) {
        await tx.projectPurpose.deleteMany({ where: { projectId: before.id, purposeId: { notIn: purposeIds } } });
        await tx.projectPurpose.createMany({
          data: purposeIds.map((purposeId) => ({ projectId: before.id, purposeId })),
          skipDuplicates: true,
        });
      }
      if (sourcesChanged) {
        await tx.projectDataSource.deleteMany({ where: { projectId: before.id, dataSourceId: { notIn: dataSourceIds } } });
        await tx.projectDataSource.createMany({
          data: dataSourceIds.map((dataSourceId) => ({ projectId: before.id, dataSourceId })),
          skipDuplicates: true,
        });
      }
      await recordAudit(tx, a, {
        action: "project.updated",
        targetType: "Project",
        targetId: project.id,
        before: { name: before.name, description: before.description, purposeIds: prevPurposes, dataSourceIds: prevSources },
        after: { name: project.name, description: project.description, purposeIds, dataSourceIds },
      });
      await emitProjectChanged(tx, project.id, sourcesChanged);
      return project;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken();
    throw err;
  }
}

/** Archived projects stop counting: users acting under it act under no project from now on. */
export async function archiveProject(deps: { db: Db }, actor: Actor | null, id: string): Promise<ProjectRow> {
  const projectId = parseInput(z.uuid(), id);
  return transaction(deps.db, async (tx) => {
    const { actor: a, project: before } = await requireManager(tx, actor, projectId);
    if (before.status === "ARCHIVED") return before;
    const acting = await actingUserIds(tx, projectId);
    const project = await tx.project.update({ where: { id: projectId }, data: { status: "ARCHIVED" } });
    await tx.user.updateMany({ where: { currentProjectId: projectId }, data: { currentProjectId: null } });
    await recordAudit(tx, a, { action: "project.archived", targetType: "Project", targetId: projectId, before: { status: before.status } });
    await emitEvent(tx, {
      type: "project.changed",
      aggregateType: "Project",
      aggregateId: projectId,
      payload: { projectId, actingUserIds: acting, sourcesChanged: false },
    });
    return project;
  });
}

export async function addProjectMember(
  deps: { db: Db },
  actor: Actor | null,
  input: { projectId: string; userId: string; role?: "OWNER" | "MEMBER" | null },
): Promise<ProjectRow> {
  const data = parseInput(z.object({ projectId: z.uuid(), userId: z.uuid(), role: z.enum(["OWNER", "MEMBER"]).nullish() }), input);
  const role = data.role ?? "MEMBER";
  return transaction(deps.db, async (tx) => {
    const { actor: a, project } = await requireManager(tx, actor, data.projectId);
    if (project.status !== "ACTIVE") throw conflict("The project is archived");
    const user = await tx.user.findUnique({ where: { id: data.userId }, select: { id: true } });
    if (!user) throw badInput("Unknown user", [{ path: "userId", message: "no such user" }]);
    const existing = await tx.projectMember.findUnique({ where: { projectId_userId: { projectId: project.id, userId: user.id } } });
    if (existing?.role === role) return project;
    if (existing)
      await tx.projectMember.update({ where: { projectId_userId: { projectId: project.id, userId: user.id } }, data: { role } });
    else await tx.projectMember.create({ data: { projectId: project.id, userId: user.id, role } });
    await recordAudit(tx, a, {
      action: existing ? "project.member.role_changed" : "project.member.added",
      targetType: "Project",
      targetId: project.id,
      before: existing ? { userId: user.id, role: existing.role } : undefined,
      after: { userId: user.id, role },
    });
    await emitMembership(tx, project.id, user.id, existing ? "role" : "added");
    return project;
  });
}

/** Owners and governors remove anyone but the owner; a member may leave by themselves. */
export async function removeProjectMember(deps: { db: Db }, actor: Actor | null, input: { projectId: string; userId: string }) {
  const data = parseInput(z.object({ projectId: z.uuid(), userId: z.uuid() }), input);
  return transaction(deps.db, async (tx) => {
    const self = actor && actorUserId(actor) === data.userId;
    const { actor: a, project } = self
      ? { actor: actor!, project: await tx.project.findUnique({ where: { id: data.projectId } }) }
      : await requireManager(tx, actor, data.projectId);
    if (!project) throw notFound("Project");
    const existing = await tx.projectMember.findUnique({ where: { projectId_userId: data } });
    if (!existing) return project;
    if (project.ownerId === data.userId) throw conflict("The project's owner cannot be removed");
    await tx.projectMember.delete({ where: { projectId_userId: data } });
    await tx.purposeAcknowledgement.deleteMany({ where: data });
    await tx.user.updateMany({ where: { id: data.userId, currentProjectId: data.projectId }, data: { currentProjectId: null } });
    await recordAudit(tx, a, {
      action: "project.member.removed",
      targetType: "Project",
      targetId: project.id,
      before: { userId: data.userId, role: existing.role },
    });
    await emitMembership(tx, project.id, data.userId, "removed");
    return project;
  });
}

/** The caller acknowledges every purpose statement of a project, in its current version. */
export async function acknowledgeProjectPurposes(deps: { db: Db }, actor: Actor | null, projectId: string): Promise<ProjectRow> {
  const a = requireUser(actor);
  const id = parseInput(z.uuid(), projectId);
  return transaction(deps.db, async (tx) => {
    const project = await tx.project.findUnique({ where: { id } });
    const member = project && (await tx.projectMember.findUnique({ where: { projectId_userId: { projectId: id, userId: a.userId } } }));
    if (!project || !member) throw notFound("Project");
    if (project.status !== "ACTIVE") throw conflict("The project is archived");
    const pending = await pendingAcknowledgements(tx, id, a.userId);
    if (pending.length === 0 && member.acknowledgedAt) return project;
    const purposes = await tx.purpose.findMany({ where: { id: { in: pending } }, select: { id: true, acknowledgementVersion: true } });
    const now = new Date();
    for (const p of purposes) {
      await tx.purposeAcknowledgement.upsert({
        where: { projectId_userId_purposeId: { projectId: id, userId: a.userId, purposeId: p.id } },
        create: { projectId: id, userId: a.userId, purposeId: p.id, version: p.acknowledgementVersion, acknowledgedAt: now },
        update: { version: p.acknowledgementVersion, acknowledgedAt: now },
      });
    }
    await tx.projectMember.update({ where: { projectId_userId: { projectId: id, userId: a.userId } }, data: { acknowledgedAt: now } });
    await recordAudit(tx, a, {
      action: "project.purposes.acknowledged",
      targetType: "Project",
      targetId: id,
      after: { purposes: purposes.map((p) => ({ purposeId: p.id, version: p.acknowledgementVersion })) },
    });
    await emitMembership(tx, id, a.userId, "acknowledged");
    return project;
  });
}

/** Act under a project (member, every purpose acknowledged, project active) or under none. */
export async function switchProject(deps: { db: Db }, actor: Actor | null, projectId: string | null | undefined) {
  const a = requireUser(actor);
  const target = projectId === null || projectId === undefined ? null : parseInput(z.uuid(), projectId);
  return transaction(deps.db, async (tx) => {
    const user = await tx.user.findUniqueOrThrow({ where: { id: a.userId }, select: { id: true, currentProjectId: true } });
    if (target) {
      const project = await tx.project.findUnique({ where: { id: target } });
      const member =
        project && (await tx.projectMember.findUnique({ where: { projectId_userId: { projectId: target, userId: a.userId } } }));
      if (!project || !member) throw notFound("Project");
      if (project.status !== "ACTIVE") throw conflict("The project is archived");
      const pending = await pendingAcknowledgements(tx, target, a.userId);
      if (pending.length > 0)
        throw badInput("Acknowledge the project's purposes first", [
          { path: "projectId", message: `${pending.length} purpose statement(s) not acknowledged` },
        ]);
    }
    if (user.currentProjectId === target) return user;
    const updated = await tx.user.update({
      where: { id: a.userId },
      data: { currentProjectId: target },
      select: { id: true, currentProjectId: true },
    });
    await recordAudit(tx, a, {
      action: "user.project.switched",
      targetType: "User",
      targetId: a.userId,
      before: { projectId: user.currentProjectId },
      after: { projectId: target },
    });
    await emitEvent(tx, {
      type: "user.project.switched",
      aggregateType: "User",
      aggregateId: a.userId,
      payload: { userId: a.userId, projectId: target },
    });
    return updated;
  });
}

/** Governors and admins see every project; others the projects they are members of. */
export async function listProjects(deps: { db: Db }, actor: Actor | null, includeArchived = false) {
  if (!actor) throw unauthenticated();
  const all = hasRole(actor, "GOVERNOR") || hasRole(actor, "ADMIN") || actor.kind === "SYSTEM";
  const userId = actorUserId(actor);
  return deps.db.project.findMany({
    where: {
      ...(includeArchived ? {} : { status: "ACTIVE" as const }),
      ...(all ? {} : { members: { some: { userId: userId ?? "" } } }),
    },
    orderBy: { name: "asc" },
  });
}

export async function getProject(deps: { db: Db }, actor: Actor | null, id: string) {
  if (!actor) throw unauthenticated();
  if (!z.uuid().safeParse(id).success) return null;
  const project = await deps.db.project.findUnique({ where: { id } });
  if (!project) return null;
  if (hasRole(actor, "GOVERNOR") || hasRole(actor, "ADMIN") || actor.kind === "SYSTEM") return project;
  const userId = actorUserId(actor);
  const member = userId ? await deps.db.projectMember.findUnique({ where: { projectId_userId: { projectId: id, userId } } }) : null;
  return member ? project : null;
}
