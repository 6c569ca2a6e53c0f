import { type Actor, actorUserId } from "@steward/core";
import type { Prisma, Tx } from "@steward/db";
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
  for (let i = 0; i < entries.length; i += 5000) {
    await tx.auditEvent.createMany({
      data: entries.slice(i, i + 5000).map((e) => ({
        ...base,
        action: e.action,
        targetType: e.targetType,
        targetId: e.targetId,
        before: (e.before ?? undefined) as Prisma.InputJsonValue | undefined,
        after: (e.after ?? undefined) as Prisma.InputJsonValue | undefined,
      })),
    });
  }
}
