import type { Tx } from "@steward/db";
import { ACCESS_AFFECTING_EVENTS, type EventType, isEventType } from "@steward/events";
import { kindsWith, type PlatformKind } from "@steward/integrations";

/** Platform kinds whose adapter manages access: the registry decides, not a list here. */
export const RECONCILED_KINDS: readonly PlatformKind[] = kindsWith("access");

export const isReconciledKind = (kind: string): boolean => (RECONCILED_KINDS as readonly string[]).includes(kind);

type EventRow = { type: string; payload: unknown };

/**
 * Which connections an access-affecting event can change. Source- and connection-level events touch
 * their own connection; identity and policy events can touch any connection.
 */
export async function connectionsAffectedBy(tx: Tx, event: EventRow): Promise<string[]> {
  if (!isEventType(event.type) || !ACCESS_AFFECTING_EVENTS.has(event.type as EventType)) return [];
  const payload = (event.payload ?? {}) as { connectionId?: string; dataSourceId?: string };
  if (payload.connectionId) {
    const c = await tx.connection.findUnique({ where: { id: payload.connectionId }, select: { id: true, kind: true } });
    return c && isReconciledKind(c.kind) ? [c.id] : [];
  }
  if (payload.dataSourceId) {
    const s = await tx.dataSource.findUnique({
      where: { id: payload.dataSourceId },
      select: { connection: { select: { id: true, kind: true, deletedAt: true } } },
    });
    return s && !s.connection.deletedAt && isReconciledKind(s.connection.kind) ? [s.connection.id] : [];
  }
  const all = await tx.connection.findMany({ where: { deletedAt: null, kind: { in: [...RECONCILED_KINDS] } }, select: { id: true } });
  return all.map((c) => c.id);
}

/**
 * Bumps the desired-state version of each connection in the dispatch transaction and returns the new
 * versions: reconcile jobs are keyed by (connection, version), so duplicates collapse and a job whose
 * version is already applied does nothing.
 */
export async function bumpDesiredVersions(tx: Tx, connectionIds: string[]): Promise<{ connectionId: string; version: number }[]> {
  const out: { connectionId: string; version: number }[] = [];
  for (const connectionId of [...new Set(connectionIds)].sort()) {
    const row = await tx.connectionAccessState.upsert({
      where: { connectionId },
      create: { connectionId, desiredVersion: 1 },
      update: { desiredVersion: { increment: 1 } },
    });
    out.push({ connectionId, version: row.desiredVersion });
  }
  return out;
}
