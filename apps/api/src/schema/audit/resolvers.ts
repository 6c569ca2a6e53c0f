import { listAuditTrail } from "@steward/events";
import { connectionFields, toConnection } from "../../connection";
import type { Resolvers } from "../resolvers-types.gen";

export const auditResolvers: Resolvers = {
  Query: {
    auditEvents: async (_p, { filter, first, after }, ctx) => {
      const f = filter ?? {};
      const page = await listAuditTrail(
        ctx.deps.db,
        ctx.actor,
        {
          actorId: f.actorId,
          action: f.action,
          actionPrefix: f.actionPrefix,
          targetType: f.targetType,
          targetId: f.targetId,
          from: f.from ? new Date(f.from) : null,
          to: f.to ? new Date(f.to) : null,
        },
        { first, after },
      );
      return toConnection(page, (e) => [e.id.toString()]);
    },
  },
  AuditEvent: {
    id: (e) => e.id.toString(),
    actor: (e, _a, ctx) => (e.actorId ? ctx.loaders.user.load(e.actorId) : null),
  },
  AuditEventConnection: connectionFields,
};
