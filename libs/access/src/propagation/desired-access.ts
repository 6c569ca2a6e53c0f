import type { Db } from "@steward/db";
import type { AccessEntry, AccessObject, PlatformKind } from "@steward/integrations";
import { evaluateAll, type SubscriptionPolicy, usersWithAccess } from "@steward/policy";
import { loadPolicySnapshot } from "../snapshot";
import { type AccountProblem, accountRulesFor, checkAccounts } from "./platform-accounts";

export type UserMapping = { mode: "USERNAME" | "ATTRIBUTE" | "MANUAL"; attribute?: string };

/** The platform-neutral content of a connection's desired state (the adapter maps paths to its model). */
export type DesiredConnectionAccess = {
  objects: AccessObject[];
  access: AccessEntry[];
  /** Every mapped account Steward manages on this connection (including those with no access now). */
  accounts: string[];
  /** Each managed user's account (profiles on platforms with data policies are keyed by it). */
  accountUsers: { userId: string; accountName: string }[];
  /** Users who would have access but have no platform account: reported, never guessed. */
  unmappedUsers: { userId: string; username: string }[];
  /** Users left out because their account is reserved on the platform or shared with another user. */
  accountProblems: AccountProblem[];
  nextExpiryAt: Date | null;
};

/**
 * Maps Steward users to platform accounts: an explicit per-user account wins; otherwise by username or
 * by an attribute's (single) value, as the connection is configured.
 */
export async function accountMap(db: Db, platform: PlatformKind, mapping: UserMapping): Promise<Map<string, string>> {
  const [users, explicit, attrs] = await Promise.all([
    db.user.findMany({ where: { status: "ACTIVE" }, select: { id: true, username: true } }),
    db.platformAccount.findMany({ where: { platform }, select: { userId: true, accountName: true } }),
    mapping.mode === "ATTRIBUTE" && mapping.attribute
      ? db.userAttribute.findMany({ where: { key: mapping.attribute }, select: { userId: true, value: true } })
      : [],
  ]);
  const map = new Map<string, string>();
  if (mapping.mode === "USERNAME") for (const u of users) map.set(u.id, u.username);
  if (mapping.mode === "ATTRIBUTE") {
    const byUser = new Map<string, string[]>();
    for (const a of attrs) (byUser.get(a.userId) ?? byUser.set(a.userId, []).get(a.userId)!).push(a.value);
    // Ambiguous (several values) is not a mapping: such users stay unmapped and are reported.
    for (const [userId, values] of byUser) if (values.length === 1) map.set(userId, values[0]!);
  }
  const active = new Set(users.map((u) => u.id));
  for (const e of explicit) if (active.has(e.userId)) map.set(e.userId, e.accountName);
  return map;
}

/** What access on one connection should be right now. */
export async function computeDesiredAccess(
  db: Db,
  connectionId: string,
  now: Date,
  opts: { policies?: SubscriptionPolicy[] } = {},
): Promise<DesiredConnectionAccess> {
  const connection = await db.connection.findUniqueOrThrow({ where: { id: connectionId } });
  const config = connection.config as { userMapping?: UserMapping };
  const [snapshot, mapped, sources, users] = await Promise.all([
    loadPolicySnapshot(db, { connectionId, policies: opts.policies }),
    accountMap(db, connection.kind, config.userMapping ?? { mode: "USERNAME" }),
    db.dataSource.findMany({
      where: { connectionId, status: "ACTIVE", catalogNode: { present: true } },
      select: { id: true, objectType: true, catalogNode: { select: { path: true } } },
    }),
    db.user.findMany({ select: { id: true, username: true } }),
  ]);
  const result = evaluateAll(snapshot, now);
  const usernames = new Map(users.map((u) => [u.id, u.username]));
  const { accounts, problems } = checkAccounts(mapped, usernames, accountRulesFor(connection));
  const problemUsers = new Set(problems.map((p) => p.userId));
  const unmapped = new Map<string, string>();
  const objects: AccessObject[] = [];
  const access: AccessEntry[] = [];
  for (const s of connection.deletedAt ? [] : sources) {
    objects.push({ id: s.id, path: s.catalogNode.path, objectType: s.objectType });
    const writers = new Set(usersWithAccess(result, s.id, "WRITE"));
    for (const userId of usersWithAccess(result, s.id, "READ")) {
      const accountName = accounts.get(userId);
      if (problemUsers.has(userId)) continue; // reported as an account problem instead
      if (!accountName) {
        unmapped.set(userId, usernames.get(userId) ?? userId);
        continue;
      }
      access.push({ objectId: s.id, accountName, level: writers.has(userId) ? "WRITE" : "READ" });
    }
  }
  return {
    objects,
    access,
    accounts: [...new Set(accounts.values())].sort(),
    accountUsers: [...accounts].map(([userId, accountName]) => ({ userId, accountName })),
    unmappedUsers: [...unmapped].map(([userId, username]) => ({ userId, username })),
    accountProblems: problems,
    nextExpiryAt: result.nextExpiryAt ?? null,
  };
}
