import { notFound } from "@steward/core";
import { EVENT_TYPES } from "@steward/events";
import { requireAuthenticated, requireRole } from "@steward/identity";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  pingWebhookEndpoint,
  redeliverWebhook,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from "@steward/webhooks";
import { connectionFields, toConnection } from "../../connection";
import type { Resolvers } from "../resolvers-types.gen";

export const webhookResolvers: Resolvers = {
  Query: {
    webhookEndpoints: (_p, _a, ctx) => listWebhookEndpoints(ctx.deps, requireAuthenticated(ctx.actor)),
    webhookEndpoint: (_p, { id }, ctx) => getWebhookEndpoint(ctx.deps, requireAuthenticated(ctx.actor), id),
    webhookEventTypes: (_p, _a, ctx) => {
      requireRole(ctx.actor, "ADMIN");
      return ["*", ...EVENT_TYPES];
    },
  },
  Mutation: {
    createWebhookEndpoint: (_p, { input }, ctx) => createWebhookEndpoint(ctx.deps, requireAuthenticated(ctx.actor), input),
    updateWebhookEndpoint: (_p, { input }, ctx) => updateWebhookEndpoint(ctx.deps, requireAuthenticated(ctx.actor), input),
    deleteWebhookEndpoint: (_p, { id }, ctx) => deleteWebhookEndpoint(ctx.deps, requireAuthenticated(ctx.actor), { id }),
    rotateWebhookSecret: (_p, { id }, ctx) => rotateWebhookSecret(ctx.deps, requireAuthenticated(ctx.actor), { id }),
    pingWebhookEndpoint: (_p, { id }, ctx) => pingWebhookEndpoint(ctx.deps, requireAuthenticated(ctx.actor), { id }),
    redeliverWebhook: (_p, { deliveryId }, ctx) => redeliverWebhook(ctx.deps, requireAuthenticated(ctx.actor), { deliveryId }),
  },
  WebhookEndpoint: {
    deliveries: async (e, { status, first, after }, ctx) =>
      toConnection(await listWebhookDeliveries(ctx.deps, requireAuthenticated(ctx.actor), e.id, { status }, { first, after }), (d) => [
        d.createdAt.toISOString(),
        d.id,
      ]),
  },
  WebhookDelivery: {
    eventId: (d) => d.eventId.toString(),
    endpoint: async (d, _a, ctx) => {
      const endpoint = await getWebhookEndpoint(ctx.deps, requireAuthenticated(ctx.actor), d.endpointId);
      if (!endpoint) throw notFound("Webhook endpoint");
      return endpoint;
    },
    attemptLog: (d, _a, ctx) => ctx.loaders.deliveryAttempts.load(d.id),
  },
  WebhookDeliveryAttempt: { id: (a) => a.id.toString() },
  WebhookDeliveryConnection: connectionFields,
};
