import { groupRoleName, parseManagedRole } from "./naming";
import { type ActualState, getOrInit, relationKey } from "./state";
import type { DesiredObject, DesiredState } from "./types";

/**
 * An access set: the exact users holding one level on some objects. Objects with the same audience
 * at the same level share one group, and so one role.
 */
export type AccessGroup = { level: "r" | "w"; members: string[]; objects: DesiredObject[] };

const TABLE_LIKE = new Set(["r", "p", "f"]);
const VIEW_LIKE = new Set(["v", "m"]);

export type GroupsResult = { groups: AccessGroup[]; missing: DesiredObject[]; warnings: string[] };

/**
 * Desired access → access groups. The catalog's relkind decides what WRITE means (the platform
 * catalog may be stale): on views and materialized views WRITE is SELECT only, so their writers and
 * readers form one read audience.
 */
export function computeGroups(desired: DesiredState, objectKinds: ReadonlyMap<string, string>): GroupsResult {
  const warnings: string[] = [];
  // Users become integer ids in name order, so a numeric sort of ids is the sorted member list and
  // group keys are cheap: with 10,000 users × 2,000 objects the access list has millions of entries.
  const names = [...new Set(desired.users.map((u) => u.accountName))].sort();
  const userId = new Map(names.map((n, i) => [n, i]));
  const index = new Map(desired.objects.map((o, i) => [o.id, i]));
  const readers: number[][] = desired.objects.map(() => []);
  const writers: number[][] = desired.objects.map(() => []);
  let unknownObjects = 0;
  let unknownUsers = 0;
  let lastId: string | undefined;
  let i: number | undefined;
  for (const a of desired.access) {
    if (a.objectId !== lastId) {
      lastId = a.objectId;
      i = index.get(a.objectId);
    }
    if (i === undefined) {
      unknownObjects++;
      continue;
    }
    const u = userId.get(a.accountName);
    if (u === undefined) {
      unknownUsers++;
      continue;
    }
    (a.level === "WRITE" ? writers : readers)[i]!.push(u);
  }
  if (unknownObjects) warnings.push(`${unknownObjects} access entries name objects not in the desired state; ignored`);
  if (unknownUsers) warnings.push(`${unknownUsers} access entries name users not in the desired state; ignored`);

  // Groups are found by a hash of the member ids, confirmed by comparing the ids themselves:
  // joining thousands of ids into a key string per object costs more than the rest of planning.
  const byKey = new Map<string, { ids: Int32Array; group: AccessGroup }[]>();
  const add = (level: "r" | "w", ids: Int32Array, object: DesiredObject) => {
    if (ids.length === 0) return;
    const key = `${level}${hashIds(ids)}`;
    const bucket = byKey.get(key);
    const hit = bucket?.find((b) => sameIds(b.ids, ids));
    if (hit) return void hit.group.objects.push(object);
    const entry = { ids, group: { level, members: Array.from(ids, (id) => names[id]!), objects: [object] } };
    if (bucket) bucket.push(entry);
    else byKey.set(key, [entry]);
  };
  const mark = new Int32Array(names.length).fill(-1); // mark[u] = object index where u writes
  const missing: DesiredObject[] = [];
  desired.objects.forEach((object, oi) => {
    const kind = objectKinds.get(object.id);
    if (kind === undefined) {
      missing.push(object);
      return;
    }
    const w = uniqueSorted(writers[oi]!);
    for (const u of w) mark[u] = oi;
    const r = uniqueSorted(readers[oi]!.filter((u) => mark[u] !== oi));
    if (VIEW_LIKE.has(kind)) {
      add("r", uniqueSorted([...r, ...w]), object);
    } else if (TABLE_LIKE.has(kind)) {
      add("r", r, object);
      add("w", w, object);
    } else {
      warnings.push(`${object.schema}.${object.name} is not a table or view (relkind ${kind}); skipped`);
    }
  });
  if (missing.length) warnings.push(`${missing.length} objects no longer exist in the database; skipped`);
  const groups = [...byKey.values()].flat().map((e) => e.group);
  // Deterministic order (level, then member list) whatever the hash did.
  groups.sort((a, b) => (a.level !== b.level ? (a.level < b.level ? -1 : 1) : compareLists(a.members, b.members)));
  return { groups, missing, warnings };
}

function hashIds(ids: Int32Array): string {
  let h1 = 0x811c9dc5;
  let h2 = ids.length;
  for (let k = 0; k < ids.length; k++) {
    h1 = Math.imul(h1 ^ ids[k]!, 0x01000193);
    h2 = Math.imul(h2 + ids[k]!, 0x5bd1e995) ^ (h2 >>> 13);
  }
  return `${ids.length}:${h1 >>> 0}:${h2 >>> 0}`;
}

function sameIds(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

function compareLists(a: readonly string[], b: readonly string[]): number {
  for (let k = 0; k < Math.min(a.length, b.length); k++) if (a[k] !== b[k]) return a[k]! < b[k]! ? -1 : 1;
  return a.length - b.length;
}

function uniqueSorted(ids: readonly number[]): Int32Array {
  const sortedIds = Int32Array.from(ids).sort();
  let n = 0;
  for (let k = 0; k < sortedIds.length; k++) if (k === 0 || sortedIds[k] !== sortedIds[k - 1]) sortedIds[n++] = sortedIds[k]!;
  return sortedIds.subarray(0, n);
}

/**
 * Picks a role for every group, preferring existing managed roles so that an audience change only
 * edits memberships and an object moving between audiences only edits grants: a role is reused
 * for the group it overlaps most (shared objects + shared members). Only groups matching no
 * existing role get a new, hash-named role. Deterministic for a given (desired, actual) pair.
 */
export function assignRoleNames(groups: readonly AccessGroup[], actual: ActualState): string[] {
  const prefix = actual.prefix;
  const roleObjects = new Map<string, Set<string>>();
  const rolesOnObject = new Map<string, string[]>();
  const levelOf = new Map<string, "r" | "w">();
  for (const [role, info] of actual.roles) {
    const parsed = parseManagedRole(prefix, role);
    if (info.managed && parsed.kind === "group") levelOf.set(role, parsed.level);
  }
  for (const g of actual.grants) {
    if (g.target.kind !== "relation" || !levelOf.has(g.role)) continue;
    const key = relationKey(g.target.schema, g.target.name);
    getOrInit(roleObjects, g.role, () => new Set<string>()).add(key);
    getOrInit(rolesOnObject, key, (): string[] => []).push(g.role);
  }
  const roleMembers = new Map<string, Set<string>>();
  for (const m of actual.memberships) {
    if (!levelOf.has(m.role)) continue;
    getOrInit(roleMembers, m.role, () => new Set<string>()).add(m.member);
  }

  const pairs: { score: number; role: string; group: number }[] = [];
  groups.forEach((g, gi) => {
    const keys = g.objects.map((o) => relationKey(o.schema, o.name));
    const candidates = new Set<string>();
    for (const k of keys) for (const r of rolesOnObject.get(k) ?? []) if (levelOf.get(r) === g.level) candidates.add(r);
    const first = groupRoleName(prefix, g.level, g.members);
    if (levelOf.get(first) === g.level) candidates.add(first);
    for (const role of candidates) {
      const objs = roleObjects.get(role);
      const mems = roleMembers.get(role);
      let score = 0;
      if (objs) for (const k of keys) if (objs.has(k)) score++;
      if (mems) for (const m of g.members) if (mems.has(m)) score++;
      pairs.push({ score, role, group: gi });
    }
  });
  pairs.sort((a, b) => b.score - a.score || (a.role < b.role ? -1 : a.role > b.role ? 1 : 0) || a.group - b.group);

  const names: (string | undefined)[] = groups.map(() => undefined);
  const used = new Set<string>();
  for (const p of pairs) {
    if (names[p.group] !== undefined || used.has(p.role)) continue;
    names[p.group] = p.role;
    used.add(p.role);
  }
  return groups.map((g, gi) => {
    const reused = names[gi];
    if (reused !== undefined) return reused;
    for (let attempt = 0; ; attempt++) {
      const name = groupRoleName(prefix, g.level, g.members, attempt);
      if (!actual.roles.has(name) && !used.has(name)) {
        used.add(name);
        return name;
      }
    }
  });
}
