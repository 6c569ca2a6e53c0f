import type { Tx } from "@steward/db";
import { type EventPayload, type EventType, eventSchemas } from "./catalog";

export type OutboxInput<T extends EventType> = { type: T; aggregateType: string; aggregateId: string; payload: EventPayload<T> };

/**
 * Appends a change event in the caller's transaction, so the change and its event commit together
 * (or not at all). The worker's relay hands committed rows to the queue.
 */
export async function emitEvent<T extends EventType>(tx: Tx, event: OutboxInput<T>): Promise<bigint> {
  const payload = eventSchemas[event.type].parse(event.payload);
  const row = await tx.outboxEvent.create({
    data: { type: event.type, aggregateType: event.aggregateType, aggregateId: event.aggregateId, payload },
    select: { id: true },
  });
  return row.id;
}
