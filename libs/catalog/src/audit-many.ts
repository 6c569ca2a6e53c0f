import { type Actor, actorUserId } from "@steward/core";
import type { Tx } from "@steward/db";
import type { AuditInput } from "@steward/events";

function label(actor: Actor): string {
  switch (actor.kind) {
    case "USER":
      return actor.username;
    case "API_KEY":
      return `${actor.username} (key ${actor.keyPrefix})`;
    case "SYSTEM":
      return actor.label;
  }
}

/** Bulk audit for sync-sized changes: one row per change, written in chunks, same transaction. */
export async function auditMany(tx: Tx, actor: Actor, entries: AuditInput[]): Promise<void> {
  const base = { actorType: actor.kind, actorId: actorUserId(actor), actorLabel: label(actor), requestId: actor.requestId ?? null };
  const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  for (let i = 0; i < entries.length; i += 10_000) {
    const part = entries.slice(i, i + 10_000);
    // One statement per chunk with array parameters: sync-sized audits stay a few round trips.
    await tx.$executeRaw`
      INSERT INTO "AuditEvent" ("actorType", "actorId", "actorLabel", action, "targetType", "targetId", before, after, "requestId")
      SELECT ${base.actorType}::"ActorType", ${base.actorId}::uuid, ${base.actorLabel}, v.action, v.ttype, v.tid, v.before::jsonb, v.after::jsonb, ${base.requestId}
      FROM unnest(${part.map((e) => e.action)}::text[], ${part.map((e) => e.targetType)}::text[], ${part.map((e) => e.targetId)}::text[],
                  ${part.map((e) => json(e.before))}::text[], ${part.map((e) => json(e.after))}::text[]) AS v(action, ttype, tid, before, after)`;
  }
}
