/**
 * Pure: the statements that take the account's Steward roles from their current state (state.ts) to
 * the desired one, and every difference found on the way (the same findings are drift). No I/O, so
 * plan, apply and drift share it and golden tests pin its SQL.
 *
 * Design (docs/platforms/snowflake.md): objects with the same audience at the same level share one
 * access-set role holding the exact privileges per object type plus USAGE on their schemas and
 * databases, granted directly to each user of the audience (Snowflake activates every granted role
 * as a secondary role). Roles of the design before 2026-12 (per-user roles, USAGE roles) are dropped
 * once the access-set roles carry their effect. Only roles with this connection's prefix and
 * Steward's comment are ever changed.
 */
import type { AccessCounts, AccessFinding, AccessLevel } from "../access-types";
import { emptyCounts } from "../access-types";
import { qualifiedSnowflake, quoteSnowflakeIdent, quoteSnowflakeLiteral } from "../sql/quote";
import { MANAGED_COMMENT, type SetLevel, setRoleName, showName } from "./naming";
import { type PlatformObject, privilegesFor, writable } from "./objects";
import { membersOfSetRole, type RoleInfo, type SfState } from "./state";

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
export function assignRoles(sets: readonly AccessSet[], state: SfState, prefix: string): string[] {
  const objectsOf = new Map<string, Set<string>>();
  const membersOf = new Map<string, Set<string>>();
  const rolesOn = new Map<string, string[]>();
  for (const [role, info] of state.setRoles) {
    const objs = new Set(info.privileges.filter((p) => p.grantedOn !== "DATABASE" && p.grantedOn !== "SCHEMA").map((p) => p.name));
    objectsOf.set(role, objs);
    for (const o of objs) rolesOn.set(o, [...(rolesOn.get(o) ?? []), role]);
    membersOf.set(role, membersOfSetRole(state, role));
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
  const existing = new Set([...state.setRoles.keys(), ...state.legacyUserRoles.keys(), ...state.legacyContainerRoles, ...state.foreign]);
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
  const toUsers: string[] = [];
  const revokes: string[] = [];
  const drops: string[] = [];
  const role = quoteSnowflakeIdent;
  const user = quoteSnowflakeIdent;
  const create = (name: string) => `CREATE ROLE IF NOT EXISTS ${role(name)} COMMENT = ${quoteSnowflakeLiteral(MANAGED_COMMENT)}`;

  const sets = accessSets(input);
  const names = assignRoles(sets, state, input.prefix);
  // Legacy roles are dropped at the end; DROP ROLE takes their memberships with them.
  const dropped = (name: string) => state.legacyUserRoles.has(name) || state.legacyContainerRoles.has(name);

  // Where a privilege name found on the platform can be addressed again (revokes need the exact type).
  const targetOf = (name: string): Target | null => {
    const o = state.objects.get(name);
    if (o) return { keyword: o.kind, parts: o.parts };
    const c = state.containers.get(name);
    return c ? { keyword: c.length === 1 ? "DATABASE" : "SCHEMA", parts: c } : null;
  };
  const on = (t: Target) => `${t.keyword} ${qualifiedSnowflake(...t.parts)}`;

  /** One access-set role to its wanted privileges and users; only this role changes. */
  const reconcileRole = (name: string, current: RoleInfo | undefined, want: WantedPrivileges, members: readonly string[]) => {
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
    const holders = current?.holders ?? [];
    const direct = new Set(holders.filter((h) => h.grantedTo === "USER").map((h) => h.name));
    const wanted = new Set(members);
    for (const m of members) {
      if (direct.has(m)) continue;
      // A member reaching the role only through a legacy per-user role is part of the migration, not drift.
      if (current && !holders.some((h) => h.grantedTo === "ROLE" && state.legacyUserRoles.get(h.name)?.has(m)))
        plan.findings.push({ kind: "MISSING_MEMBERSHIP", repairable: true, role: name, accountName: m });
      toUsers.push(`GRANT ROLE ${role(name)} TO USER ${user(m)}`);
      plan.counts.granted++;
    }
    for (const h of holders) {
      if (h.grantedTo === "USER") {
        // Every user holding Steward's role got it from Steward (or must not have it): the role is Steward's.
        if (wanted.has(h.name)) continue;
        plan.findings.push({ kind: "EXTRA_MEMBERSHIP", repairable: true, role: name, accountName: h.name });
        revokes.push(`REVOKE ROLE ${role(name)} FROM USER ${user(h.name)}`);
        plan.counts.revoked++;
      } else if (h.grantedTo === "ROLE" && dropped(h.name)) {
        // Held by a legacy role that is dropped below, which removes this grant too.
      } else if (h.grantedTo === "ROLE" && state.setRoles.has(h.name)) {
        plan.findings.push({ kind: "EXTRA_MEMBERSHIP", repairable: true, role: name, holder: h.name });
        revokes.push(`REVOKE ROLE ${role(name)} FROM ROLE ${role(h.name)}`);
        plan.counts.revoked++;
      } else {
        // Someone granted Steward's role to a role Steward does not manage: reported, left alone.
        plan.findings.push({ kind: "FOREIGN_HOLDER", repairable: false, role: name, grantedTo: h.grantedTo, grantee: h.name });
      }
    }
  };

  sets.forEach((set, si) => {
    const name = names[si]!;
    const want: WantedPrivileges = new Map();
    for (const o of set.objects) {
      need(want, { keyword: o.object.kind, parts: o.parts }, privilegesFor(o.object, set.level === "W" ? "WRITE" : "READ"));
      need(want, { keyword: "SCHEMA", parts: o.parts.slice(0, 2) }, ["USAGE"]);
      need(want, { keyword: "DATABASE", parts: o.parts.slice(0, 1) }, ["USAGE"]);
    }
    reconcileRole(name, state.setRoles.get(name), want, set.members);
  });

  // Roles nobody needs any more: DROP removes their grants and memberships in one statement.
  const used = new Set(names);
  for (const r of [...state.setRoles.keys()].sort())
    if (!used.has(r)) {
      plan.findings.push({ kind: "EXTRA_ROLE", repairable: true, role: r });
      drops.push(`DROP ROLE IF EXISTS ${role(r)}`);
      plan.counts.other++;
    }
  for (const r of [...state.legacyUserRoles.keys(), ...state.legacyContainerRoles].sort()) {
    plan.findings.push({ kind: "LEGACY_ROLE", repairable: true, role: r });
    drops.push(`DROP ROLE IF EXISTS ${role(r)}`);
    plan.counts.other++;
  }
  for (const f of state.foreign) plan.findings.push({ kind: "FOREIGN_ROLE", repairable: false, role: f });
  // Grants before revokes and drops: a change of role (or of design) never leaves a user without access in between.
  plan.statements.push(...creates, ...grants, ...toUsers, ...revokes, ...drops);
  return plan;
}
