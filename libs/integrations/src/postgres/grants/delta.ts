import type pg from "pg";
import { LOGINS_SQL, readActualState } from "./catalog";
import {
  type DeltaRead,
  readDeltaState,
  readKinds,
  readMemberCounts,
  readMembers,
  readRolesOf,
  readWitnesses,
  relKey,
} from "./delta-catalog";
import { loginFindings } from "./logins";
import { userMarker, validateDesired } from "./naming";
import { type GrantPlan, planGrants } from "./planner";
import { buildStatements } from "./statements";
import type { DesiredAccess, DesiredObject, DesiredState, DriftFinding, ReconcileTimings } from "./types";

/**
 * The delta path (`DesiredState.onlyAccounts`): the state is authoritative only for those accounts.
 * `objects` is still the database's complete object list; `users` and `access` need only cover the
 * scope (entries for other accounts are ignored).
 *
 * Access-set roles keep their identity while their members change (see docs/postgres-grants.md), so
 * most one-user changes are membership-only: the user wants *every* object of some existing roles
 * and none of others. The full planner, given the same database afterwards, would group the
 * objects exactly as they are and match each group to its role (the role holding all its objects
 * outscores every other), so it plans nothing: deltas never leave work for the full reconcile.
 *
 * A change that would reshape roles — an object wanted with no role at that level, a role of which
 * only part is wanted, a role left without members, two roles ending with the same members (the
 * full model would merge them) — is "structural". Then the full desired state is rebuilt from the
 * catalog (every other account keeps exactly the access its memberships give it today) plus the
 * scope's desired access, and the ordinary full planner runs. Slower, equally exact.
 */

const TABLE_LIKE = new Set(["r", "p", "f"]);
const VIEW_LIKE = new Set(["v", "m"]);

type Want = { r: Set<string>; w: Set<string> };
type Timed = GrantPlan & { timings: ReconcileTimings; path: "delta" | "scoped-full" };

const ms = (from: number, to = performance.now()) => Math.round((to - from) * 100) / 100;

export async function readAndPlanScoped(client: pg.ClientBase, desired: DesiredState, prefix: string): Promise<Timed> {
  const t0 = performance.now();
  const scope = [...new Set(desired.onlyAccounts ?? [])].sort();
  validateDesired({ ...desired, users: scope.map((accountName) => ({ accountName })) });
  const managedUsers = new Set(desired.users.map((u) => u.accountName));
  const read = await readDeltaState(client, prefix, scope);
  const objectsByKey = new Map(desired.objects.map((o) => [relKey(o.schema, o.name), o]));
  const wantedObjects = wantedBy(desired, scope, managedUsers);
  const unseen = [...wantedObjects.values()].flatMap((m) => [...m.keys()]).filter((k) => !read.kinds.has(k));
  const extraKinds = await readKinds(
    client,
    [...new Set(unseen)].map((k) => objectsByKey.get(k)!),
  );
  for (const [k, v] of extraKinds) read.kinds.set(k, v);

  const findings: DriftFinding[] = [];
  const change = new Map<string, { add: string[]; remove: string[] }>();
  const touch = (role: string) => change.get(role) ?? change.set(role, { add: [], remove: [] }).get(role)!;
  let structural: string | null = null;
  for (const account of scope) {
    if (managedUsers.has(account) && !read.roles.has(account)) findings.push({ kind: "MISSING_USER", user: account });
    const want = levels(wantedObjects.get(account) ?? new Map(), read.kinds);
    const target = new Set<string>();
    for (const level of ["r", "w"] as const) {
      for (const key of want[level]) {
        const roles = (read.rolesOn.get(key) ?? []).filter((r) => read.groupRoles.get(r) === level);
        if (roles.length !== 1) {
          structural ??= `${roles.length} ${level} roles on ${key.replace("\0", ".")}`;
          continue;
        }
        target.add(roles[0]!);
      }
      for (const role of target) {
        if (read.groupRoles.get(role) !== level) continue;
        for (const key of read.objectsOf.get(role) ?? []) {
          if (objectsByKey.has(key) && !want[level].has(key)) structural ??= `${role} would split`;
        }
      }
    }
    const current = read.memberOf.get(account) ?? new Set<string>();
    for (const role of target) if (!current.has(role)) touch(role).add.push(account);
    for (const role of current) if (!target.has(role)) touch(role).remove.push(account);
  }
  if (!structural && change.size > 0) structural = await mergeOrEmpty(client, read, change, scope);
  const tRead = performance.now();
  if (structural) return scopedFull(client, desired, prefix, scope, managedUsers, read, t0, structural);

  for (const [role, c] of change) {
    for (const member of c.add) findings.push({ kind: "MISSING_MEMBERSHIP", role, member });
    for (const member of c.remove) findings.push({ kind: "EXTRA_MEMBERSHIP", role, member });
  }
  // Logins Steward created follow the scope's users as in the full planner (a scope account no
  // longer desired can no longer log in), so a full reconcile afterwards has nothing to add.
  const logins = await client.query<{ name: string; login: boolean }>(LOGINS_SQL, [
    userMarker(desired.connectionId),
    scope.filter((a) => managedUsers.has(a)),
    scope,
  ]);
  findings.push(
    ...loginFindings(
      { ...desired, users: scope.filter((a) => managedUsers.has(a)).map((accountName) => ({ accountName })), loginScope: scope },
      new Map(logins.rows.map((r) => [r.name, r.login])),
    ),
  );
  const { statements, counts } = buildStatements(findings, { userMarker: userMarker(desired.connectionId) });
  return { findings, statements, counts, warnings: [], timings: { readMs: ms(t0, tRead), planMs: ms(tRead), applyMs: 0 }, path: "delta" };
}

/** Per scope account: wanted object key → highest level asked for. */
function wantedBy(desired: DesiredState, scope: string[], managed: Set<string>): Map<string, Map<string, DesiredAccess["level"]>> {
  const inScope = new Set(scope.filter((a) => managed.has(a)));
  const byId = new Map(desired.objects.map((o) => [o.id, o]));
  const out = new Map<string, Map<string, DesiredAccess["level"]>>();
  for (const a of desired.access) {
    if (!inScope.has(a.accountName)) continue;
    const o = byId.get(a.objectId);
    if (!o) continue;
    const m = out.get(a.accountName) ?? out.set(a.accountName, new Map()).get(a.accountName)!;
    const key = relKey(o.schema, o.name);
    if (m.get(key) !== "WRITE") m.set(key, a.level);
  }
  return out;
}

/** The same rule as the full planner's groups: WRITE on a view is SELECT, so it joins the read audience. */
function levels(wanted: Map<string, DesiredAccess["level"]>, kinds: Map<string, string>): Want {
  const want: Want = { r: new Set(), w: new Set() };
  for (const [key, level] of wanted) {
    const kind = kinds.get(key);
    if (kind === undefined) continue; // dropped: the full planner skips it too
    if (VIEW_LIKE.has(kind)) want.r.add(key);
    else if (TABLE_LIKE.has(kind)) want[level === "WRITE" ? "w" : "r"].add(key);
  }
  return want;
}

/**
 * A role left empty, or two roles of one level ending with the same members, reshape the model.
 * Two roles can only end equal if they share every final member, so each changed role needs
 * comparing only with the roles of one of its final members (its "witness"): a scope account
 * (whose final memberships are known) or else any other member (whose memberships this delta
 * leaves alone). No scan of all memberships is needed.
 */
async function mergeOrEmpty(
  client: pg.ClientBase,
  read: DeltaRead,
  change: Map<string, { add: string[]; remove: string[] }>,
  scope: string[],
): Promise<string | null> {
  const finalOf = (account: string) => {
    const set = new Set(read.memberOf.get(account) ?? []);
    for (const [role, c] of change) {
      if (c.add.includes(account)) set.add(role);
      if (c.remove.includes(account)) set.delete(role);
    }
    return set;
  };
  const scopeWitness = new Map<string, string>(); // role → a scope account among its final members
  for (const account of scope) for (const role of finalOf(account)) if (!scopeWitness.has(role)) scopeWitness.set(role, account);
  const changed = [...change.keys()];
  const others = await readWitnesses(
    client,
    read,
    changed.filter((r) => !scopeWitness.has(r)),
    scope,
  );
  for (const role of changed) if (!scopeWitness.has(role) && !others.has(role)) return `${role} would have no members`;
  const rolesOf = await readRolesOf(client, read, [...new Set(others.values())]);
  const compare = new Set<string>();
  const pairs: [string, string][] = [];
  for (const role of changed) {
    const witness = scopeWitness.get(role);
    const candidates = witness !== undefined ? finalOf(witness) : (rolesOf.get(others.get(role)!) ?? new Set<string>());
    for (const other of candidates) {
      if (other === role || read.groupRoles.get(other) !== read.groupRoles.get(role)) continue;
      compare.add(role).add(other);
      pairs.push([role, other]);
    }
  }
  if (pairs.length === 0) return null;
  const counts = await readMemberCounts(client, read, [...compare]);
  const size = (role: string) => (counts.get(role) ?? 0) + (change.get(role)?.add.length ?? 0) - (change.get(role)?.remove.length ?? 0);
  const equalSized = pairs.filter(([a, b]) => size(a) === size(b));
  if (equalSized.length === 0) return null;
  const members = await readMembers(client, read, [...new Set(equalSized.flat())]);
  const finalSet = (role: string) => {
    const set = new Set(members.get(role) ?? []);
    for (const m of change.get(role)?.add ?? []) set.add(m);
    for (const m of change.get(role)?.remove ?? []) set.delete(m);
    return set;
  };
  for (const [role, other] of equalSized) {
    const mine = finalSet(role);
    const theirs = finalSet(other);
    if (theirs.size === mine.size && [...mine].every((m) => theirs.has(m))) return `${role} and ${other} would have the same members`;
  }
  return null;
}

/** The structural fallback: today's memberships for everyone else + the scope's desired access → full planner. */
async function scopedFull(
  client: pg.ClientBase,
  desired: DesiredState,
  prefix: string,
  scope: string[],
  managedUsers: Set<string>,
  read: DeltaRead,
  t0: number,
  reason: string,
): Promise<Timed> {
  const inScope = new Set(scope);
  const members = await readMembers(client, read, [...read.groupRoles.keys()]);
  const objectsByKey = new Map<string, DesiredObject>(desired.objects.map((o) => [relKey(o.schema, o.name), o]));
  const access: DesiredAccess[] = desired.access.filter((a) => inScope.has(a.accountName) && managedUsers.has(a.accountName));
  const users = new Set(scope.filter((a) => managedUsers.has(a)));
  for (const [role, level] of read.groupRoles) {
    const objects = [...(read.objectsOf.get(role) ?? [])].map((k) => objectsByKey.get(k)).filter((o) => o !== undefined);
    for (const member of members.get(role) ?? []) {
      if (inScope.has(member)) continue;
      users.add(member);
      for (const o of objects) access.push({ objectId: o.id, accountName: member, level: level === "w" ? "WRITE" : "READ" });
    }
  }
  // The full planner reads the access list object by object (it caches the last object's index).
  access.sort((a, b) => (a.objectId < b.objectId ? -1 : a.objectId > b.objectId ? 1 : 0));
  const full: DesiredState = {
    ...desired,
    users: [...users].sort().map((accountName) => ({ accountName })),
    access,
    onlyAccounts: undefined,
    loginScope: scope,
  };
  const actual = await readActualState(client, full, prefix);
  const t1 = performance.now();
  const plan = planGrants(full, actual);
  return {
    ...plan,
    warnings: [...plan.warnings, `delta for ${scope.length} accounts reshapes roles (${reason}); planned in full`],
    timings: { readMs: ms(t0, t1), planMs: ms(t1), applyMs: 0 },
    path: "scoped-full",
  };
}
