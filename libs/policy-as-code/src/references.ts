import type { FieldIssue } from "@steward/core";
import type { Tx } from "@steward/db";
import type { Condition, DataPolicyDefinition, Restriction, Scope } from "@steward/policy";
import type { DocCondition, DocDataPolicy, DocSubscriptionPolicy, PolicyDocument, SourceRef } from "./document";
import type { LiveState } from "./live-state";
import { sourceKey } from "./live-state";
import { issueAt, type ParsedDocument, type PathSegment } from "./parse";

/**
 * Names → ids. Every reference a file makes is checked before anything is written, against what will
 * exist once the file is applied: a section the file declares is exactly its objects; a section it
 * leaves out is the live state. A reference to a missing tag, user, group, purpose, connection,
 * source or column is an error naming its line.
 */

export type Ids = {
  users: Map<string, string>;
  groups: Map<string, string>;
  purposes: Map<string, string>;
  connections: Map<string, string>;
  sources: Map<string, string | null>; // null: two sources share the name
};

export async function loadIds(tx: Tx): Promise<Ids> {
  const [users, groups, purposes, connections, sources] = await Promise.all([
    tx.user.findMany({ select: { id: true, username: true } }),
    tx.group.findMany({ select: { id: true, name: true } }),
    tx.purpose.findMany({ where: { deletedAt: null }, select: { id: true, name: true } }),
    tx.connection.findMany({ where: { deletedAt: null }, select: { id: true, name: true } }),
    tx.dataSource.findMany({
      where: { connection: { deletedAt: null } },
      select: { id: true, name: true, connection: { select: { name: true } } },
    }),
  ]);
  const sourceIds = new Map<string, string | null>();
  for (const s of sources) {
    const key = sourceKey({ connection: s.connection.name, name: s.name });
    sourceIds.set(key, sourceIds.has(key) ? null : s.id);
  }
  return {
    users: new Map(users.map((u) => [u.username, u.id])),
    groups: new Map(groups.map((g) => [g.name, g.id])),
    purposes: new Map(purposes.map((p) => [p.name, p.id])),
    connections: new Map(connections.map((c) => [c.name, c.id])),
    sources: sourceIds,
  };
}

function missing(issues: FieldIssue[], locate: ParsedDocument["locate"], path: PathSegment[], what: string, name: string): void {
  issues.push(issueAt(locate, path, `${what} "${name}" does not exist`));
}

/** Checks every reference of the file; returns the problems (empty when all resolve). */
export async function checkReferences(tx: Tx, doc: PolicyDocument, live: LiveState, ids: Ids, locate: ParsedDocument["locate"]) {
  const issues: FieldIssue[] = [];
  const after = (section: "tags" | "purposes", liveNames: Iterable<string>) =>
    new Set(doc[section] ? doc[section].map((x) => x.name) : liveNames);
  const tags = after(
    "tags",
    live.document.tags.map((t) => t.name),
  );
  const purposes = after("purposes", ids.purposes.keys());

  const source = (ref: SourceRef, path: PathSegment[]): void => {
    if (!ids.connections.has(ref.connection)) {
      missing(issues, locate, [...path, "connection"], "connection", ref.connection);
      return;
    }
    const id = ids.sources.get(sourceKey(ref));
    if (id === undefined) missing(issues, locate, [...path, "name"], "data source", `${ref.connection}/${ref.name}`);
    else if (id === null)
      issues.push(issueAt(locate, [...path, "name"], `two data sources are named "${ref.name}" on "${ref.connection}"`));
  };
  const tag = (name: string, path: PathSegment[]) => {
    if (!tags.has(name)) missing(issues, locate, path, "tag", name);
  };
  const condition = (c: DocCondition, path: PathSegment[]): void => {
    if (c.kind === "group" && !ids.groups.has(c.group)) missing(issues, locate, [...path, "group"], "group", c.group);
    if (c.kind === "purpose" && !purposes.has(c.purpose)) missing(issues, locate, [...path, "purpose"], "purpose", c.purpose);
    if (c.kind === "and" || c.kind === "or") for (const [i, x] of c.conditions.entries()) condition(x, [...path, "conditions", i]);
  };
  const scope = (s: DocSubscriptionPolicy["scope"] | DocDataPolicy["scope"], path: PathSegment[]) => {
    if (s.kind === "sources") for (const [i, r] of s.sources.entries()) source(r, [...path, "sources", i]);
    if (s.kind === "tag" || s.kind === "sourceTag") tag(s.tag, [...path, "tag"]);
    if ((s.kind === "connection" || s.kind === "schema") && !ids.connections.has(s.connection))
      missing(issues, locate, [...path, "connection"], "connection", s.connection);
  };

  doc.purposes?.forEach((p, i) => {
    if (p.parent && !purposes.has(p.parent)) missing(issues, locate, ["purposes", i, "parent"], "purpose", p.parent);
  });
  const columnChecks: { ref: SourceRef; column: string; path: PathSegment[] }[] = [];
  doc.dataSources?.forEach((s, i) => {
    const before = issues.length;
    source(s, ["dataSources", i]);
    for (const [j, t] of (s.tags ?? []).entries()) tag(t, ["dataSources", i, "tags", j]);
    s.columns?.forEach((c, j) => {
      for (const [k, t] of c.tags.entries()) tag(t, ["dataSources", i, "columns", j, "tags", k]);
      if (issues.length === before) columnChecks.push({ ref: s, column: c.name, path: ["dataSources", i, "columns", j, "name"] });
    });
  });
  if (columnChecks.length > 0) {
    const sourceIds = [...new Set(columnChecks.map((c) => ids.sources.get(sourceKey(c.ref)) as string))];
    const columns = await tx.dataSourceColumn.findMany({
      where: { dataSourceId: { in: sourceIds } },
      select: { dataSourceId: true, name: true },
    });
    const known = new Set(columns.map((c) => `${c.dataSourceId}\u0000${c.name}`));
    for (const c of columnChecks) {
      if (!known.has(`${ids.sources.get(sourceKey(c.ref))}\u0000${c.column}`))
        missing(issues, locate, c.path, "column", `${c.ref.connection}/${c.ref.name}.${c.column}`);
    }
  }
  doc.projects?.forEach((p, i) => {
    p.purposes?.forEach((x, j) => {
      if (!purposes.has(x)) missing(issues, locate, ["projects", i, "purposes", j], "purpose", x);
    });
    for (const [j, r] of (p.dataSources ?? []).entries()) source(r, ["projects", i, "dataSources", j]);
  });
  doc.subscriptionPolicies?.forEach((p, i) => {
    const r = p.restriction;
    if (r.kind === "users")
      r.users.forEach((u, j) => {
        if (!ids.users.has(u)) missing(issues, locate, ["subscriptionPolicies", i, "restriction", "users", j], "user", u);
      });
    if (r.kind === "conditions") condition(r.condition, ["subscriptionPolicies", i, "restriction", "condition"]);
    scope(p.scope, ["subscriptionPolicies", i, "scope"]);
  });
  doc.dataPolicies?.forEach((p, i) => {
    scope(p.scope, ["dataPolicies", i, "scope"]);
    if (p.except) condition(p.except, ["dataPolicies", i, "except"]);
    const cols = p.rule.kind === "mask" ? p.rule.columns : null;
    if (cols?.kind === "tagged") tag(cols.tag, ["dataPolicies", i, "rule", "columns", "tag"]);
  });
  doc.connections?.forEach((c, i) => {
    if (!ids.connections.has(c.name))
      issues.push(
        issueAt(
          locate,
          ["connections", i, "name"],
          `connection "${c.name}" does not exist (a file sets settings of existing connections only)`,
        ),
      );
  });
  return issues;
}

/** After `checkReferences` passed and the file's purposes exist: the engine's id-based forms. */
export function toEngineCondition(c: DocCondition, ids: Ids): Condition {
  switch (c.kind) {
    case "group":
      return { kind: "group", group: ids.groups.get(c.group) as string };
    case "purpose":
      return { kind: "purpose", purpose: ids.purposes.get(c.purpose) as string };
    case "attribute":
      return c;
    case "and":
    case "or":
      return { kind: c.kind, conditions: c.conditions.map((x) => toEngineCondition(x, ids)) };
  }
}

export const sourceIdOf = (ref: SourceRef, ids: Ids) => ids.sources.get(sourceKey(ref)) as string;

export function toEngineScope(s: DocSubscriptionPolicy["scope"] | DocDataPolicy["scope"], ids: Ids): Scope | DataPolicyDefinition["scope"] {
  switch (s.kind) {
    case "sources":
      return { kind: "sources", sourceIds: [...new Set(s.sources.map((r) => sourceIdOf(r, ids)))].sort() };
    case "connection":
      return { kind: "connection", connectionId: ids.connections.get(s.connection) as string };
    case "schema":
      return {
        kind: "schema",
        connectionId: ids.connections.get(s.connection) as string,
        ...(s.database !== undefined ? { database: s.database } : {}),
        schema: s.schema,
      };
    default:
      return s;
  }
}

export function toEngineRestriction(r: DocSubscriptionPolicy["restriction"], ids: Ids): Restriction {
  switch (r.kind) {
    case "users":
      return { kind: "users", userIds: [...new Set(r.users.map((u) => ids.users.get(u) as string))].sort() };
    case "conditions":
      return { kind: "conditions", condition: toEngineCondition(r.condition, ids) };
    default:
      return r;
  }
}
