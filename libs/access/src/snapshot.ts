import type { Db, Tx } from "@steward/db";
import type { AccessRequest, DataSource, ManualSubscription, PolicySnapshot, SubscriptionPolicy, User } from "@steward/policy";
import { loadActingProjects } from "./projects/acting-purposes";

/** The stored definition of a policy (what the engine needs besides id/name/accessType). */
export type PolicyDefinition = Pick<SubscriptionPolicy, "restriction" | "scope">;

export function toEnginePolicy(row: { id: string; name: string; accessType: "READ" | "WRITE"; definition: unknown }): SubscriptionPolicy {
  const def = row.definition as PolicyDefinition;
  return { id: row.id, name: row.name, accessType: row.accessType, restriction: def.restriction, scope: def.scope };
}

/**
 * Loads everything the policy engine needs from the metadata database. Groups are referred to by id
 * (renaming a group keeps its policies). A source's tags are its own tags plus its columns' tags, so a
 * policy on `PII` covers a table with a `PII.Email` column.
 */
export async function loadPolicySnapshot(
  db: Db | Tx,
  opts: { connectionId?: string; policies?: SubscriptionPolicy[] } = {},
): Promise<PolicySnapshot> {
  const [users, memberships, attributes, sources, sourceTags, columnTags, policies, requests, subscriptions, settings, acting] =
    await Promise.all([
      db.user.findMany({ select: { id: true, status: true } }),
      db.groupMembership.findMany({ select: { userId: true, groupId: true } }),
      db.userAttribute.findMany({ select: { userId: true, key: true, value: true } }),
      db.dataSource.findMany({
        where: opts.connectionId ? { connectionId: opts.connectionId } : {},
        select: { id: true, connectionId: true, status: true, mergeRule: true, catalogNode: { select: { path: true } } },
      }),
      db.dataSourceTag.findMany({ select: { dataSourceId: true, tag: { select: { name: true } } } }),
      db.$queryRaw<{ dataSourceId: string; name: string }[]>`
      SELECT DISTINCT c."dataSourceId", t.name FROM "ColumnTag" ct JOIN "DataSourceColumn" c ON c.id = ct."columnId" JOIN "Tag" t ON t.id = ct."tagId" WHERE c.present`,
      opts.policies ? Promise.resolve(null) : db.subscriptionPolicy.findMany({ where: { deletedAt: null }, orderBy: { id: "asc" } }),
      db.accessRequest.findMany({ where: { status: "APPROVED" }, select: { id: true, userId: true, dataSourceId: true, expiresAt: true } }),
      db.manualSubscription.findMany({
        where: { revokedAt: null },
        select: { id: true, userId: true, dataSourceId: true, accessType: true, expiresAt: true },
      }),
      db.policySettings.findUnique({ where: { id: 1 } }),
      loadActingProjects(db),
    ]);
  const groupsOf = new Map<string, string[]>();
  for (const m of memberships) (groupsOf.get(m.userId) ?? groupsOf.set(m.userId, []).get(m.userId)!).push(m.groupId);
  const attrsOf = new Map<string, Record<string, string[]>>();
  for (const a of attributes) {
    const rec = attrsOf.get(a.userId) ?? attrsOf.set(a.userId, {}).get(a.userId)!;
    (rec[a.key] ??= []).push(a.value);
  }
  const tagsOf = new Map<string, Set<string>>();
  for (const t of sourceTags) (tagsOf.get(t.dataSourceId) ?? tagsOf.set(t.dataSourceId, new Set()).get(t.dataSourceId)!).add(t.tag.name);
  for (const t of columnTags) (tagsOf.get(t.dataSourceId) ?? tagsOf.set(t.dataSourceId, new Set()).get(t.dataSourceId)!).add(t.name);

  const engineUsers: User[] = users.map((u) => ({
    id: u.id,
    active: u.status === "ACTIVE",
    groups: groupsOf.get(u.id) ?? [],
    attributes: attrsOf.get(u.id) ?? {},
    // Purpose conditions match the (acknowledged, active) current project's purposes, ancestors included.
    purposes: acting.get(u.id)?.purposeIds ?? [],
  }));
  const engineSources: DataSource[] = sources.map((s) => {
    const path = s.catalogNode.path;
    return {
      id: s.id,
      connectionId: s.connectionId,
      location: {
        database: path.length > 2 ? path[0] : undefined,
        schema: path.length > 1 ? path.at(-2) : undefined,
        object: path.at(-1) ?? "",
      },
      tags: [...(tagsOf.get(s.id) ?? [])],
      status: s.status,
      ...(s.mergeRule ? { mergeRule: s.mergeRule } : {}),
    };
  });
  const accessRequests: AccessRequest[] = requests.map((r) => ({
    id: r.id,
    userId: r.userId,
    sourceId: r.dataSourceId,
    status: "APPROVED",
    expiresAt: r.expiresAt,
  }));
  const manual: ManualSubscription[] = subscriptions.map((s) => ({
    id: s.id,
    userId: s.userId,
    sourceId: s.dataSourceId,
    accessType: s.accessType,
    expiresAt: s.expiresAt,
  }));
  return {
    users: engineUsers,
    sources: engineSources,
    policies: opts.policies ?? (policies ?? []).map(toEnginePolicy),
    accessRequests,
    subscriptions: manual,
    settings: { defaultMergeRule: settings?.defaultMergeRule ?? "ALL" },
  };
}
