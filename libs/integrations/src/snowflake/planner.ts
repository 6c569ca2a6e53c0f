/**
 * Pure: the statements that take the account's Steward roles from their current state (state.ts) to
 * the desired one, and every difference found on the way (the same findings are drift). No I/O, so
 * plan, apply and drift share it and golden tests pin its SQL.
 *
 * Design (docs/platforms/snowflake.md): objects with the same audience at the same level share one
 * access-set role holding the exact privileges per object type plus USAGE on their schemas and
 * databases; each user has one Steward user role, granted to the user, that holds their access-set
 * roles. USAGE comes from one Steward role per schema (granted the role of its database), which
 * the access-set roles are granted. Only roles with this connection's prefix and Steward's comment are ever changed.
 */
import type { AccessCounts, AccessFinding, AccessLevel } from "../access-types";
import { emptyCounts } from "../access-types";
import { qualifiedSnowflake, quoteSnowflakeIdent, quoteSnowflakeLiteral } from "../sql/quote";
import { databaseRoleName, MANAGED_COMMENT, type SetLevel, schemaRoleName, setRoleName, showName, userRoleName } from "./naming";
import { type PlatformObject, privilegesFor, writable } from "./objects";
import type { RoleInfo, SfState } from "./state";

export type PlannedObject = { id: string; parts: string[]; object: PlatformObject };
export type PlanInput = {
  prefix: string;
  objects: PlannedObject[];
  /** Managed accounts that exist as Snowflake users. */
  accounts: string[];
  access: { objectId: string; account: string; level: AccessLevel }[];
};
export type SfPlan = { statements: string[]; findings: AccessFinding[]; counts: AccessCounts };

export type AccessSet = { level: SetLevel; members: string[]; objects: PlannedObject[] };

/** Desired access → access sets: one per distinct (level, exact member list). */
export function accessSets(input: PlanInput): AccessSet[] {
  const index = new Map(input.objects.map((o, i) => [o.id, i]));
  const accounts = new Set(input.accounts);
  const readers = input.objects.map(() => new Set<string>());
  const writers = input.objects.map(() => new Set<string>());
  for (const a of input.access) {
    const i = index.get(a.objectId);
    if (i === undefined || !accounts.has(a.account)) continue;
    (a.level === "WRITE" ? writers : readers)[i]!.add(a.account);
  }
  const sets = new Map<string, AccessSet>();
  const add = (level: SetLevel, members: Set<string>, object: PlannedObject) => {
    if (members.size === 0) return;
    const sorted = [...members].sort();
    const key = `${level}\n${sorted.join("\n")}`;
    const set = sets.get(key) ?? sets.set(key, { level, members: sorted, objects: [] }).get(key)!;
    set.objects.push(object);
  };
  input.objects.forEach((object, i) => {
    const w = writers[i]!;
    const r = new Set([...readers[i]!].filter((a) => !w.has(a)));
    if (writable(object.object)) {
      add("R", r, object);
      add("W", w, object);
    } else add("R", new Set([...r, ...w]), object); // read-only kinds: writers read, nothing more
  });
  return [...sets.values()].sort((a, b) =>
    a.level !== b.level ? (a.level < b.level ? -1 : 1) : cmp(a.members.join("\n"), b.members.join("\n")),
  );
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A role for every access set, preferring existing roles of the same level with the largest overlap
 * (shared objects + shared members), so an audience change edits memberships and a new table edits
 * one grant. Only sets overlapping no existing role get a new, hash-named role.
 */
export function assignRoles(
  sets: readonly AccessSet[],
  state: SfState,
  prefix: string,
  accountOfUserRole: ReadonlyMap<string, string>,
): string[] {
  const objectsOf = new Map<string, Set<string>>();
  const membersOf = new Map<string, Set<string>>();
  const rolesOn = new Map<string, string[]>();
  for (const [role, info] of state.setRoles) {
    const objs = new Set(info.privileges.filter((p) => p.grantedOn !== "DATABASE" && p.grantedOn !== "SCHEMA").map((p) => p.name));
    objectsOf.set(role, objs);
    for (const o of objs) rolesOn.set(o, [...(rolesOn.get(o) ?? []), role]);
    membersOf.set(role, new Set(info.holders.flatMap((h) => (h.grantedTo === "ROLE" ? (accountOfUserRole.get(h.name) ?? []) : []))));
  }
  const pairs: { score: number; role: string; set: number }[] = [];
  sets.forEach((s, si) => {
    const keys = s.objects.map((o) => showName(o.parts));
    const candidates = new Set<string>();
    for (const k of keys) for (const r of rolesOn.get(k) ?? []) if (state.setRoles.get(r)?.level === s.level) candidates.add(r);
    const first = setRoleName(prefix, s.level, s.members);
    if (state.setRoles.get(first)?.level === s.level) candidates.add(first);
    for (const role of candidates) {
      let score = 0;
      for (const k of keys) if (objectsOf.get(role)?.has(k)) score++;
      for (const m of s.members) if (membersOf.get(role)?.has(m)) score++;
      pairs.push({ score, role, set: si });
    }
  });
  pairs.sort((a, b) => b.score - a.score || cmp(a.role, b.role) || a.set - b.set);
  const names: (string | undefined)[] = sets.map(() => undefined);
  const taken = new Set<string>();
  for (const p of pairs) {
    if (names[p.set] !== undefined || taken.has(p.role)) continue;
    names[p.set] = p.role;
    taken.add(p.role);
  }
  const existing = new Set([...state.setRoles.keys(), ...state.userRoles.keys(), ...state.foreign]);
  return sets.map((s, si) => {
    const named = names[si];
    if (named) return named;
    for (let attempt = 0; ; attempt++) {
      const name = setRoleName(prefix, s.level, s.members, attempt);
      if (!existing.has(name) && !taken.has(name)) {
        taken.add(name);
        return name;
      }
    }
  });
}

type Target = { keyword: string; parts: string[] };
type WantedPrivileges = Map<string, { target: Target; privileges: Set<string> }>;

function need(want: WantedPrivileges, target: Target, privileges: readonly string[]): void {
  const key = showName(target.parts);
  const entry = want.get(key) ?? want.set(key, { target, privileges: new Set() }).get(key)!;
  for (const p of privileges) entry.privileges.add(p);
}

export function planAccess(input: PlanInput, state: SfState): SfPlan {
  const plan: SfPlan = { statements: [], findings: [], counts: emptyCounts() };
  const creates: string[] = [];
  const grants: string[] = [];
  const memberships: string[] = [];
  const toUsers: string[] = [];
  const revokes: string[] = [];
  const drops: string[] = [];
  const role = quoteSnowflakeIdent;
  const create = (name: string) => `CREATE ROLE IF NOT EXISTS ${role(name)} COMMENT = ${quoteSnowflakeLiteral(MANAGED_COMMENT)}`;

  const userRoleOf = new Map(input.accounts.map((a) => [a, userRoleName(input.prefix, a)]));
  const accountOfUserRole = new Map([...userRoleOf].map(([a, r]) => [r, a]));
  const sets = accessSets(input);
  const names = assignRoles(sets, state, input.prefix, accountOfUserRole);

  // Where a privilege name found on the platform can be addressed again (revokes need the exact type).
  const targetOf = (name: string): Target | null => {
    const o = state.objects.get(name);
    if (o) return { keyword: o.kind, parts: o.parts };
    const c = state.containers.get(name);
    return c ? { keyword: c.length === 1 ? "DATABASE" : "SCHEMA", parts: c } : null;
  };
  const on = (t: Target) => `${t.keyword} ${qualifiedSnowflake(...t.parts)}`;

  /** One managed role to its wanted privileges and holders (other managed roles); only this role changes. */
  const reconcileRole = (
    name: string,
    current: RoleInfo | undefined,
    want: WantedPrivileges,
    holders: ReadonlyMap<string, string | undefined>,
  ) => {
    if (!current) {
      creates.push(create(name));
      plan.counts.other++;
    }
    const have = new Map<string, Set<string>>();
    for (const p of current?.privileges ?? []) {
      if (p.privilege === "OWNERSHIP") continue;
      (have.get(p.name) ?? have.set(p.name, new Set()).get(p.name)!).add(p.privilege);
    }
    // Grants in a stable order: databases, schemas, then objects, each by name.
    const ordered = [...want.entries()].sort(([a, x], [b, y]) => x.target.parts.length - y.target.parts.length || cmp(a, b));
    for (const [key, { target, privileges }] of ordered) {
      const missing = [...privileges].filter((p) => !have.get(key)?.has(p));
      if (!missing.length) continue;
      if (current) plan.findings.push({ kind: "MISSING_PRIVILEGE", repairable: true, role: name, object: key, privileges: missing });
      grants.push(`GRANT ${missing.join(", ")} ON ${on(target)} TO ROLE ${role(name)}`);
      plan.counts.granted += missing.length;
    }
    for (const [key, held] of [...have.entries()].sort(([a], [b]) => cmp(a, b))) {
      const extra = [...held].filter((p) => !want.get(key)?.privileges.has(p)).sort();
      if (!extra.length) continue;
      const target = targetOf(key);
      plan.findings.push({ kind: "EXTRA_PRIVILEGE", repairable: target !== null, role: name, object: key, privileges: extra });
      if (!target) continue;
      revokes.push(`REVOKE ${extra.join(", ")} ON ${on(target)} FROM ROLE ${role(name)}`);
      plan.counts.revoked += extra.length;
    }
    const held = new Set((current?.holders ?? []).filter((h) => h.grantedTo === "ROLE").map((h) => h.name));
    for (const [holder, account] of [...holders].sort(([a], [b]) => cmp(a, b))) {
      if (held.has(holder)) continue;
      if (current) plan.findings.push({ kind: "MISSING_MEMBERSHIP", repairable: true, role: name, holder, ...accountField(account) });
      memberships.push(`GRANT ROLE ${role(name)} TO ROLE ${role(holder)}`);
      plan.counts.granted++;
    }
    for (const h of current?.holders ?? []) {
      const managed =
        h.grantedTo === "ROLE" && (state.userRoles.has(h.name) || state.setRoles.has(h.name) || state.containerRoles.has(h.name));
      if (managed) {
        if (holders.has(h.name)) continue;
        plan.findings.push({
          kind: "EXTRA_MEMBERSHIP",
          repairable: true,
          role: name,
          holder: h.name,
          ...accountField(accountOfUserRole.get(h.name)),
        });
        revokes.push(`REVOKE ROLE ${role(name)} FROM ROLE ${role(h.name)}`);
        plan.counts.revoked++;
      } else {
        // Someone granted Steward's role to a role or user Steward does not manage: reported, left alone.
        plan.findings.push({ kind: "FOREIGN_HOLDER", repairable: false, role: name, grantedTo: h.grantedTo, grantee: h.name });
      }
    }
  };

  const wantedUserRoles = new Set<string>();
  // Container roles: schema → the set roles with objects there; database → its schema roles.
  const schemaHolders = new Map<string, { parts: string[]; holders: Map<string, undefined> }>();
  sets.forEach((set, si) => {
    const name = names[si]!;
    const want: WantedPrivileges = new Map();
    for (const o of set.objects) {
      need(want, { keyword: o.object.kind, parts: o.parts }, privilegesFor(o.object, set.level === "W" ? "WRITE" : "READ"));
      const sr = schemaRoleName(input.prefix, o.parts[0]!, o.parts[1]!);
      const entry = schemaHolders.get(sr) ?? schemaHolders.set(sr, { parts: o.parts.slice(0, 2), holders: new Map() }).get(sr)!;
      entry.holders.set(name, undefined);
    }
    const holders = new Map(set.members.map((m) => [userRoleOf.get(m)!, m] as [string, string | undefined]));
    for (const h of holders.keys()) wantedUserRoles.add(h);
    reconcileRole(name, state.setRoles.get(name), want, holders);
  });
  const dbHolders = new Map<string, { parts: string[]; holders: Map<string, undefined> }>();
  for (const [sr, { parts, holders }] of [...schemaHolders].sort(([a], [b]) => cmp(a, b))) {
    const want: WantedPrivileges = new Map();
    need(want, { keyword: "SCHEMA", parts }, ["USAGE"]);
    reconcileRole(sr, state.containerRoles.get(sr), want, holders);
    const dr = databaseRoleName(input.prefix, parts[0]!);
    const entry = dbHolders.get(dr) ?? dbHolders.set(dr, { parts: parts.slice(0, 1), holders: new Map() }).get(dr)!;
    entry.holders.set(sr, undefined);
  }
  for (const [dr, { parts, holders }] of [...dbHolders].sort(([a], [b]) => cmp(a, b))) {
    const want: WantedPrivileges = new Map();
    need(want, { keyword: "DATABASE", parts }, ["USAGE"]);
    reconcileRole(dr, state.containerRoles.get(dr), want, holders);
  }

  for (const [a, ur] of userRoleOf) {
    if (!wantedUserRoles.has(ur)) continue;
    const users = state.userRoles.get(ur);
    if (!users) {
      creates.push(create(ur));
      plan.counts.other++;
    } else if (!users.has(a)) plan.findings.push({ kind: "USER_ROLE_NOT_GRANTED", repairable: true, accountName: a, role: ur });
    if (!users?.has(a)) {
      toUsers.push(`GRANT ROLE ${role(ur)} TO USER ${quoteSnowflakeIdent(a)}`);
      plan.counts.granted++;
    }
    for (const other of [...(users ?? [])].sort()) {
      if (other === a) continue;
      plan.findings.push({ kind: "USER_ROLE_MISGRANTED", repairable: true, accountName: other, role: ur });
      revokes.push(`REVOKE ROLE ${role(ur)} FROM USER ${quoteSnowflakeIdent(other)}`);
      plan.counts.revoked++;
    }
  }
  // Roles nobody needs any more: DROP removes their grants and memberships in one statement.
  const used = new Set(names);
  for (const r of [...state.setRoles.keys()].sort())
    if (!used.has(r)) {
      plan.findings.push({ kind: "EXTRA_ROLE", repairable: true, role: r });
      drops.push(`DROP ROLE IF EXISTS ${role(r)}`);
      plan.counts.other++;
    }
  for (const r of [...state.containerRoles.keys()].sort())
    if (!schemaHolders.has(r) && !dbHolders.has(r)) {
      plan.findings.push({ kind: "EXTRA_ROLE", repairable: true, role: r });
      drops.push(`DROP ROLE IF EXISTS ${role(r)}`);
      plan.counts.other++;
    }
  for (const r of [...state.userRoles.keys()].sort())
    if (!wantedUserRoles.has(r)) {
      plan.findings.push({ kind: "EXTRA_USER_ROLE", repairable: true, role: r, ...accountField(accountOfUserRole.get(r)) });
      drops.push(`DROP ROLE IF EXISTS ${role(r)}`);
      plan.counts.other++;
    }
  for (const f of state.foreign) plan.findings.push({ kind: "FOREIGN_ROLE", repairable: false, role: f });
  // Grants before revokes: a change of role never leaves a user without access in between.
  plan.statements.push(...creates, ...grants, ...memberships, ...toUsers, ...revokes, ...drops);
  return plan;
}

const accountField = (a: string | undefined) => (a === undefined ? {} : { accountName: a });
