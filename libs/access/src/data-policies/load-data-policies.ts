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

/** A user's profile facts, before they are tied to a platform account and its readable sources. */
export type ProfileFacts = {
  username: string;
  /** Group names. */
  groups: readonly string[];
  attributes: Readonly<Record<string, readonly string[]>>;
  projectId: string | null;
  /** Purpose names of the acting project, ancestors included. */
  purposes: readonly string[];
};

/** Profile rows from facts already loaded (the delta path loads them with the user's access facts). */
export function toProfileRows(
  accounts: readonly { userId: string; accountName: string }[],
  facts: ReadonlyMap<string, ProfileFacts>,
  readable: ReadonlyMap<string, readonly string[]>,
): ProfileRow[] {
  return accounts
    .flatMap((a) => {
      const f = facts.get(a.userId);
      if (!f) return [];
      const attributes: Record<string, string[]> = {};
      for (const [key, values] of Object.entries(f.attributes)) attributes[key] = [...values].sort();
      return [
        {
          accountName: a.accountName,
          userId: a.userId,
          username: f.username,
          groups: [...f.groups].sort(),
          attributes,
          projectId: f.projectId,
          purposes: f.purposes,
          sources: [...(readable.get(a.accountName) ?? [])].sort(),
        },
      ];
    })
    .sort((x, y) => x.accountName.localeCompare(y.accountName));
}

/** Who reads what, per account, from the desired access entries. */
export function readableSources(access: readonly { accountName: string; objectId: string }[]): Map<string, string[]> {
  const readable = new Map<string, string[]>();
  for (const a of access) readable.set(a.accountName, [...(readable.get(a.accountName) ?? []), a.objectId]);
  return readable;
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
  const facts = new Map<string, ProfileFacts & { groups: string[]; attributes: Record<string, string[]> }>();
  for (const u of users) {
    const project = acting.get(u.id);
    facts.set(u.id, {
      username: u.username,
      groups: [],
      attributes: {},
      projectId: project?.projectId ?? null,
      purposes: project?.purposeNames ?? [],
    });
  }
  for (const m of memberships) facts.get(m.userId)?.groups.push(m.group.name);
  for (const a of attributes) {
    const f = facts.get(a.userId);
    if (f) f.attributes[a.key] = [...(f.attributes[a.key] ?? []), a.value];
  }
  return toProfileRows(accounts, facts, readable);
}
