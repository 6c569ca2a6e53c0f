import type { Db, Tx } from "@steward/db";
import type { Condition, DataPolicyDefinition, Restriction, Scope } from "@steward/policy";
import type {
  DocCondition,
  DocConnection,
  DocDataPolicy,
  DocDataSourceTags,
  DocProject,
  DocPurpose,
  DocSubscriptionPolicy,
  DocTag,
  PolicyDocument,
  SourceRef,
} from "./document";
import { API_VERSION } from "./document";

/**
 * The live state in the document's own vocabulary (names, never ids), plus the id ↔ name lookups the
 * translation needs. Export prints it; plan diffs a file against it.
 */

export type Names = {
  users: Map<string, string>;
  groups: Map<string, string>;
  purposes: Map<string, string>;
  connections: Map<string, string>;
  sources: Map<string, SourceRef>;
};

/** Tags a platform sync put on sources and columns (keyed by `tagKey`): the file does not own them. */
export type LiveState = { document: Required<Omit<PolicyDocument, "$schema">>; names: Names; syncTags: Set<string> };
export const tagKey = (ref: SourceRef, column: string | null, tag: string) => `${sourceKey(ref)}\u0000${column ?? ""}\u0000${tag}`;

const byName = <T extends { name: string }>(xs: T[]) => xs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();
export const sourceKey = (r: SourceRef) => `${r.connection}\u0000${r.name}`;
const compareRefs = (a: SourceRef, b: SourceRef) => (sourceKey(a) < sourceKey(b) ? -1 : sourceKey(a) > sourceKey(b) ? 1 : 0);
export const sortedRefs = (xs: readonly SourceRef[]) => {
  const seen = new Map(xs.map((x) => [sourceKey(x), { connection: x.connection, name: x.name }]));
  return [...seen.values()].sort(compareRefs);
};

const unknown = (what: string, id: string) => `<unknown ${what} ${id}>`;

export function conditionToDoc(c: Condition, n: Names): DocCondition {
  switch (c.kind) {
    case "group":
      return { kind: "group", group: n.groups.get(c.group) ?? unknown("group", c.group) };
    case "purpose":
      return { kind: "purpose", purpose: n.purposes.get(c.purpose) ?? unknown("purpose", c.purpose) };
    case "attribute":
      return { kind: "attribute", key: c.key, match: c.match, values: [...c.values] };
    case "and":
    case "or":
      return { kind: c.kind, conditions: c.conditions.map((x) => conditionToDoc(x, n)) };
  }
}

const sourceRefOf = (id: string, n: Names): SourceRef => n.sources.get(id) ?? { connection: unknown("source", id), name: id };
const connectionOf = (id: string, n: Names) => n.connections.get(id) ?? unknown("connection", id);

function restrictionToDoc(r: Restriction, n: Names): DocSubscriptionPolicy["restriction"] {
  switch (r.kind) {
    case "anyone":
    case "anyoneWhoAsks":
      return { kind: r.kind };
    case "conditions":
      return { kind: "conditions", condition: conditionToDoc(r.condition, n) };
    case "users":
      return { kind: "users", users: sorted(r.userIds.map((id) => n.users.get(id) ?? unknown("user", id))) };
  }
}

function scopeToDoc(s: Scope | DataPolicyDefinition["scope"], n: Names): DocDataPolicy["scope"] & DocSubscriptionPolicy["scope"] {
  switch (s.kind) {
    case "sources":
      return { kind: "sources", sources: sortedRefs(s.sourceIds.map((id) => sourceRefOf(id, n))) };
    case "connection":
      return { kind: "connection", connection: connectionOf(s.connectionId, n) };
    case "schema":
      return {
        kind: "schema",
        connection: connectionOf(s.connectionId, n),
        ...(s.database !== undefined ? { database: s.database } : {}),
        schema: s.schema,
      };
    default:
      // tag, sourceTag and all carry no references
      return s as never;
  }
}

const withDescription = (d: string) => (d ? { description: d } : {});

export async function loadLiveState(db: Db | Tx): Promise<LiveState> {
  const [users, groups, purposes, connections, sources, tags, projects, policies, dataPolicies] = await Promise.all([
    db.user.findMany({ select: { id: true, username: true } }),
    db.group.findMany({ select: { id: true, name: true } }),
    db.purpose.findMany({ where: { deletedAt: null } }),
    db.connection.findMany({ where: { deletedAt: null } }),
    db.dataSource.findMany({
      where: { connection: { deletedAt: null } },
      select: {
        id: true,
        name: true,
        connectionId: true,
        tags: { select: { source: true, tag: { select: { name: true } } } },
        columns: { select: { name: true, tags: { select: { source: true, tag: { select: { name: true } } } } } },
      },
    }),
    db.tag.findMany(),
    db.project.findMany({
      where: { status: "ACTIVE" },
      include: { purposes: { select: { purposeId: true } }, sources: { select: { dataSourceId: true } } },
    }),
    db.subscriptionPolicy.findMany({ where: { deletedAt: null } }),
    db.dataPolicy.findMany({ where: { deletedAt: null } }),
  ]);
  const connectionName = new Map(connections.map((c) => [c.id, c.name]));
  const names: Names = {
    users: new Map(users.map((u) => [u.id, u.username])),
    groups: new Map(groups.map((g) => [g.id, g.name])),
    purposes: new Map(purposes.map((p) => [p.id, p.name])),
    connections: connectionName,
    sources: new Map(
      sources.flatMap((s) => {
        const connection = connectionName.get(s.connectionId);
        return connection ? [[s.id, { connection, name: s.name }] as const] : [];
      }),
    ),
  };

  const docTags: DocTag[] = byName(tags.map((t) => ({ name: t.name, ...withDescription(t.description) })));
  const docPurposes: DocPurpose[] = byName(
    purposes.map((p) => ({
      name: p.name,
      ...withDescription(p.description),
      acknowledgement: p.acknowledgement,
      ...(p.parentId ? { parent: names.purposes.get(p.parentId) ?? unknown("purpose", p.parentId) } : {}),
    })),
  );
  const syncTags = new Set<string>();
  const manual = (ref: SourceRef | undefined, column: string | null, ts: { source: string; tag: { name: string } }[]) =>
    sorted(
      ts.flatMap((t) => {
        if (t.source === "MANUAL") return [t.tag.name];
        if (ref) syncTags.add(tagKey(ref, column, t.tag.name));
        return [];
      }),
    );
  const docSources: DocDataSourceTags[] = sources
    .flatMap((s) => {
      const ref = names.sources.get(s.id);
      const sourceTags = manual(ref, null, s.tags);
      const columns = byName(s.columns.map((c) => ({ name: c.name, tags: manual(ref, c.name, c.tags) })).filter((c) => c.tags.length > 0));
      if (!ref || (sourceTags.length === 0 && columns.length === 0)) return [];
      return [{ ...ref, ...(sourceTags.length ? { tags: sourceTags } : {}), ...(columns.length ? { columns } : {}) }];
    })
    .sort(compareRefs);
  const docProjects: DocProject[] = byName(
    projects.map((p) => {
      const ps = sorted(p.purposes.map((x) => names.purposes.get(x.purposeId) ?? unknown("purpose", x.purposeId)));
      const ds = sortedRefs(p.sources.map((x) => sourceRefOf(x.dataSourceId, names)));
      return {
        name: p.name,
        ...withDescription(p.description),
        ...(ps.length ? { purposes: ps } : {}),
        ...(ds.length ? { dataSources: ds } : {}),
      };
    }),
  );
  const docPolicies: DocSubscriptionPolicy[] = byName(
    policies.map((p) => {
      const def = p.definition as { restriction: Restriction; scope: Scope };
      return {
        name: p.name,
        ...withDescription(p.description),
        accessType: p.accessType as "READ" | "WRITE",
        restriction: restrictionToDoc(def.restriction, names),
        scope: scopeToDoc(def.scope, names) as DocSubscriptionPolicy["scope"],
      };
    }),
  );
  const docDataPolicies: DocDataPolicy[] = byName(
    dataPolicies.map((p) => {
      const def = p.definition as DataPolicyDefinition;
      return {
        name: p.name,
        ...withDescription(p.description),
        scope: scopeToDoc(def.scope, names) as DocDataPolicy["scope"],
        rule: def.rule as DocDataPolicy["rule"],
        ...(def.except ? { except: conditionToDoc(def.except, names) } : {}),
      };
    }),
  );
  const docConnections: DocConnection[] = byName(
    connections.map((c) => ({
      name: c.name,
      ...withDescription(c.description),
      syncIntervalMinutes: c.syncIntervalMinutes,
      autoRegister: c.autoRegister,
    })),
  );
  return {
    document: {
      apiVersion: API_VERSION,
      tags: docTags,
      purposes: docPurposes,
      dataSources: docSources,
      projects: docProjects,
      subscriptionPolicies: docPolicies,
      dataPolicies: docDataPolicies,
      connections: docConnections,
    },
    names,
    syncTags,
  };
}
