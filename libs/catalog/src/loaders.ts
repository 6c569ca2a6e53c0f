import { type Actor, hasRole } from "@steward/core";
import type { Db } from "@steward/db";

/** Batch functions for the API's per-request DataLoaders (results in input order). */
export async function batchColumns(db: Db, sourceIds: readonly string[]) {
  const rows = await db.dataSourceColumn.findMany({
    where: { dataSourceId: { in: [...sourceIds] } },
    orderBy: [{ present: "desc" }, { ordinal: "asc" }],
  });
  const map = new Map<string, typeof rows>();
  for (const r of rows) (map.get(r.dataSourceId) ?? map.set(r.dataSourceId, []).get(r.dataSourceId)!).push(r);
  return sourceIds.map((id) => map.get(id) ?? []);
}

export async function batchSourceTags(db: Db, sourceIds: readonly string[]) {
  const rows = await db.dataSourceTag.findMany({ where: { dataSourceId: { in: [...sourceIds] } }, include: { tag: true } });
  return sourceIds.map((id) =>
    rows
      .filter((r) => r.dataSourceId === id)
      .map((r) => ({ name: r.tag.name, source: r.source }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  );
}

export async function batchColumnTags(db: Db, columnIds: readonly string[]) {
  const rows = await db.columnTag.findMany({ where: { columnId: { in: [...columnIds] } }, include: { tag: true } });
  return columnIds.map((id) =>
    rows
      .filter((r) => r.columnId === id)
      .map((r) => ({ name: r.tag.name, source: r.source }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  );
}

export async function batchOwners(db: Db, sourceIds: readonly string[]) {
  const rows = await db.dataSourceOwner.findMany({ where: { dataSourceId: { in: [...sourceIds] } }, include: { user: true, group: true } });
  return sourceIds.map((id) => rows.filter((r) => r.dataSourceId === id));
}

export async function batchConnections(db: Db, ids: readonly string[]) {
  const rows = await db.connection.findMany({ where: { id: { in: [...ids] } } });
  const map = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => map.get(id) ?? null);
}

export async function batchConnectionDataOwners(db: Db, ids: readonly string[]) {
  const rows = await db.connectionDataOwner.findMany({ where: { connectionId: { in: [...ids] } }, include: { user: true } });
  return ids.map((id) => rows.filter((r) => r.connectionId === id).map((r) => r.user));
}

export async function batchLatestSyncRun(db: Db, connectionIds: readonly string[]) {
  const rows = await db.$queryRaw<{ id: string; connectionId: string }[]>`
    SELECT DISTINCT ON ("connectionId") id, "connectionId" FROM "SyncRun"
    WHERE "connectionId" = ANY(${[...connectionIds]}::uuid[]) ORDER BY "connectionId", "requestedAt" DESC`;
  const runs = await db.syncRun.findMany({ where: { id: { in: rows.map((r) => r.id) } } });
  const byConn = new Map(runs.map((r) => [r.connectionId, r]));
  return connectionIds.map((id) => byConn.get(id) ?? null);
}

/**
 * Per tag: the data sources the actor can see that carry it or a narrower tag (`PII` counts `PII.Email`),
 * on the source or on one of its columns — the number `searchDataSources({ tag })` would report, for
 * a whole tags page in one grouped query.
 */
export async function batchTagSourceCounts(db: Db, actor: Actor, tagIds: readonly string[]) {
  // Mirrors `visibleConnections` in queries.ts: data owners and consumers see assigned connections only.
  const everyone = hasRole(actor, "ADMIN") || hasRole(actor, "GOVERNOR") || actor.kind === "SYSTEM";
  const viewer = actor.kind === "SYSTEM" ? null : actor.userId;
  const rows = await db.$queryRaw<{ id: string; n: number }[]>`
    SELECT q.id::text AS id, count(DISTINCT ds.id)::int AS n
    FROM "Tag" q
    JOIN "Tag" t ON t.id = q.id OR starts_with(t.name, q.name || '.')
    JOIN (
      SELECT "dataSourceId", "tagId" FROM "DataSourceTag"
      UNION
      SELECT c."dataSourceId", ct."tagId" FROM "ColumnTag" ct JOIN "DataSourceColumn" c ON c.id = ct."columnId"
    ) tagged ON tagged."tagId" = t.id
    JOIN "DataSource" ds ON ds.id = tagged."dataSourceId"
    JOIN "Connection" conn ON conn.id = ds."connectionId" AND conn."deletedAt" IS NULL
    WHERE q.id = ANY(${[...tagIds]}::uuid[])
      AND (${everyone} OR EXISTS (
        SELECT 1 FROM "ConnectionDataOwner" cdo WHERE cdo."connectionId" = conn.id AND cdo."userId" = ${viewer}::uuid))
    GROUP BY q.id`;
  const byId = new Map(rows.map((r) => [r.id, r.n]));
  return tagIds.map((id) => byId.get(id) ?? 0);
}
