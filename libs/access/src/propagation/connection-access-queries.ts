import { forbidden } from "@steward/core";
import type { Db } from "@steward/db";

/**
 * Per-request answer to "may this actor see the connection's internals?" (the catalog's
 * `batchConnectionVisibility` behind a DataLoader). Reconcile runs name other users' grants and
 * drift names unmanaged grants, so both are for those who may see the connection itself, however
 * the connection was reached.
 */
export type ConnectionVisibility = { load(connectionId: string): Promise<boolean> };

async function requireVisible(visibility: ConnectionVisibility, connectionId: string) {
  if (!(await visibility.load(connectionId))) throw forbidden("You cannot see this connection's details");
}

export async function getConnectionAccessState(deps: { db: Db }, visibility: ConnectionVisibility, connectionId: string) {
  await requireVisible(visibility, connectionId);
  return deps.db.connectionAccessState.findUnique({ where: { connectionId } });
}

export async function listReconcileRuns(deps: { db: Db }, visibility: ConnectionVisibility, connectionId: string, first = 20) {
  await requireVisible(visibility, connectionId);
  return deps.db.reconcileRun.findMany({
    where: { connectionId },
    orderBy: { startedAt: "desc" },
    take: Math.min(Math.max(first, 1), 100),
  });
}
