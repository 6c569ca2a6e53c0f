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
import { EVENT_TYPES } from "@steward/events";
import { requireRole } from "@steward/identity";
import { notFound } from "@steward/core";
import { connectionFields, toConnection } from "../../connection";
import type { Resolvers } from "../resolvers-types.gen";

export const webhookResolvers: Resolvers = {
  Query: {
    webhookEndpoints: (_p, _a, ctx) => listWebhookEndpoints(ctx.deps, ctx.actor),
    webhookEndpoint: (_p, { id }, ctx) => getWebhookEndpoint(ctx.deps, ctx.actor, id),
    webhookEventTypes: (_p, _a, ctx) => {
      requireRole(ctx.actor, "ADMIN");
      return ["*", ...EVENT_TYPES];
    },
  },
  Mutation: {
    createWebhookEndpoint: (_p, { input }, ctx) => createWebhookEndpoint(ctx.deps, ctx.actor, input),
    updateWebhookEndpoint: (_p, { input }, ctx) => updateWebhookEndpoint(ctx.deps, ctx.actor, input),
    deleteWebhookEndpoint: (_p, { id }, ctx) => deleteWebhookEndpoint(ctx.deps, ctx.actor, { id }),
    rotateWebhookSecret: (_p, { id }, ctx) => rotateWebhookSecret(ctx.deps, ctx.actor, { id }),
    pingWebhookEndpoint: (_p, { id }, ctx) => pingWebhookEndpoint(ctx.deps, ctx.actor, { id }),
    redeliverWebhook: (_p, { deliveryId }, ctx) => redeliverWebhook(ctx.deps, ctx.actor, { deliveryId }),
  },
  WebhookEndpoint: {
    hasSecret: (e) => e.secretCiphertext.length > 0,
    deliveries: async (e, { status, first, after }, ctx) =>
      toConnection(await listWebhookDeliveries(ctx.deps, ctx.actor, e.id, { status }, { first, after }), (d) => [d.createdAt.toISOString(), d.id]),
  },
  WebhookDelivery: {
    eventId: (d) => d.eventId.toString(),
    endpoint: async (d, _a, ctx) => {
      const endpoint = await getWebhookEndpoint(ctx.deps, ctx.actor, d.endpointId);
      if (!endpoint) throw notFound("Webhook endpoint");
      return endpoint;
    },
    attemptLog: (d, _a, ctx) => ctx.loaders.deliveryAttempts.load(d.id),
  },
  WebhookDeliveryAttempt: { id: (a) => a.id.toString() },
  WebhookDeliveryConnection: connectionFields,
};
