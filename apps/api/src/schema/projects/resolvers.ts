import {
  acknowledgeProjectPurposes,
  addProjectMember,
  archiveProject,
  createProject,
  createPurpose,
  deletePurpose,
  getProject,
  getPurpose,
  listProjects,
  listPurposes,
  pendingAcknowledgements,
  removeProjectMember,
  switchProject,
  updateProject,
  updatePurpose,
} from "@steward/access";
import { notFound } from "@steward/core";
import type { ViewerModel } from "../../context";
import type { Resolvers } from "../resolvers-types.gen";

export const projectResolvers: Resolvers = {
  Query: {
    purposes: (_p, { includeDeleted }, ctx) => listPurposes(ctx.deps, ctx.actor, includeDeleted ?? false),
    purpose: (_p, { id }, ctx) => getPurpose(ctx.deps, ctx.actor, id),
    projects: (_p, { includeArchived }, ctx) => listProjects(ctx.deps, ctx.actor, includeArchived ?? false),
    project: (_p, { id }, ctx) => getProject(ctx.deps, ctx.actor, id),
  },
  Mutation: {
    createPurpose: (_p, { input }, ctx) => createPurpose(ctx.deps, ctx.actor, input),
    updatePurpose: (_p, { input }, ctx) => updatePurpose(ctx.deps, ctx.actor, input),
    deletePurpose: (_p, { id }, ctx) => deletePurpose(ctx.deps, ctx.actor, id),
    createProject: (_p, { input }, ctx) => createProject(ctx.deps, ctx.actor, input),
    updateProject: (_p, { input }, ctx) => updateProject(ctx.deps, ctx.actor, input),
    archiveProject: (_p, { id }, ctx) => archiveProject(ctx.deps, ctx.actor, id),
    addProjectMember: (_p, args, ctx) => addProjectMember(ctx.deps, ctx.actor, args),
    removeProjectMember: (_p, args, ctx) => removeProjectMember(ctx.deps, ctx.actor, args),
    acknowledgeProjectPurposes: (_p, { projectId }, ctx) => acknowledgeProjectPurposes(ctx.deps, ctx.actor, projectId),
    switchProject: async (_p, { projectId }, ctx): Promise<ViewerModel> => {
      await switchProject(ctx.deps, ctx.actor, projectId);
      ctx.loaders.user.clear(ctx.actor && ctx.actor.kind !== "SYSTEM" ? ctx.actor.userId : "");
      // switchProject refused SYSTEM and anonymous callers, so the context has a viewer.
      return { actor: ctx.actor as ViewerModel["actor"], authMethod: ctx.authMethod ?? "SESSION" };
    },
  },
  Viewer: {
    currentProject: async (v, _a, ctx) => {
      const user = await ctx.deps.db.user.findUnique({ where: { id: v.actor.userId }, select: { currentProjectId: true } });
      return user?.currentProjectId ? ctx.deps.db.project.findUnique({ where: { id: user.currentProjectId } }) : null;
    },
  },
  Purpose: {
    parent: (p, _a, ctx) => (p.parentId ? ctx.deps.db.purpose.findUnique({ where: { id: p.parentId } }) : null),
    children: (p, _a, ctx) => ctx.deps.db.purpose.findMany({ where: { parentId: p.id, deletedAt: null }, orderBy: { name: "asc" } }),
    path: async (p, _a, ctx) => {
      const names = [p.name];
      const seen = new Set([p.id]);
      for (let at = p.parentId; at && !seen.has(at); ) {
        seen.add(at);
        const parent = await ctx.deps.db.purpose.findUnique({ where: { id: at }, select: { name: true, parentId: true } });
        if (!parent) break;
        names.unshift(parent.name);
        at = parent.parentId;
      }
      return names;
    },
    deleted: (p) => p.deletedAt !== null,
  },
  Project: {
    owner: (p, _a, ctx) => (p.ownerId ? ctx.loaders.user.load(p.ownerId) : null),
    purposes: async (p, _a, ctx) =>
      (await ctx.deps.db.projectPurpose.findMany({ where: { projectId: p.id }, include: { purpose: true } }))
        .map((x) => x.purpose)
        .sort((a, b) => a.name.localeCompare(b.name)),
    dataSources: async (p, _a, ctx) =>
      (
        await ctx.deps.db.projectDataSource.findMany({
          where: { projectId: p.id },
          include: { dataSource: { include: { connection: { select: { name: true } } } } },
        })
      )
        .map(({ dataSource: s }) => ({ id: s.id, name: s.name, objectType: s.objectType, connectionName: s.connection.name }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    members: (p, _a, ctx) => ctx.deps.db.projectMember.findMany({ where: { projectId: p.id }, orderBy: { createdAt: "asc" } }),
    myMembership: (p, _a, ctx) => {
      if (!ctx.actor || ctx.actor.kind === "SYSTEM") return null;
      return ctx.deps.db.projectMember.findUnique({ where: { projectId_userId: { projectId: p.id, userId: ctx.actor.userId } } });
    },
  },
  ProjectMember: {
    user: async (m, _a, ctx) => {
      const user = await ctx.loaders.user.load(m.userId);
      if (!user) throw notFound("User");
      return user;
    },
    acknowledged: async (m, _a, ctx) => (await pendingAcknowledgements(ctx.deps.db, m.projectId, m.userId)).length === 0,
    pendingAcknowledgements: async (m, _a, ctx) => {
      const ids = await pendingAcknowledgements(ctx.deps.db, m.projectId, m.userId);
      return ctx.deps.db.purpose.findMany({ where: { id: { in: ids } }, orderBy: { name: "asc" } });
    },
    addedAt: (m) => m.createdAt,
  },
};
