import type { Db, Tx } from "@steward/db";
import type { DataPolicy, DataSourceInfo, ProfileRow } from "@steward/policy";
import { loadActingProjects } from "../projects/acting-purposes";
import { columnTypeOf } from "./column-types";
import type { DataPolicyDefinition } from "./definition";

export function toEngineDataPolicy(row: { id: string; name: string; definition: unknown; createdAt: Date }): DataPolicy {
  const def = row.definition as DataPolicyDefinition;
  return {
    id: row.id,
    name: row.name,
    scope: def.scope,
    rule: def.rule,
    ...(def.except ? { except: def.except } : {}),
    createdAt: row.createdAt,
  };
}

/**
 * What the data policy engine needs (ResolveInput of libs/policy/src/data/resolve.ts): the active
 * present sources (of one connection, or all) with their columns, native and normalised types and
 * tags; the live policies; id → name maps (profiles carry names, conditions ids); and the
 * connections set to "views for everything".
 */
export async function loadDataPolicyInput(db: Db | Tx, opts: { connectionId?: string; policies?: DataPolicy[] } = {}) {
  const where = {
    status: "ACTIVE" as const,
    catalogNode: { present: true },
    ...(opts.connectionId ? { connectionId: opts.connectionId } : {}),
  };
  const [sources, policies, groups, purposes, states] = await Promise.all([
    db.dataSource.findMany({
      where,
      select: {
        id: true,
        connectionId: true,
        catalogNode: { select: { path: true } },
        tags: { select: { tag: { select: { name: true } } } },
        columns: {
          where: { present: true },
          orderBy: { ordinal: "asc" },
          select: { name: true, dataType: true, tags: { select: { tag: { select: { name: true } } } } },
        },
      },
      orderBy: { id: "asc" },
    }),
    opts.policies ? null : db.dataPolicy.findMany({ where: { deletedAt: null }, orderBy: { id: "asc" } }),
    db.group.findMany({ select: { id: true, name: true } }),
    db.purpose.findMany({ where: { deletedAt: null }, select: { id: true, name: true } }),
    db.connectionAccessState.findMany({ where: { viewsForEverything: true }, select: { connectionId: true } }),
  ]);
  const infos: DataSourceInfo[] = sources.map((s) => {
    const path = s.catalogNode.path;
    return {
      id: s.id,
      connectionId: s.connectionId,
      location: {
        database: path.length > 2 ? path[0] : undefined,
        schema: path.length > 1 ? path.at(-2) : undefined,
        object: path.at(-1) ?? "",
      },
      tags: s.tags.map((t) => t.tag.name),
      columns: s.columns.map((c) => ({
        name: c.name,
        dataType: c.dataType,
        type: columnTypeOf(c.dataType),
        tags: c.tags.map((t) => t.tag.name),
      })),
    };
  });
  return {
    sources: infos,
    policies: opts.policies ?? (policies ?? []).map(toEngineDataPolicy),
    groupNames: new Map(groups.map((g) => [g.id, g.name])),
    purposeNames: new Map(purposes.map((p) => [p.id, p.name])),
    viewsForEverything: new Set(states.map((s) => s.connectionId)),
  };
}

/**
 * Profile rows for platform accounts: group names, attributes, the acting project and its purposes
 * by name (ancestors included), and the source ids the account may read (from the desired access).
 */
export async function loadProfiles(
  db: Db | Tx,
  accounts: readonly { userId: string; accountName: string }[],
  readable: ReadonlyMap<string, readonly string[]>,
): Promise<ProfileRow[]> {
  if (accounts.length === 0) return [];
  const userIds = accounts.map((a) => a.userId);
  const [users, memberships, attributes, acting] = await Promise.all([
    db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, username: true } }),
    db.groupMembership.findMany({ where: { userId: { in: userIds } }, select: { userId: true, group: { select: { name: true } } } }),
    db.userAttribute.findMany({ where: { userId: { in: userIds } }, select: { userId: true, key: true, value: true } }),
    loadActingProjects(db, userIds),
  ]);
  const usernames = new Map(users.map((u) => [u.id, u.username]));
  const groupsOf = new Map<string, string[]>();
  for (const m of memberships) groupsOf.set(m.userId, [...(groupsOf.get(m.userId) ?? []), m.group.name]);
  const attrsOf = new Map<string, Record<string, string[]>>();
  for (const a of attributes) {
    const rec = attrsOf.get(a.userId) ?? {};
    rec[a.key] = [...(rec[a.key] ?? []), a.value].sort();
    attrsOf.set(a.userId, rec);
  }
  return accounts
    .filter((a) => usernames.has(a.userId))
    .map((a) => {
      const project = acting.get(a.userId);
      return {
        accountName: a.accountName,
        userId: a.userId,
        username: usernames.get(a.userId)!,
        groups: (groupsOf.get(a.userId) ?? []).sort(),
        attributes: attrsOf.get(a.userId) ?? {},
        projectId: project?.projectId ?? null,
        purposes: project?.purposeNames ?? [],
        sources: [...(readable.get(a.accountName) ?? [])].sort(),
      };
    })
    .sort((x, y) => x.accountName.localeCompare(y.accountName));
}
