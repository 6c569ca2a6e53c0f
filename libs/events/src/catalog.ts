import { z } from "zod";

/**
 * The change-event catalog. Every outbox row has one of these types and a payload matching its
 * schema; consumers (webhooks now, platform reconcilers later) validate payloads when they run.
 * Payloads carry ids, never whole objects: consumers read current state when they act.
 */
const userRef = z.object({ userId: z.uuid() });

export const eventSchemas = {
  "user.created": userRef,
  "user.updated": userRef,
  "user.deactivated": userRef,
  "user.reactivated": userRef,
  "user.attributes.changed": userRef.extend({ key: z.string() }),
  "user.roles.changed": userRef,
  "user.platform_accounts.changed": userRef,
  "group.created": z.object({ groupId: z.uuid() }),
  "group.updated": z.object({ groupId: z.uuid() }),
  "group.deleted": z.object({ groupId: z.uuid(), name: z.string(), memberIds: z.array(z.uuid()) }),
  "group.membership.changed": z.object({ groupId: z.uuid(), userId: z.uuid(), member: z.boolean() }),
  "webhook.ping": z.object({ endpointId: z.uuid() }),
} as const;

export type EventType = keyof typeof eventSchemas;
export type EventPayload<T extends EventType> = z.infer<(typeof eventSchemas)[T]>;

export const EVENT_TYPES = Object.keys(eventSchemas) as EventType[];

/** Events that can change what someone may access: platform consumers re-evaluate on these. */
export const ACCESS_AFFECTING_EVENTS: ReadonlySet<EventType> = new Set<EventType>([
  "user.deactivated",
  "user.reactivated",
  "user.attributes.changed",
  "user.roles.changed",
  "user.platform_accounts.changed",
  "group.deleted",
  "group.membership.changed",
]);

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(eventSchemas, value);
}
