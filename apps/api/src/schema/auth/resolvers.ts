import { unauthenticated } from "@steward/core";
import { changePassword, isOidcFailure, localPasswordsDisabled, login, logout, oidcFailureMessage } from "@steward/identity";
import type { ViewerModel } from "../../context";
import { createLoaders } from "../../loaders";
import type { Resolvers } from "../resolvers-types.gen";

export const authResolvers: Resolvers = {
  Query: {
    me: (_p, _a, ctx): ViewerModel | null => {
      const actor = ctx.actor;
      if (!actor || actor.kind === "SYSTEM" || !ctx.authMethod) return null;
      return { actor, authMethod: ctx.authMethod };
    },
    authOptions: (_p, _a, ctx) => {
      const oidc = ctx.deps.auth?.oidc;
      return {
        localPasswords: ctx.deps.auth?.localPasswords ?? true,
        singleSignOn: oidc ? { providerName: oidc.settings.providerName, loginPath: "/auth/oidc/login" } : null,
      };
    },
  },
  Mutation: {
    login: async (_p, { input }, ctx) => {
      const policy = { localPasswords: ctx.deps.auth?.localPasswords ?? true };
      if (!policy.localPasswords) throw localPasswordsDisabled();
      await ctx.deps.loginLimiter.consume(ctx.ip, input.username);
      const result = await login(ctx.deps, input, { userAgent: ctx.userAgent, ip: ctx.ip, requestId: ctx.requestId }, policy);
      await ctx.deps.loginLimiter.succeeded(ctx.ip, input.username);
      // The rest of this operation (e.g. `login { user { email } }`) runs as the new session's user.
      ctx.actor = result.actor;
      ctx.authMethod = "SESSION";
      ctx.loaders = createLoaders(ctx.deps.db, result.actor);
      ctx.res.cookie(SESSION_COOKIE, result.token, {
        httpOnly: true,
        sameSite: "lax",
        secure: ctx.deps.cookieSecure,
        path: "/",
        expires: result.expiresAt,
      });
      return { actor: result.actor, authMethod: "SESSION" };
    },
    logout: async (_p, _a, ctx) => {
      const ended = await logout(ctx.deps, ctx.actor, ctx.sessionToken);
      ctx.res.clearCookie(SESSION_COOKIE, { path: "/" });
      return ended;
    },
    changePassword: (_p, args, ctx) => {
      if (ctx.authMethod !== "SESSION") throw unauthenticated("Change your password from a logged-in session");
      return changePassword(ctx.deps, ctx.actor, args, ctx.sessionToken, { localPasswords: ctx.deps.auth?.localPasswords ?? true });
    },
  },
  AuthOptions: {
    singleSignOnFailure: (_o, { reason }) => (isOidcFailure(reason) ? oidcFailureMessage(reason) : null),
  },
  Viewer: {
    user: async (v, _a, ctx) => {
      const user = await ctx.loaders.user.load(v.actor.userId);
      if (!user) throw unauthenticated();
      return user;
    },
    roles: (v) => [...v.actor.roles].sort(),
    authMethod: (v) => v.authMethod,
  },
};

export const SESSION_COOKIE = "steward_session";
