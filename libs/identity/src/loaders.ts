import type { Db } from "@steward/db";

/**
 * Batch functions behind the API's per-request DataLoaders: one query per relation per request,
 * whatever the page size. Each returns results in the order of `ids`.
 */
function groupBy<T, K>(rows: T[], key: (r: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = map.get(k);
    if (list) list.push(r);
    else map.set(k, [r]);
  }
  return map;
}

export async function batchUsers(db: Db, ids: readonly string[]) {
  const rows = await db.user.findMany({ where: { id: { in: [...ids] } } });
  const byId = new Map(rows.map((u) => [u.id, u]));
  return ids.map((id) => byId.get(id) ?? null);
}

export async function batchRoles(db: Db, userIds: readonly string[]) {
  const rows = await db.roleAssignment.findMany({ where: { userId: { in: [...userIds] } }, orderBy: { role: "asc" } });
  const map = groupBy(rows, (r) => r.userId);
  return userIds.map((id) => (map.get(id) ?? []).map((r) => r.role));
}

export async function batchGroupsOfUsers(db: Db, userIds: readonly string[]) {
  const rows = await db.groupMembership.findMany({ where: { userId: { in: [...userIds] } }, include: { group: true } });
  const map = groupBy(rows, (r) => r.userId);
  return userIds.map((id) => (map.get(id) ?? []).map((m) => m.group).sort((a, b) => a.name.localeCompare(b.name)));
}

export async function batchAttributes(db: Db, userIds: readonly string[]) {
  const rows = await db.userAttribute.findMany({ where: { userId: { in: [...userIds] } }, orderBy: [{ key: "asc" }, { value: "asc" }] });
  const map = groupBy(rows, (r) => r.userId);
  return userIds.map((id) => {
    const byKey = groupBy(map.get(id) ?? [], (r) => r.key);
    return [...byKey.entries()].map(([key, values]) => ({ key, values: values.map((v) => v.value) }));
  });
}

export async function batchPlatformAccounts(db: Db, userIds: readonly string[]) {
  const rows = await db.platformAccount.findMany({ where: { userId: { in: [...userIds] } }, orderBy: { platform: "asc" } });
  const map = groupBy(rows, (r) => r.userId);
  return userIds.map((id) => map.get(id) ?? []);
}

export async function batchMemberCounts(db: Db, groupIds: readonly string[]) {
  const rows = await db.groupMembership.groupBy({ by: ["groupId"], where: { groupId: { in: [...groupIds] } }, _count: { _all: true } });
  const map = new Map(rows.map((r) => [r.groupId, r._count._all]));
  return groupIds.map((id) => map.get(id) ?? 0);
}
