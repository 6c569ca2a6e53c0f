import { type Actor, forbidden, hasRole, notFound, parseInput, unauthenticated } from "@steward/core";
import type { Db } from "@steward/db";
import {
  type AccessLevel,
  diffAccess,
  evaluateAll,
  explainAccess as explainWithEngine,
  levelOf,
  type SubscriptionPolicy,
  sourcesForUser,
} from "@steward/policy";
import { z } from "zod";
import { requireGovernor, requirePolicyReader } from "../authz";
import { accountMap, type UserMapping } from "../propagation/desired-access";
import { isReconciledKind } from "../propagation/desired-version";
import { accountRulesFor, checkAccounts } from "../propagation/platform-accounts";
import { loadPolicySnapshot, toEnginePolicy } from "../snapshot";
import { validateDefinition } from "./policy-commands";

export async function listPolicies(deps: { db: Db }, actor: Actor | null, includeDeleted = false) {
  requirePolicyReader(actor);
  return deps.db.subscriptionPolicy.findMany({ where: includeDeleted ? {} : { deletedAt: null }, orderBy: { name: "asc" } });
}

export async function getPolicy(deps: { db: Db }, actor: Actor | null, id: string) {
  requirePolicyReader(actor);
  if (!z.uuid().safeParse(id).success) return null;
  return deps.db.subscriptionPolicy.findUnique({ where: { id } });
}

export async function listPolicyVersions(deps: { db: Db }, actor: Actor | null, policyId: string) {
  requirePolicyReader(actor);
  return deps.db.policyVersion.findMany({ where: { policyId }, orderBy: { version: "desc" } });
}

/**
 * Why a user has (or lacks) access to a source: the engine's full reasons. Governors and admins may
 * ask about anyone; every user may ask about themselves.
 */
export async function explainAccess(deps: { db: Db }, actor: Actor | null, userId: string, dataSourceId: string, now = new Date()) {
  if (!actor) throw unauthenticated();
  const ids = parseInput(z.object({ userId: z.uuid(), dataSourceId: z.uuid() }), { userId, dataSourceId });
  const self = actor.kind !== "SYSTEM" && actor.userId === ids.userId;
  if (!self && !hasRole(actor, "GOVERNOR") && !hasRole(actor, "ADMIN")) throw forbidden("You may only explain your own access");
  const snapshot = await loadPolicySnapshot(deps.db);
  if (!snapshot.users.some((u) => u.id === ids.userId)) throw notFound("User");
  if (!snapshot.sources.some((s) => s.id === ids.dataSourceId)) throw notFound("Data source");
  const explanation = explainWithEngine(snapshot, ids.userId, ids.dataSourceId, now);
  const platform = await platformAccountOf(deps.db, ids.userId, ids.dataSourceId);
  // Policies may allow access the platform cannot give: without a usable account nothing is granted.
  const platformLevel: AccessLevel = platform?.problem ? "NONE" : explanation.level;
  return { ...explanation, platform: platform && { ...platform, level: platformLevel } };
}

/**
 * The account a user has on the platform of a source's connection, or why they have none that
 * Steward will use (the same check the reconciler applies). Null for platforms Steward does not
 * reconcile.
 */
async function platformAccountOf(
  db: Db,
  userId: string,
  dataSourceId: string,
): Promise<{ accountName: string | null; problem: string | null } | null> {
  const source = await db.dataSource.findUnique({
    where: { id: dataSourceId },
    select: { connection: { select: { kind: true, config: true } } },
  });
  const connection = source?.connection;
  if (!connection || !isReconciledKind(connection.kind)) return null;
  const config = connection.config as { userMapping?: UserMapping };
  const [mapped, users] = await Promise.all([
    accountMap(db, connection.kind, config.userMapping ?? { mode: "USERNAME" }),
    db.user.findMany({ select: { id: true, username: true } }),
  ]);
  const { accounts, problems } = checkAccounts(mapped, new Map(users.map((u) => [u.id, u.username])), accountRulesFor(connection));
  const problem = problems.find((p) => p.userId === userId);
  if (problem) return { accountName: problem.accountName, problem: problem.problem };
  const accountName = accounts.get(userId) ?? null;
  return { accountName, problem: accountName ? null : "no platform account is mapped to this user on this connection" };
}

/** The data sources the caller can use now, with their level. */
export async function mySubscriptions(
  deps: { db: Db },
  actor: Actor | null,
  now = new Date(),
): Promise<{ dataSourceId: string; level: AccessLevel }[]> {
  if (!actor || actor.kind === "SYSTEM") throw unauthenticated();
  const snapshot = await loadPolicySnapshot(deps.db);
  const result = evaluateAll(snapshot, now);
  return sourcesForUser(result, actor.userId).map((s) => ({ dataSourceId: s.sourceId, level: s.level }));
}

const PlanInput = z.object({
  policyId: z.uuid().nullish(),
  delete: z.boolean().nullish(),
  name: z.string().max(100).nullish(),
  accessType: z.enum(["READ", "WRITE"]).nullish(),
  /** Typed form (the GraphQL input); replaces both restriction and scope. */
  definition: z.unknown().nullish(),
  restriction: z.unknown().nullish(),
  scope: z.unknown().nullish(),
});

export type AccessChange = { dataSourceId: string; userId: string; before: AccessLevel; after: AccessLevel };

/**
 * Dry run of a policy change (create, edit or delete) before saving it: which users gain or lose which
 * access on which sources. Nothing is written.
 */
export async function planPolicyChange(deps: { db: Db }, actor: Actor | null, input: unknown, now = new Date()) {
  requireGovernor(actor);
  const data = parseInput(PlanInput, input);
  const current = (await deps.db.subscriptionPolicy.findMany({ where: { deletedAt: null }, orderBy: { id: "asc" } })).map(toEnginePolicy);
  let proposed: SubscriptionPolicy[];
  let warnings: Awaited<ReturnType<typeof validateDefinition>>["warnings"] = [];
  if (data.delete) {
    if (!data.policyId || !current.some((p) => p.id === data.policyId)) throw notFound("Policy");
    proposed = current.filter((p) => p.id !== data.policyId);
  } else {
    const existing = data.policyId ? current.find((p) => p.id === data.policyId) : undefined;
    if (data.policyId && !existing) throw notFound("Policy");
    const checked = await validateDefinition(deps.db, {
      id: data.policyId ?? undefined,
      name: data.name ?? existing?.name ?? "proposed policy",
      accessType: data.accessType ?? existing?.accessType ?? "READ",
      definition: data.definition ?? undefined,
      restriction: data.restriction ?? existing?.restriction,
      scope: data.scope ?? existing?.scope,
    });
    warnings = checked.warnings;
    proposed = [...current.filter((p) => p.id !== checked.policy.id), checked.policy].sort((a, b) => a.id.localeCompare(b.id));
  }
  const base = await loadPolicySnapshot(deps.db, { policies: current });
  const before = evaluateAll(base, now);
  const after = evaluateAll({ ...base, policies: proposed }, now);
  const changes: AccessChange[] = [];
  for (const d of diffAccess(before, after)) {
    for (const userId of new Set([...d.gainedRead, ...d.lostRead, ...d.gainedWrite, ...d.lostWrite])) {
      changes.push({
        dataSourceId: d.sourceId,
        userId,
        before: levelOf(before, userId, d.sourceId),
        after: levelOf(after, userId, d.sourceId),
      });
    }
  }
  return { changes, warnings, proposedPolicies: proposed, snapshot: base };
}

/** Connections whose grants a plan touches (the sources of its changes). */
export async function connectionsOfChanges(db: Db, changes: AccessChange[]): Promise<{ id: string; name: string; kind: string }[]> {
  const ids = [...new Set(changes.map((c) => c.dataSourceId))];
  if (ids.length === 0) return [];
  const sources = await db.dataSource.findMany({
    where: { id: { in: ids } },
    select: { connection: { select: { id: true, name: true, kind: true, deletedAt: true } } },
  });
  const byId = new Map(sources.filter((s) => !s.connection.deletedAt).map((s) => [s.connection.id, s.connection]));
  return [...byId.values()].map((c) => ({ id: c.id, name: c.name, kind: c.kind }));
}
