import { issueDecisionToken, listDecisionRecords } from "@steward/access";
import { readConnectionInternal } from "@steward/catalog";
import { notFound } from "@steward/core";
import { adapterFor } from "@steward/integrations";
import { connectionFields, toConnection } from "../../connection";
import type { ApiContext } from "../../context";
import type { Resolvers } from "../resolvers-types.gen";
import { DEFAULT_DECISIONS_PUBLIC_URL, decisionClientFiles, TOKEN_PLACEHOLDER } from "./client-files";

const baseUrlOf = (ctx: ApiContext) => ctx.deps.decisionsPublicUrl ?? DEFAULT_DECISIONS_PUBLIC_URL;
const lookup = (ctx: ApiContext) => ctx.deps.adapterFor ?? adapterFor;

export const decisionResolvers: Resolvers = {
  Query: {
    decisionRecords: async (_p, { filter, first, after }, ctx) => {
      const f = filter ?? {};
      const page = await listDecisionRecords(
        ctx.deps,
        ctx.actor,
        {
          connectionId: f.connectionId,
          user: f.user,
          allowed: f.allowed,
          operation: f.operation,
          text: f.text,
          from: f.from ? new Date(f.from) : null,
          to: f.to ? new Date(f.to) : null,
        },
        { first, after },
      );
      return toConnection(page, (r) => [r.at.toISOString(), r.id]);
    },
  },
  Mutation: {
    issueDecisionToken: async (_p, { connectionId }, ctx) => {
      const issued = await issueDecisionToken({ db: ctx.deps.db, adapterFor: ctx.deps.adapterFor }, ctx.actor, connectionId);
      const connection = await ctx.deps.db.connection.findUniqueOrThrow({ where: { id: issued.connectionId } });
      const files = decisionClientFiles(lookup(ctx)(issued.kind), {
        baseUrl: baseUrlOf(ctx),
        connectionId: issued.connectionId,
        token: issued.token,
      });
      return { connection, token: issued.token, files: files ?? [] };
    },
  },
  Connection: {
    // Connection internals, gated like `config`: whoever reaches a connection through a data source
    // sees its name and kind only.
    decisionClient: (c, _a, ctx) =>
      readConnectionInternal(ctx.loaders.connectionVisible, c.id, () => {
        const files = decisionClientFiles(lookup(ctx)(c.kind), { baseUrl: baseUrlOf(ctx), connectionId: c.id, token: TOKEN_PLACEHOLDER });
        return files === null ? null : { files, tokenIssuedAt: c.decisionTokenIssuedAt };
      }),
  },
  DecisionRecord: {
    connection: async (r, _a, ctx) => {
      const connection = await ctx.loaders.connection.load(r.connectionId);
      if (!connection) throw notFound("Connection");
      return connection;
    },
    // The User type re-checks read access on its private fields, however it is reached.
    stewardUser: (r, _a, ctx) => (r.userId ? ctx.loaders.user.load(r.userId) : null),
  },
  DecisionRecordConnection: connectionFields,
};
