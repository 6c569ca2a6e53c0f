import {
  createUser,
  deactivateUser,
  getUser,
  grantRole,
  listAttributeKeys,
  listUserOptions,
  listUsers,
  reactivateUser,
  removeUserAttribute,
  requireUserReader,
  revokeRole,
  setPlatformAccount,
  setUserAttribute,
  updateUser,
} from "@steward/identity";
import { countedConnectionFields, toConnection } from "../../connection";
import type { Resolvers } from "../resolvers-types.gen";

export const userResolvers: Resolvers = {
  Query: {
    users: async (_p, { filter, first, after }, ctx) =>
      toConnection(await listUsers(ctx.deps, ctx.actor, filter, { first, after }), (u) => [u.username]),
    user: (_p, { id }, ctx) => getUser(ctx.deps, ctx.actor, id),
    attributeKeys: (_p, _a, ctx) => listAttributeKeys(ctx.deps, ctx.actor),
    userOptions: (_p, args, ctx) => listUserOptions(ctx.deps, ctx.actor, args),
  },
  Mutation: {
    createUser: (_p, { input }, ctx) => createUser(ctx.deps, ctx.actor, input),
    updateUser: (_p, { input }, ctx) => updateUser(ctx.deps, ctx.actor, input),
    deactivateUser: (_p, { id }, ctx) => deactivateUser(ctx.deps, ctx.actor, { id }),
    reactivateUser: (_p, { id }, ctx) => reactivateUser(ctx.deps, ctx.actor, { id }),
    setUserAttribute: (_p, { input }, ctx) => setUserAttribute(ctx.deps, ctx.actor, input),
    removeUserAttribute: (_p, args, ctx) => removeUserAttribute(ctx.deps, ctx.actor, args),
    grantRole: (_p, args, ctx) => grantRole(ctx.deps, ctx.actor, args),
    revokeRole: (_p, args, ctx) => revokeRole(ctx.deps, ctx.actor, args),
    setPlatformAccount: (_p, { input }, ctx) => setPlatformAccount(ctx.deps, ctx.actor, input),
  },
  User: {
    // Relation fields re-check read access: a user object can be reached through other types.
    roles: (u, _a, ctx) => {
      requireUserReader(ctx.actor, u.id);
      return ctx.loaders.roles.load(u.id);
    },
    groups: (u, _a, ctx) => {
      requireUserReader(ctx.actor, u.id);
      return ctx.loaders.groupsOfUser.load(u.id);
    },
    attributes: (u, _a, ctx) => {
      requireUserReader(ctx.actor, u.id);
      return ctx.loaders.attributes.load(u.id);
    },
    platformAccounts: (u, _a, ctx) => {
      requireUserReader(ctx.actor, u.id);
      return ctx.loaders.platformAccounts.load(u.id);
    },
    email: (u, _a, ctx) => {
      requireUserReader(ctx.actor, u.id);
      return u.email;
    },
  },
  UserConnection: countedConnectionFields,
};
