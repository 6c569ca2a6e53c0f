import type { Actor } from "@steward/core";
import { type Tx, transaction } from "@steward/db";
import { DATA_SOURCE_EVENT_CHUNK, emitEvent, recordAudit } from "@steward/events";
import { ConnectorError, type CrawledColumn } from "@steward/integrations";
import { auditMany } from "../audit-many";
import { loadConnectionForUse } from "../connections/connector-access";
import { chunks, registerNodes } from "../data-sources/register-nodes";
import type { CatalogDeps } from "../deps";
import { insertCatalogNodes } from "./bulk-insert";
import { type ExistingNode, planSync, type SyncPlan } from "./plan-sync";

export type SyncOutcome = {
  status: "SUCCEEDED" | "SKIPPED";
  added: number;
  updated: number;
  disabled: number;
  reenabled: number;
  registered: number;
};

/** Raised when another run of the same connection is in progress: the job retries later. */
export class SyncBusyError extends Error {}

const CHUNK = 2000;
const PROGRESS_INTERVAL_MS = 500;

/**
 * Executes one queued sync run: crawl, diff against the stored catalog, write the difference.
 * Idempotent: a retried or duplicated job re-crawls and finds nothing left to change; a finished run
 * is skipped.
 */
export async function runSync(
  deps: CatalogDeps,
  syncRunId: string,
  onProgress?: (seen: number, total: number) => void,
): Promise<SyncOutcome> {
  const claimed = await claimRun(deps, syncRunId);
  if (!claimed) return { status: "SKIPPED", added: 0, updated: 0, disabled: 0, reenabled: 0, registered: 0 };
  const actor: Actor = { kind: "SYSTEM", label: "catalog-sync" };
  try {
    const { connection, connector, config, credentials } = await loadConnectionForUse(deps.db, deps.secretBox, deps, claimed.connectionId);
    let lastWrite = 0;
    const objects = await connector.crawl(config, credentials, ({ seen, total }) => {
      onProgress?.(seen, total);
      const now = Date.now();
      if (now - lastWrite > PROGRESS_INTERVAL_MS || seen === total) {
        lastWrite = now;
        void deps.db.syncRun.update({ where: { id: syncRunId }, data: { objectsSeen: seen, objectsTotal: total } }).catch(() => {});
      }
    });
    // Two processes may hold the same run (a retried job, an inline sync beside the worker's): they
    // take turns per connection, plan against the catalog as it is once they hold the turn, and the
    // one that finds the run already finished writes nothing.
    const result = await transaction(
      deps.db,
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`steward-sync:${connection.id}`}))`;
        const current = await tx.syncRun.findUnique({ where: { id: syncRunId }, select: { status: true } });
        if (current?.status === "SUCCEEDED") return null;
        const existing = await tx.$queryRaw<ExistingNode[]>`
          SELECT id, "pathKey", present, "columnsHash", "objectType", kind::text AS kind FROM "CatalogNode" WHERE "connectionId" = ${connection.id}::uuid`;
        const outcome = await applyPlan(tx, actor, connection, planSync(objects, existing));
        await tx.syncRun.update({
          where: { id: syncRunId },
          data: {
            status: "SUCCEEDED",
            finishedAt: new Date(),
            objectsSeen: objects.length,
            objectsTotal: objects.length,
            error: null,
            ...outcome,
          },
        });
        await tx.connection.update({ where: { id: connection.id }, data: { lastSyncedAt: new Date() } });
        await recordAudit(tx, actor, {
          action: "connection.synced",
          targetType: "Connection",
          targetId: connection.id,
          after: { syncRunId, objects: objects.length, ...outcome },
        });
        await emitEvent(tx, {
          type: "connection.synced",
          aggregateType: "Connection",
          aggregateId: connection.id,
          payload: { connectionId: connection.id, syncRunId, ...pick(outcome) },
        });
        return outcome;
      },
      { timeoutMs: 600_000 },
    );
    if (!result) return { status: "SKIPPED", added: 0, updated: 0, disabled: 0, reenabled: 0, registered: 0 };
    const outcome = result;
    return { status: "SUCCEEDED", ...outcome };
  } catch (err) {
    const message =
      err instanceof ConnectorError ? `${err.problem.code}: ${err.problem.message}` : err instanceof Error ? err.message : String(err);
    // Never over a run another process finished meanwhile.
    await deps.db.syncRun.updateMany({
      where: { id: syncRunId, status: { not: "SUCCEEDED" } },
      data: { status: "FAILED", error: message.slice(0, 2000), finishedAt: new Date() },
    });
    throw err;
  }
}

const pick = (o: Omit<SyncOutcome, "status">) => ({
  added: o.added,
  disabled: o.disabled,
  reenabled: o.reenabled,
  registered: o.registered,
});

/** QUEUED → RUNNING. A FAILED or RUNNING run is re-claimed by its own retried job. */
async function claimRun(deps: CatalogDeps, syncRunId: string) {
  return transaction(deps.db, async (tx) => {
    const run = await tx.syncRun.findUnique({ where: { id: syncRunId } });
    if (!run || run.status === "SUCCEEDED") return null;
    const other = await tx.syncRun.findFirst({
      where: { connectionId: run.connectionId, status: "RUNNING", id: { not: run.id }, startedAt: { gt: new Date(Date.now() - 3600_000) } },
    });
    if (other) throw new SyncBusyError(`sync ${other.id} of this connection is still running`);
    return tx.syncRun.update({ where: { id: syncRunId }, data: { status: "RUNNING", startedAt: new Date(), error: null } });
  });
}

type ConnectionRow = { id: string; autoRegister: boolean };

async function applyPlan(tx: Tx, actor: Actor, connection: ConnectionRow, plan: SyncPlan): Promise<Omit<SyncOutcome, "status">> {
  const now = new Date();
  // Parents precede children in plan.inserts, so chunk order keeps the parentId foreign key valid.
  for (const part of chunks(plan.inserts, 10_000)) await insertCatalogNodes(tx, connection.id, part);
  for (const part of chunks(plan.updates, CHUNK)) {
    await tx.$executeRaw`
      UPDATE "CatalogNode" c SET
        present = true, "goneAt" = NULL, "lastChangedAt" = ${now},
        "objectType" = COALESCE(v.t, c."objectType"),
        columns = CASE WHEN v.t IS NULL THEN c.columns ELSE v.cols::jsonb END,
        "columnsHash" = CASE WHEN v.t IS NULL THEN c."columnsHash" ELSE v.h END
      FROM unnest(${part.map((u) => u.id)}::uuid[], ${part.map((u) => u.objectType)}::text[], ${part.map((u) => JSON.stringify(u.columns))}::text[], ${part.map((u) => u.columnsHash)}::text[]) AS v(id, t, cols, h)
      WHERE c.id = v.id`;
  }
  for (const part of chunks(plan.gone, CHUNK)) {
    await tx.catalogNode.updateMany({ where: { id: { in: part } }, data: { present: false, goneAt: now, lastChangedAt: now } });
  }

  // Data sources follow their objects: dropped → DISABLED, back → ACTIVE again (never a MANUAL disable).
  const disabledIds = plan.gone.length
    ? (await tx.dataSource.findMany({ where: { catalogNodeId: { in: plan.gone }, status: "ACTIVE" }, select: { id: true } })).map(
        (d) => d.id,
      )
    : [];
  const revivedNodeIds = plan.updates.filter((u) => u.revived).map((u) => u.id);
  const reenabledIds = revivedNodeIds.length
    ? (
        await tx.dataSource.findMany({
          where: { catalogNodeId: { in: revivedNodeIds }, status: "DISABLED", disabledReason: "DROPPED" },
          select: { id: true },
        })
      ).map((d) => d.id)
    : [];
  if (disabledIds.length)
    await tx.dataSource.updateMany({
      where: { id: { in: disabledIds } },
      data: { status: "DISABLED", disabledReason: "DROPPED", disabledAt: now },
    });
  if (reenabledIds.length)
    await tx.dataSource.updateMany({
      where: { id: { in: reenabledIds } },
      data: { status: "ACTIVE", disabledReason: null, disabledAt: null },
    });

  const columnsChanged = await syncRegisteredColumns(tx, plan);
  const registered = await autoRegister(tx, actor, connection, plan);

  await auditMany(tx, actor, [
    ...disabledIds.map((id) => ({
      action: "data_source.disabled",
      targetType: "DataSource",
      targetId: id,
      after: { status: "DISABLED", reason: "DROPPED" },
    })),
    ...reenabledIds.map((id) => ({
      action: "data_source.enabled",
      targetType: "DataSource",
      targetId: id,
      after: { status: "ACTIVE", reason: "object is back" },
    })),
    ...columnsChanged.map((id) => ({ action: "data_source.columns_changed", targetType: "DataSource", targetId: id })),
  ]);
  for (const [ids, status] of [
    [disabledIds, "DISABLED"],
    [reenabledIds, "ACTIVE"],
  ] as const) {
    for (const part of chunks(ids, DATA_SOURCE_EVENT_CHUNK)) {
      await emitEvent(tx, {
        type: "data_source.status_changed",
        aggregateType: "Connection",
        aggregateId: connection.id,
        payload: { connectionId: connection.id, dataSourceIds: part, status },
      });
    }
  }
  for (const part of chunks(columnsChanged, DATA_SOURCE_EVENT_CHUNK)) {
    await emitEvent(tx, {
      type: "data_source.columns_changed",
      aggregateType: "Connection",
      aggregateId: connection.id,
      payload: { connectionId: connection.id, dataSourceIds: part },
    });
  }
  return {
    added: plan.inserts.filter((n) => n.kind === "OBJECT").length,
    updated: plan.updates.filter((u) => !u.revived || u.columnsChanged).length,
    disabled: disabledIds.length,
    reenabled: reenabledIds.length,
    registered: registered.length,
  };
}

/** Registered sources whose object's columns changed: add/update columns, mark vanished ones absent (tags kept). */
async function syncRegisteredColumns(tx: Tx, plan: SyncPlan): Promise<string[]> {
  const changed = plan.updates.filter((u) => u.columnsChanged);
  if (changed.length === 0) return [];
  const sources = await tx.dataSource.findMany({
    where: { catalogNodeId: { in: changed.map((u) => u.id) } },
    select: { id: true, catalogNodeId: true },
  });
  const colsByNode = new Map(changed.map((u) => [u.id, u.columns as CrawledColumn[]]));
  for (const s of sources) {
    const cols = colsByNode.get(s.catalogNodeId) ?? [];
    for (const c of cols) {
      await tx.dataSourceColumn.upsert({
        where: { dataSourceId_name: { dataSourceId: s.id, name: c.name } },
        create: { dataSourceId: s.id, name: c.name, dataType: c.dataType, ordinal: c.ordinal, nullable: c.nullable },
        update: { dataType: c.dataType, ordinal: c.ordinal, nullable: c.nullable, present: true },
      });
    }
    await tx.dataSourceColumn.updateMany({
      where: { dataSourceId: s.id, name: { notIn: cols.map((c) => c.name) }, present: true },
      data: { present: false },
    });
  }
  return sources.map((s) => s.id);
}

/**
 * New objects under an auto-registering connection or schema become data sources. Freshly inserted
 * objects are taken from the plan in memory (no need to read 50,000 rows back); only objects that
 * came back are looked up.
 */
async function autoRegister(tx: Tx, actor: Actor, connection: ConnectionRow, plan: SyncPlan): Promise<string[]> {
  if (plan.newObjectIds.length === 0) return [];
  const autoSchemas = connection.autoRegister
    ? null
    : new Set(
        (
          await tx.catalogNode.findMany({
            where: { connectionId: connection.id, kind: "SCHEMA", autoRegister: true },
            select: { id: true },
          })
        ).map((n) => n.id),
      );
  if (autoSchemas && autoSchemas.size === 0) return [];
  const wanted = (parentId: string | null) => autoSchemas === null || (parentId !== null && autoSchemas.has(parentId));
  const fresh = plan.inserts
    .filter((n) => n.kind === "OBJECT" && wanted(n.parentId))
    .map((n) => ({ id: n.id, path: n.path, objectType: n.objectType, columns: n.columns }));
  const insertedIds = new Set(plan.inserts.map((n) => n.id));
  const revivedIds = plan.newObjectIds.filter((id) => !insertedIds.has(id));
  const revived = revivedIds.length
    ? (
        await tx.catalogNode.findMany({
          where: { id: { in: revivedIds }, dataSource: null },
          select: { id: true, parentId: true, path: true, objectType: true, columns: true },
        })
      ).filter((n) => wanted(n.parentId))
    : [];
  return registerNodes(tx, actor, connection.id, [...fresh, ...revived]);
}
