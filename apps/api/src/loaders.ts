import {
  batchColumns,
  batchColumnTags,
  batchConnectionDataOwners,
  batchConnections,
  batchConnectionVisibility,
  batchLatestSyncRun,
  batchOwners,
  batchSourceTags,
  batchTagSourceCounts,
} from "@steward/catalog";
import { type Actor, unauthenticated } from "@steward/core";
import type { Db } from "@steward/db";
import { batchAttributes, batchGroupsOfUsers, batchMemberCounts, batchPlatformAccounts, batchRoles, batchUsers } from "@steward/identity";
import { listDeliveryAttempts } from "@steward/webhooks";
import DataLoader from "dataloader";

/** Created per request, so nothing is cached across callers with different permissions. */
export function createLoaders(db: Db, actor: Actor | null) {
  return {
    user: new DataLoader((ids: readonly string[]) => batchUsers(db, ids)),
    roles: new DataLoader((ids: readonly string[]) => batchRoles(db, ids)),
    groupsOfUser: new DataLoader((ids: readonly string[]) => batchGroupsOfUsers(db, ids)),
    attributes: new DataLoader((ids: readonly string[]) => batchAttributes(db, ids)),
    platformAccounts: new DataLoader((ids: readonly string[]) => batchPlatformAccounts(db, ids)),
    memberCount: new DataLoader((ids: readonly string[]) => batchMemberCounts(db, ids)),
    columns: new DataLoader((ids: readonly string[]) => batchColumns(db, ids)),
    sourceTags: new DataLoader((ids: readonly string[]) => batchSourceTags(db, ids)),
    columnTags: new DataLoader((ids: readonly string[]) => batchColumnTags(db, ids)),
    owners: new DataLoader((ids: readonly string[]) => batchOwners(db, ids)),
    connection: new DataLoader((ids: readonly string[]) => batchConnections(db, ids)),
    connectionVisible: new DataLoader((ids: readonly string[]) => batchConnectionVisibility(db, actor, ids)),
    connectionDataOwners: new DataLoader((ids: readonly string[]) => batchConnectionDataOwners(db, ids)),
    latestSyncRun: new DataLoader((ids: readonly string[]) => batchLatestSyncRun(db, ids)),
    dataSourceCount: new DataLoader(async (ids: readonly string[]) => {
      const rows = await db.dataSource.groupBy({ by: ["connectionId"], where: { connectionId: { in: [...ids] } }, _count: { _all: true } });
      const map = new Map(rows.map((r) => [r.connectionId, r._count._all]));
      return ids.map((id) => map.get(id) ?? 0);
    }),
    tagSourceCount: new DataLoader((ids: readonly string[]) => {
      if (!actor) throw unauthenticated();
      return batchTagSourceCounts(db, actor, ids);
    }),
    hasChildren: new DataLoader(async (ids: readonly string[]) => {
      const rows = await db.catalogNode.groupBy({
        by: ["parentId"],
        where: { parentId: { in: [...ids] }, present: true },
        _count: { _all: true },
      });
      const set = new Set(rows.map((r) => r.parentId));
      return ids.map((id) => set.has(id));
    }),
    deliveryAttempts: new DataLoader((ids: readonly string[]) => {
      if (!actor) throw unauthenticated();
      return listDeliveryAttempts({ db }, actor, ids);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
