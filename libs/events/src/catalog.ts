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
  "connection.created": z.object({ connectionId: z.uuid() }),
  "connection.updated": z.object({ connectionId: z.uuid() }),
  "connection.deleted": z.object({ connectionId: z.uuid() }),
  // A query-time platform's credential changed: decision services drop the old token at once.
  "connection.decision_token_issued": z.object({ connectionId: z.uuid() }),
  "connection.sync_requested": z.object({ connectionId: z.uuid(), syncRunId: z.uuid() }),
  "connection.synced": z.object({
    connectionId: z.uuid(),
    syncRunId: z.uuid(),
    added: z.number(),
    disabled: z.number(),
    reenabled: z.number(),
    registered: z.number(),
  }),
  // Bulk events carry chunks of ids (see DATA_SOURCE_EVENT_CHUNK) so a large sync stays a few rows.
  "data_source.registered": z.object({ connectionId: z.uuid(), dataSourceIds: z.array(z.uuid()) }),
  "data_source.status_changed": z.object({
    connectionId: z.uuid(),
    dataSourceIds: z.array(z.uuid()),
    status: z.enum(["ACTIVE", "DISABLED"]),
  }),
  "data_source.columns_changed": z.object({ connectionId: z.uuid(), dataSourceIds: z.array(z.uuid()) }),
  "data_source.tags_changed": z.object({ connectionId: z.uuid(), dataSourceId: z.uuid() }),
  "data_source.owners_changed": z.object({ connectionId: z.uuid(), dataSourceId: z.uuid() }),
  "policy.changed": z.object({ policyId: z.uuid(), version: z.number().int() }),
  "access_request.created": z.object({ requestId: z.uuid(), dataSourceId: z.uuid() }),
  "access_request.decided": z.object({ requestId: z.uuid(), dataSourceId: z.uuid(), userId: z.uuid(), approved: z.boolean() }),
  "access_request.cancelled": z.object({ requestId: z.uuid(), dataSourceId: z.uuid(), userId: z.uuid() }),
  "subscription.changed": z.object({ dataSourceId: z.uuid(), userId: z.uuid() }),
  "policy_settings.changed": z.object({}),
  "data_policy.changed": z.object({ dataPolicyId: z.uuid(), version: z.number().int() }),
  // Purposes are named in profiles and conditions: a rename, a new parent or a delete changes them.
  "purpose.changed": z.object({ purposeId: z.uuid() }),
  // `actingUserIds`: users whose current project this is (their profile purposes may change);
  // `sourcesChanged`: the project's data sources changed.
  "project.changed": z.object({ projectId: z.uuid(), actingUserIds: z.array(z.uuid()), sourcesChanged: z.boolean() }),
  "project.membership.changed": z.object({
    projectId: z.uuid(),
    userId: z.uuid(),
    change: z.enum(["added", "removed", "role", "acknowledged"]),
  }),
  "user.project.switched": z.object({ userId: z.uuid(), projectId: z.uuid().nullable() }),
} as const;

/** Most data source ids one bulk event carries. */
export const DATA_SOURCE_EVENT_CHUNK = 1000;

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
  "connection.deleted",
  "data_source.registered",
  "data_source.status_changed",
  "data_source.tags_changed",
  "data_source.owners_changed",
  "policy.changed",
  "access_request.decided",
  "subscription.changed",
  "policy_settings.changed",
  "data_policy.changed",
  "purpose.changed",
  "project.changed",
  "project.membership.changed",
  "user.project.switched",
]);

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(eventSchemas, value);
}
