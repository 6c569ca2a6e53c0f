import { groupRoleName, parseManagedRole } from "./naming";
import { type ActualState, relationKey } from "./state";
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
  const users = new Set(desired.users.map((u) => u.accountName));
  const index = new Map<string, number>();
  desired.objects.forEach((o, i) => index.set(o.id, i));
  const readers: string[][] = desired.objects.map(() => []);
  const writers: string[][] = desired.objects.map(() => []);
  let unknownObjects = 0;
  let unknownUsers = 0;
  for (const a of desired.access) {
    const i = index.get(a.objectId);
    if (i === undefined) {
      unknownObjects++;
      continue;
    }
    if (!users.has(a.accountName)) {
      unknownUsers++;
      continue;
    }
    (a.level === "WRITE" ? writers : readers)[i]!.push(a.accountName);
  }
  if (unknownObjects) warnings.push(`${unknownObjects} access entries name objects not in the desired state; ignored`);
  if (unknownUsers) warnings.push(`${unknownUsers} access entries name users not in the desired state; ignored`);

  const byKey = new Map<string, AccessGroup>();
  const add = (level: "r" | "w", members: string[], object: DesiredObject) => {
    if (members.length === 0) return;
    const key = `${level}\0${members.join("\0")}`; // NUL cannot occur in validated names
    const g = byKey.get(key);
    if (g) g.objects.push(object);
    else byKey.set(key, { level, members, objects: [object] });
  };
  const missing: DesiredObject[] = [];
  desired.objects.forEach((object, i) => {
    const kind = objectKinds.get(object.id);
    if (kind === undefined) {
      missing.push(object);
      return;
    }
    const w = new Set(writers[i]);
    const r = new Set(readers[i]!.filter((u) => !w.has(u)));
    if (VIEW_LIKE.has(kind)) {
      add("r", sorted(new Set([...r, ...w])), object);
    } else if (TABLE_LIKE.has(kind)) {
      add("r", sorted(r), object);
      add("w", sorted(w), object);
    } else {
      warnings.push(`${object.schema}.${object.name} is not a table or view (relkind ${kind}); skipped`);
    }
  });
  if (missing.length) warnings.push(`${missing.length} objects no longer exist in the database; skipped`);
  const groups = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
  return { groups, missing, warnings };
}

const sorted = (s: Set<string>) => [...s].sort();

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
    let objs = roleObjects.get(g.role);
    if (!objs) roleObjects.set(g.role, (objs = new Set()));
    objs.add(key);
    const list = rolesOnObject.get(key);
    if (list) list.push(g.role);
    else rolesOnObject.set(key, [g.role]);
  }
  const roleMembers = new Map<string, Set<string>>();
  for (const m of actual.memberships) {
    if (!levelOf.has(m.role)) continue;
    let set = roleMembers.get(m.role);
    if (!set) roleMembers.set(m.role, (set = new Set()));
    set.add(m.member);
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
