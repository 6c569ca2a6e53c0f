import type { Db } from "@steward/db";
import type { AccessDesiredState, AccessEntry, AccessObject, AccountRules, PlatformKind } from "@steward/integrations";
import {
  type AccessResult,
  type CompiledSnapshot,
  compileSnapshot,
  type User as EngineUser,
  evaluateCompiled,
  levelAt,
  recomputeForUser,
} from "@steward/policy";
import type { ConnectionViews } from "../data-policies/data-desired";
import type { ProfileFacts } from "../data-policies/load-data-policies";
import { loadActingProjects } from "../projects/acting-purposes";
import { loadPolicySnapshot } from "../snapshot";
import { pendingScope } from "./delta-scope";
import { accountMap, type UserMapping } from "./desired-access";
import { accountRulesFor, checkAccounts } from "./platform-accounts";

/**
 * Desired access for a few users without re-evaluating the connection: each worker process keeps
 * the compiled policy snapshot of a connection (with its evaluated matrix) and the version it
 * covers, and brings it forward with the engine's `recomputeForUser` for the users the pending
 * scope rows name. Any version in between whose scope is unknown or "full", an unknown user, an
 * account two users share (or one the platform refuses), or a failed apply drops the cache: the
 * caller then reconciles in full, which also reports such accounts.
 *
 * The result is the platform-neutral desired state with `scope` set: complete objects, and access
 * and accounts for the scope's users only; the adapter changes nothing outside the scope.
 *
 * The snapshot may hold data newer than its version (it is read after the version is known);
 * that is harmless because every later change is either user-scoped (recomputed when its version
 * comes) or full (drops the cache).
 *
 * On platforms with data policies the entry also keeps the connection's resolved view specs (only
 * full-scope changes — data policies, sources, tags, groups, purposes — alter them, and those drop
 * the entry) and, when a full reconcile primed it, the salt that run applied: a delta then hands
 * the adapter cached views and profile rows built from the facts it loads anyway, and lets it skip
 * the system-object and salt checks.
 */

type CacheEntry = {
  version: number;
  compiled: CompiledSnapshot;
  result: AccessResult;
  platform: PlatformKind;
  mapping: UserMapping;
  rules: AccountRules;
  /** userId → platform account, and account → the users mapped to it. */
  accountOf: Map<string, string>;
  owners: Map<string, Set<string>>;
  /** Users the last full evaluation left out (refused or shared account): only a full reconcile decides them. */
  problemUsers: Set<string>;
  objects: AccessObject[];
  /** The engine's index of each object's source, aligned with `objects`. */
  sourceIndex: number[];
  /** Resolved view specs (data policy platforms); undefined until first needed. */
  views?: ConnectionViews;
  /** Salt applied by the full reconcile that primed this entry; undefined when a delta built it. */
  appliedSalt?: string;
};

type ConnectionRow = { id: string; kind: PlatformKind; config: unknown };

const caches = new WeakMap<Db, Map<string, CacheEntry>>();

function cacheOf(db: Db): Map<string, CacheEntry> {
  let c = caches.get(db);
  if (!c) {
    c = new Map();
    caches.set(db, c);
  }
  return c;
}

/** After a failed or partial apply the cached matrix may be ahead of the platform: start over. */
export function forgetDeltaCache(db: Db, connectionId: string): void {
  cacheOf(db).delete(connectionId);
}

/** Mirrors computeDesiredAccess (same sources, same mapping, same account checks), keeping the compiled snapshot. */
async function buildEntry(db: Db, connection: ConnectionRow, version: number, now: Date): Promise<CacheEntry | null> {
  const config = connection.config as { userMapping?: UserMapping };
  const mapping = config.userMapping ?? { mode: "USERNAME" };
  const [snapshot, mapped, sources, users] = await Promise.all([
    loadPolicySnapshot(db, { connectionId: connection.id }),
    accountMap(db, connection.kind, mapping),
    db.dataSource.findMany({
      where: { connectionId: connection.id, status: "ACTIVE", catalogNode: { present: true } },
      select: { id: true, objectType: true, catalogNode: { select: { path: true } } },
    }),
    db.user.findMany({ select: { id: true, username: true } }),
  ]);
  const rules = accountRulesFor(connection);
  const { accounts, problems } = checkAccounts(mapped, new Map(users.map((u) => [u.id, u.username])), rules);
  const compiled = compileSnapshot(snapshot);
  const result = evaluateCompiled(compiled, now);
  const objects: AccessObject[] = [];
  const sourceIndex: number[] = [];
  for (const s of sources) {
    const index = compiled.sourceIndex.get(s.id);
    if (index === undefined) continue;
    objects.push({ id: s.id, path: s.catalogNode.path, objectType: s.objectType });
    sourceIndex.push(index);
  }
  const owners = new Map<string, Set<string>>();
  for (const [userId, account] of mapped) (owners.get(account) ?? owners.set(account, new Set()).get(account)!).add(userId);
  return {
    version,
    compiled,
    result,
    platform: connection.kind,
    mapping,
    rules,
    accountOf: accounts,
    owners,
    problemUsers: new Set(problems.map((p) => p.userId)),
    objects,
    sourceIndex,
  };
}

/**
 * After a full reconcile: compile the snapshot the next delta starts from, so the first one-user
 * change after it does not pay for a compile. Costs one evaluation, after the grants are in.
 */
export async function primeDeltaCache(
  deps: { db: Db },
  connection: ConnectionRow,
  version: number,
  now: Date,
  applied?: { views: ConnectionViews; hashSalt: string },
): Promise<void> {
  const entry = await buildEntry(deps.db, connection, version, now);
  if (entry && applied) Object.assign(entry, { views: applied.views, appliedSalt: applied.hashSalt });
  if (entry) cacheOf(deps.db).set(connection.id, entry);
  else cacheOf(deps.db).delete(connection.id);
}

/** Keeps view specs a delta had to resolve itself, if the entry is still the one it ran from. */
export function rememberDeltaViews(db: Db, connectionId: string, version: number, views: ConnectionViews): void {
  const entry = cacheOf(db).get(connectionId);
  if (entry && entry.version === version && !entry.views) entry.views = views;
}

type FreshUser = { engine: EngineUser; account: string | undefined; profile: ProfileFacts };

/**
 * The users' current groups, attributes, status and platform account (inactive users included),
 * and their profile facts (group and purpose names) in the same reads.
 */
async function freshUsers(db: Db, entry: CacheEntry, userIds: string[]): Promise<Map<string, FreshUser>> {
  const [users, groups, attributes, explicit, acting] = await Promise.all([
    db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, username: true, status: true } }),
    db.groupMembership.findMany({
      where: { userId: { in: userIds } },
      select: { userId: true, groupId: true, group: { select: { name: true } } },
    }),
    db.userAttribute.findMany({ where: { userId: { in: userIds } }, select: { userId: true, key: true, value: true } }),
    db.platformAccount.findMany({
      where: { userId: { in: userIds }, platform: entry.platform },
      select: { userId: true, accountName: true },
    }),
    loadActingProjects(db, userIds),
  ]);
  const out = new Map<string, FreshUser>();
  for (const u of users) {
    const attrs: Record<string, string[]> = {};
    for (const a of attributes) if (a.userId === u.id) attrs[a.key] = [...(attrs[a.key] ?? []), a.value];
    let account: string | undefined;
    if (entry.mapping.mode === "USERNAME") account = u.username;
    if (entry.mapping.mode === "ATTRIBUTE" && entry.mapping.attribute) {
      const values = attrs[entry.mapping.attribute] ?? [];
      if (values.length === 1) account = values[0];
    }
    account = explicit.find((e) => e.userId === u.id)?.accountName ?? account;
    const memberOf = groups.filter((g) => g.userId === u.id);
    const project = acting.get(u.id);
    const engine: EngineUser = {
      id: u.id,
      active: u.status === "ACTIVE",
      groups: memberOf.map((g) => g.groupId),
      attributes: attrs,
      purposes: project?.purposeIds ?? [],
    };
    const profile: ProfileFacts = {
      username: u.username,
      groups: memberOf.map((g) => g.group.name),
      attributes: attrs,
      projectId: project?.projectId ?? null,
      purposes: project?.purposeNames ?? [],
    };
    out.set(u.id, { engine, account, profile });
  }
  return out;
}

export type DeltaState = {
  state: AccessDesiredState;
  users: number;
  accounts: number;
  /** The scope's active users and their accounts (their profile rows on platforms with data policies). */
  accountUsers: { userId: string; accountName: string }[];
  /** Their profile facts, loaded with their access facts. */
  profileFacts: Map<string, ProfileFacts>;
  /**
   * Every managed user's account after this delta (the cached, checked mapping): for platforms that
   * need the whole connection's accounts on every change (decision snapshots are always complete).
   */
  allAccountUsers: () => { userId: string; accountName: string }[];
  /** Cached view specs (undefined: the caller resolves them and may `rememberDeltaViews`). */
  views?: ConnectionViews;
  /** The salt the priming full reconcile applied (undefined: the adapter must check the system objects). */
  appliedSalt?: string;
};

/**
 * The scoped desired state that brings versions (applied, target] to the platform, or null when
 * only a full reconcile can.
 */
export async function deltaDesiredState(
  deps: { db: Db },
  connection: ConnectionRow,
  applied: number,
  target: number,
  now: Date,
  settings: AccessDesiredState["settings"],
): Promise<DeltaState | null> {
  const db = deps.db;
  const connectionId = connection.id;
  const cache = cacheOf(db);
  let entry = cache.get(connectionId);
  const scope = await pendingScope(db, connectionId, entry ? Math.min(entry.version, applied) : applied, target);
  if (scope === "full") {
    cache.delete(connectionId);
    return null;
  }
  if (!entry) {
    const built = await buildEntry(db, connection, target, now);
    if (!built) return null;
    entry = built;
    cache.set(connectionId, entry);
  }
  const fresh = await freshUsers(db, entry, scope.userIds);
  const accounts = new Set<string>();
  const wanted = new Map<string, number>(); // account → user index, for active users with an account
  const accountUsers: { userId: string; accountName: string }[] = [];
  const profileFacts = new Map<string, ProfileFacts>();
  for (const userId of scope.userIds) {
    const f = fresh.get(userId);
    const index = entry.compiled.userIndex.get(userId);
    if (!f || index === undefined) return giveUp(cache, connectionId); // new or deleted user: re-compile
    if (entry.problemUsers.has(userId)) return giveUp(cache, connectionId);
    const before = entry.accountOf.get(userId);
    const after = f.engine.active ? f.account : undefined;
    if (after !== undefined && entry.rules.validate(after) !== null) return giveUp(cache, connectionId);
    // An inactive user's account is still in scope (its memberships go); one that another user also
    // maps to cannot be decided from this user alone.
    for (const account of [before, f.account]) {
      if (account === undefined) continue;
      const others = [...(entry.owners.get(account) ?? [])].filter((u) => u !== userId);
      if (others.length > 0) return giveUp(cache, connectionId);
      accounts.add(account);
    }
    recomputeForUser(entry.compiled, f.engine, now);
    if (before !== undefined) entry.owners.get(before)?.delete(userId);
    if (after !== undefined) {
      entry.accountOf.set(userId, after);
      (entry.owners.get(after) ?? entry.owners.set(after, new Set()).get(after)!).add(userId);
      wanted.set(after, index);
      accountUsers.push({ userId, accountName: after });
      profileFacts.set(userId, f.profile);
    } else entry.accountOf.delete(userId);
  }
  entry.version = target;
  const matrix = entry.compiled.current!;
  const view: AccessResult = { ...entry.result, read: matrix.read, write: matrix.write };
  const access: AccessEntry[] = [];
  for (const [accountName, u] of wanted) {
    entry.sourceIndex.forEach((s, i) => {
      const level = levelAt(view, u, s);
      if (level !== "NONE") access.push({ objectId: entry.objects[i]!.id, accountName, level });
    });
  }
  const state: AccessDesiredState = {
    connectionId,
    version: target,
    objects: entry.objects,
    accounts: [...wanted.keys()].sort(),
    access,
    scope: { accounts: [...accounts].sort() },
    settings,
  };
  return {
    state,
    users: scope.userIds.length,
    accounts: accounts.size,
    accountUsers,
    profileFacts,
    // Read lazily (only decision platforms ask), still under the connection lock: no other delta
    // can have moved the entry on.
    allAccountUsers: () => [...entry.accountOf].map(([userId, accountName]) => ({ userId, accountName })),
    ...(entry.views ? { views: entry.views } : {}),
    ...(entry.appliedSalt !== undefined ? { appliedSalt: entry.appliedSalt } : {}),
  };
}

function giveUp(cache: Map<string, CacheEntry>, connectionId: string): null {
  cache.delete(connectionId);
  return null;
}
