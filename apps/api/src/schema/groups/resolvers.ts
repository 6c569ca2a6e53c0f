import {
  addGroupMember,
  createGroup,
  deleteGroup,
  getGroup,
  listGroupMembers,
  listGroupOptions,
  listGroups,
  removeGroupMember,
  updateGroup,
} from "@steward/identity";
import { countedConnectionFields, toConnection } from "../../connection";
import type { Resolvers } from "../resolvers-types.gen";

export const groupResolvers: Resolvers = {
  Query: {
    groups: async (_p, { search, first, after }, ctx) =>
      toConnection(await listGroups(ctx.deps, ctx.actor, search, { first, after }), (g) => [g.name]),
    group: (_p, { id }, ctx) => getGroup(ctx.deps, ctx.actor, id),
    groupOptions: (_p, args, ctx) => listGroupOptions(ctx.deps, ctx.actor, args),
  },
  Mutation: {
    createGroup: (_p, { input }, ctx) => createGroup(ctx.deps, ctx.actor, input),
    updateGroup: (_p, { input }, ctx) => updateGroup(ctx.deps, ctx.actor, input),
    deleteGroup: (_p, { id }, ctx) => deleteGroup(ctx.deps, ctx.actor, { id }),
    addGroupMember: (_p, args, ctx) => addGroupMember(ctx.deps, ctx.actor, args),
    removeGroupMember: (_p, args, ctx) => removeGroupMember(ctx.deps, ctx.actor, args),
  },
  Group: {
    memberCount: (g, _a, ctx) => ctx.loaders.memberCount.load(g.id),
    members: async (g, { first, after }, ctx) =>
      toConnection(await listGroupMembers(ctx.deps, ctx.actor, g.id, { first, after }), (u) => [u.username]),
  },
  GroupConnection: countedConnectionFields,
};
