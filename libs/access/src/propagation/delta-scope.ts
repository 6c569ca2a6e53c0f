import type { Db, Tx } from "@steward/db";
import { type EventType, isEventType } from "@steward/events";

/**
 * Delta propagation: which Steward users an access-affecting event can change. A user-level event
 * (group membership, attributes) changes only that user's access; a deleted group changes its former
 * members'; a project switch, membership or acknowledgement the user's (their profile row and
 * purposes). Everything else is "full": subscription and data policies, purposes, sources, approvals, subscriptions, settings,
 * connections — and a user's activation or platform account, because those change the user's login
 * role itself (LOGIN/NOLOGIN, a new account), which only the full planner manages.
 */
export type EventScope = { userIds: string[] } | "full";

/** Past this many users a delta costs about as much as a full reconcile, and reads less clearly. */
export const MAX_DELTA_USERS = 200;

/** How long scope rows outlive their version: a worker's cached snapshot this old can still catch up. */
export const PENDING_SCOPE_RETENTION_MS = 60 * 60 * 1000;

type EventRow = { type: string; payload: unknown };

const isIdList = (v: unknown): v is string[] => Array.isArray(v) && v.every((m) => typeof m === "string");

export function scopeOfEvent(event: EventRow): EventScope {
  if (!isEventType(event.type)) return "full";
  const type: EventType = event.type;
  const payload = (event.payload ?? {}) as { userId?: unknown; memberIds?: unknown; actingUserIds?: unknown; sourcesChanged?: unknown };
  switch (type) {
    case "group.membership.changed":
    case "user.attributes.changed":
    case "user.roles.changed":
    // A project switch, an acknowledgement or a membership change moves one user's purposes: their
    // profile row (and purpose-limited subscriptions) change, no view does.
    case "user.project.switched":
    case "project.membership.changed":
      return typeof payload.userId === "string" ? { userIds: [payload.userId] } : "full";
    case "project.changed":
      // New purposes or a rename reach only the users acting under the project; its sources are
      // catalog-level (full).
      return payload.sourcesChanged === false && isIdList(payload.actingUserIds) ? { userIds: payload.actingUserIds } : "full";
    case "group.deleted":
      return isIdList(payload.memberIds) ? { userIds: payload.memberIds } : "full";
    default:
      return "full";
  }
}

/**
 * Records the scope of freshly bumped versions, in the same transaction as the bump: a reconcile
 * that sees version v also sees its scope, and a crashed or duplicated job finds the rows again.
 */
export async function recordPendingScopes(tx: Tx, versions: { connectionId: string; version: number }[], scope: EventScope) {
  if (versions.length === 0) return;
  const full = scope === "full" || scope.userIds.length > MAX_DELTA_USERS;
  await tx.connectionPendingScope.createMany({
    data: versions.map((v) => ({
      connectionId: v.connectionId,
      version: v.version,
      userIds: scope === "full" || full ? [] : [...new Set(scope.userIds)],
      full,
    })),
  });
}

/**
 * The users changed by versions (after, upTo] of a connection, or "full" when any of those versions
 * has no scope row (bumped by the sweeper: expiry, drift), a full row, or too many users.
 */
export async function pendingScope(db: Db | Tx, connectionId: string, after: number, upTo: number): Promise<EventScope> {
  if (upTo <= after) return { userIds: [] };
  const rows = await db.connectionPendingScope.findMany({
    where: { connectionId, version: { gt: after, lte: upTo } },
    select: { version: true, userIds: true, full: true },
  });
  const versions = new Set(rows.map((r) => r.version));
  if (versions.size !== upTo - after || rows.some((r) => r.full)) return "full";
  const users = new Set(rows.flatMap((r) => r.userIds));
  return users.size > MAX_DELTA_USERS ? "full" : { userIds: [...users].sort() };
}

/** Drops scope rows of applied versions once no cached snapshot can still need them. */
export async function prunePendingScopes(db: Db, connectionId: string, appliedVersion: number, now: Date): Promise<void> {
  await db.connectionPendingScope.deleteMany({
    where: { connectionId, version: { lte: appliedVersion }, createdAt: { lt: new Date(now.getTime() - PENDING_SCOPE_RETENTION_MS) } },
  });
}
