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
    deliveryAttempts: new DataLoader((ids: readonly string[]) => {
      if (!actor) throw unauthenticated();
      return listDeliveryAttempts({ db }, actor, ids);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
