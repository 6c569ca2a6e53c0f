/**
 * Pure planning of Steward's account groups on Databricks (docs/platforms/unity-catalog.md). Tables
 * with the same audience at the same level share one group: one per distinct (level, exact member
 * list), like the Snowflake adapter's access-set roles. The group is the only principal Steward
 * grants to, parents included (USE_CATALOG / USE_SCHEMA). An existing group is reused by overlap
 * (shared tables + shared members), so an audience change edits membership instead of re-granting.
 *
 * A group is Steward's only if its displayName is `stw_<8 hex of the connection id>_<r|w>_<10 hex>`;
 * a group with the prefix but another shape is reported and never changed. Members are user ids
 * (the SCIM `value`); accounts are matched to users by userName, case-insensitively.
 */
import { createHash } from "node:crypto";
import type { AccessCounts, AccessFinding } from "../access-types";
import { type CurrentGrants, type PlannedPatch, type PlanOptions, type PreparedState, planSecurable, securableKey } from "./planner";
import type { UcPrivilege } from "./privileges";

export type SetLevel = "r" | "w";
const hex = (s: string, len: number) => createHash("sha256").update(s).digest("hex").slice(0, len);

export const groupPrefix = (connectionId: string) => `stw_${hex(connectionId, 8)}_`;

/** First-choice name of a new group: level + hash of its members. It keeps the name as members change. */
export const groupName = (prefix: string, level: SetLevel, sortedMembers: readonly string[], attempt = 0) =>
  `${prefix}${level}_${hex(sortedMembers.join("\n") + (attempt ? `\n#${attempt}` : ""), 10)}`;

export function parseGroup(prefix: string, name: string): SetLevel | null {
  if (!name.startsWith(prefix)) return null;
  const m = /^([rw])_[0-9a-f]{10}$/.exec(name.slice(prefix.length));
  return m ? (m[1] as SetLevel) : null;
}

export type CurrentGroup = { id: string; displayName: string; level: SetLevel; members: Map<string, string | undefined> };
export type AccessSet = { level: SetLevel; members: string[]; tables: string[] };

export type GroupPlanInput = {
  prepared: PreparedState;
  prefix: string;
  /** Lower-case userName → Databricks user id (only users that exist). */
  userIds: ReadonlyMap<string, string>;
  groups: readonly CurrentGroup[];
  /** Groups with the prefix that are not Steward's shape: reported, left alone. */
  foreign: readonly string[];
  current: CurrentGrants;
  options: PlanOptions;
  /** Delta path: the desired state speaks for these accounts only. */
  scope: ReadonlySet<string> | null;
};
export type GroupCreate = { name: string; members: string[] };
export type MemberPatch = { group: CurrentGroup; add: string[]; remove: string[] };
export type GroupPlan = {
  creates: GroupCreate[];
  memberPatches: MemberPatch[];
  patches: PlannedPatch[];
  deletes: CurrentGroup[];
  findings: AccessFinding[];
  counts: AccessCounts;
};

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Tables (securable keys) where each group holds SELECT now. */
function tablesOfGroups(groups: readonly CurrentGroup[], current: CurrentGrants, tableKeys: readonly string[]): Map<string, Set<string>> {
  const out = new Map(groups.map((g) => [g.displayName, new Set<string>()]));
  for (const t of tableKeys) for (const [principal, privs] of current.get(t) ?? []) if (privs.has("SELECT")) out.get(principal)?.add(t);
  return out;
}

/** Desired access → access sets over user ids; writers of a table are not also in its reader set. */
export function accessSets(
  readers: Map<string, Set<string>>,
  writers: Map<string, Set<string>>,
  tableKeys: readonly string[],
): AccessSet[] {
  const sets = new Map<string, AccessSet>();
  const add = (level: SetLevel, members: Set<string>, table: string) => {
    if (members.size === 0) return;
    const sorted = [...members].sort(cmp);
    const key = `${level}\n${sorted.join("\n")}`;
    (sets.get(key) ?? sets.set(key, { level, members: sorted, tables: [] }).get(key)!).tables.push(table);
  };
  for (const t of tableKeys) {
    const w = writers.get(t) ?? new Set<string>();
    add("r", new Set([...(readers.get(t) ?? [])].filter((m) => !w.has(m))), t);
    add("w", w, t);
  }
  return [...sets.values()].sort((a, b) => cmp(a.level, b.level) || cmp(a.members.join("\n"), b.members.join("\n")));
}

/** A group per set: the existing one of the same level with the largest overlap, else a new name. */
export function assignGroups(
  sets: readonly AccessSet[],
  groups: readonly CurrentGroup[],
  tablesOf: Map<string, Set<string>>,
  prefix: string,
) {
  const byTable = new Map<string, CurrentGroup[]>();
  const byMember = new Map<string, CurrentGroup[]>();
  for (const g of groups) {
    for (const t of tablesOf.get(g.displayName) ?? []) byTable.set(t, [...(byTable.get(t) ?? []), g]);
    for (const m of g.members.keys()) byMember.set(m, [...(byMember.get(m) ?? []), g]);
  }
  const pairs: { score: number; group: CurrentGroup; set: number }[] = [];
  sets.forEach((s, si) => {
    const candidates = new Set<CurrentGroup>();
    for (const t of s.tables) for (const g of byTable.get(t) ?? []) candidates.add(g);
    for (const m of s.members) for (const g of byMember.get(m) ?? []) candidates.add(g);
    for (const g of candidates) {
      if (g.level !== s.level) continue;
      let score = 0;
      for (const t of s.tables) if (tablesOf.get(g.displayName)?.has(t)) score++;
      for (const m of s.members) if (g.members.has(m)) score++;
      pairs.push({ score, group: g, set: si });
    }
  });
  pairs.sort((a, b) => b.score - a.score || cmp(a.group.displayName, b.group.displayName) || a.set - b.set);
  const chosen: (CurrentGroup | string | undefined)[] = sets.map(() => undefined);
  const taken = new Set<string>();
  for (const p of pairs) {
    if (chosen[p.set] !== undefined || taken.has(p.group.displayName)) continue;
    chosen[p.set] = p.group;
    taken.add(p.group.displayName);
  }
  const existing = new Set(groups.map((g) => g.displayName));
  return sets.map((s, si) => {
    const c = chosen[si];
    if (c !== undefined) return c;
    for (let attempt = 0; ; attempt++) {
      const name = groupName(prefix, s.level, s.members, attempt);
      if (!existing.has(name) && !taken.has(name)) {
        taken.add(name);
        return name;
      }
    }
  });
}

export function planGroupAccess(input: GroupPlanInput): GroupPlan {
  const { prepared: p, groups, current } = input;
  const plan: GroupPlan = {
    creates: [],
    memberPatches: [],
    patches: [],
    deletes: [],
    findings: [],
    counts: { granted: 0, revoked: 0, accountsCreated: 0, other: 0 },
  };
  const tableKeys = p.securables.filter((s) => s.type === "table").map(securableKey);
  const nameOf = new Map<string, string>();
  const idOf = (account: string) => input.userIds.get(account.toLowerCase());
  const readers = new Map<string, Set<string>>();
  const writers = new Map<string, Set<string>>();
  const put = (m: Map<string, Set<string>>, t: string, id: string) => (m.get(t) ?? m.set(t, new Set()).get(t)!).add(id);
  const unknown = new Set<string>();
  for (const t of tableKeys)
    for (const [account, privs] of p.want.get(t) ?? []) {
      const id = idOf(account);
      if (!id) {
        unknown.add(account);
        continue;
      }
      nameOf.set(id, account);
      put(privs.has("MODIFY") ? writers : readers, t, id);
    }
  for (const a of [...unknown].sort(cmp)) plan.findings.push({ kind: "UNKNOWN_USER", repairable: false, accountName: a });
  const tablesOf = tablesOfGroups(groups, current, tableKeys);
  let keep: (id: string) => boolean = () => false;
  if (input.scope) {
    // Members outside the scope keep exactly the access their groups give them now.
    const inScope = new Set([...input.scope].flatMap((a) => idOf(a) ?? []));
    keep = (id) => !inScope.has(id);
    for (const g of groups)
      for (const id of g.members.keys())
        if (keep(id)) for (const t of tablesOf.get(g.displayName) ?? []) put(g.level === "w" ? writers : readers, t, id);
  }
  const sets = accessSets(readers, writers, tableKeys);
  const assigned = assignGroups(sets, groups, tablesOf, input.prefix);

  const want = new Map<string, Map<string, Set<UcPrivilege>>>();
  const grant = (key: string, group: string, privileges: UcPrivilege[]) => {
    const per = want.get(key) ?? want.set(key, new Map()).get(key)!;
    const set = per.get(group) ?? per.set(group, new Set()).get(group)!;
    for (const x of privileges) set.add(x);
  };
  const parentsOf = new Map(
    p.securables
      .filter((s) => s.type === "table")
      .map((s) => [
        securableKey(s),
        [securableKey({ type: "schema", parts: s.parts.slice(0, 2) }), securableKey({ type: "catalog", parts: s.parts.slice(0, 1) })],
      ]),
  );
  const used = new Set<string>();
  sets.forEach((s, si) => {
    const g = assigned[si]!;
    const name = typeof g === "string" ? g : g.displayName;
    used.add(name);
    for (const t of s.tables) {
      grant(t, name, s.level === "w" ? ["SELECT", "MODIFY"] : ["SELECT"]);
      const [schema, catalog] = parentsOf.get(t)!;
      grant(schema!, name, ["USE_SCHEMA"]);
      grant(catalog!, name, ["USE_CATALOG"]);
    }
    if (typeof g === "string") {
      plan.creates.push({ name, members: s.members });
      plan.findings.push({ kind: "MISSING_GROUP", repairable: true, group: name });
      plan.counts.other++;
      plan.counts.granted += s.members.length;
      return;
    }
    const add = s.members.filter((m) => !g.members.has(m));
    const remove = [...g.members.keys()].filter((m) => !s.members.includes(m)).sort(cmp);
    for (const m of add)
      plan.findings.push({ kind: "MISSING_MEMBER", repairable: true, group: name, accountName: nameOf.get(m), memberId: m });
    for (const m of remove)
      plan.findings.push({ kind: "EXTRA_MEMBER", repairable: true, group: name, memberId: m, member: g.members.get(m) ?? m });
    if (add.length || remove.length) plan.memberPatches.push({ group: g, add, remove });
    plan.counts.granted += add.length;
    plan.counts.revoked += remove.length;
  });
  for (const g of groups)
    if (!used.has(g.displayName)) {
      plan.deletes.push(g);
      plan.findings.push({ kind: "EXTRA_GROUP", repairable: true, group: g.displayName });
      plan.counts.other++;
    }
  for (const f of input.foreign) plan.findings.push({ kind: "FOREIGN_GROUP", repairable: false, group: f });

  const managed = new Set([...groups.map((g) => g.displayName), ...used]);
  const forGroups: PreparedState = { ...p, want, managed, scope: null };
  for (const s of p.securables) {
    const have = current.get(securableKey(s));
    if (!have) continue; // gone: reported by the caller
    const part = planSecurable(forGroups, s, have, input.options);
    if (part.patch) plan.patches.push(part.patch);
    for (const f of part.findings) {
      const principal = f.accountName as string;
      if (!managed.has(principal)) plan.findings.push(f);
      else {
        const { accountName: _, ...rest } = f;
        plan.findings.push({ ...rest, group: principal });
      }
    }
    plan.counts.granted += part.granted;
    plan.counts.revoked += part.revoked;
  }
  return plan;
}
