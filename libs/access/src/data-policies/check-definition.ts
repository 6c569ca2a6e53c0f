import { badInput, type FieldIssue } from "@steward/core";
import type { Db, Tx } from "@steward/db";
import { conditionLeafIssues, tagCovers } from "@steward/policy";
import type { DataPolicyDefinition } from "./definition";

/** Like the subscription engine's issues, with data-policy codes (UNKNOWN_COLUMN). */
export type DataPolicyIssue = { severity: "error" | "warning"; code: string; path: string; message: string };

type SourceFacts = { id: string; connectionId: string; path: string[]; tags: Set<string>; columns: Map<string, Set<string>> };

/** The governed sources with their columns and tags (source tags and column tags). */
export async function loadSourceFacts(db: Db | Tx): Promise<SourceFacts[]> {
  const [sources, columns, sourceTags, columnTags] = await Promise.all([
    db.dataSource.findMany({ select: { id: true, connectionId: true, catalogNode: { select: { path: true } } } }),
    db.dataSourceColumn.findMany({ where: { present: true }, select: { id: true, dataSourceId: true, name: true } }),
    db.dataSourceTag.findMany({ select: { dataSourceId: true, tag: { select: { name: true } } } }),
    db.columnTag.findMany({ select: { columnId: true, tag: { select: { name: true } } } }),
  ]);
  const byId = new Map<string, SourceFacts>(
    sources.map((s) => [s.id, { id: s.id, connectionId: s.connectionId, path: s.catalogNode.path, tags: new Set(), columns: new Map() }]),
  );
  const columnById = new Map<string, Set<string>>();
  for (const c of columns) {
    const tags = new Set<string>();
    byId.get(c.dataSourceId)?.columns.set(c.name, tags);
    columnById.set(c.id, tags);
  }
  for (const t of sourceTags) byId.get(t.dataSourceId)?.tags.add(t.tag.name);
  for (const t of columnTags) columnById.get(t.columnId)?.add(t.tag.name);
  return [...byId.values()];
}

/** Does the scope cover the source (mirrors the engine's data policy scope rules). */
export function scopeCovers(scope: DataPolicyDefinition["scope"], s: SourceFacts): boolean {
  switch (scope.kind) {
    case "all":
      return true;
    case "sources":
      return scope.sourceIds.includes(s.id);
    case "sourceTag":
      return [...s.tags].some((t) => tagCovers(scope.tag, t));
    case "connection":
      return s.connectionId === scope.connectionId;
    case "schema":
      return (
        s.connectionId === scope.connectionId &&
        s.path.length >= 2 &&
        s.path.at(-2) === scope.schema &&
        (scope.database === undefined || (s.path.length > 2 && s.path[0] === scope.database))
      );
  }
}

/**
 * Checks a definition against the catalog and identities: referenced sources, connections, columns,
 * groups, purposes and attribute keys. Errors (nothing is written) for what can never work on a
 * listed source; warnings for global scopes that match nothing yet.
 */
export async function checkDataPolicyReferences(db: Db | Tx, def: DataPolicyDefinition, root: string): Promise<DataPolicyIssue[]> {
  const [sources, keys, groups, purposes, connections] = await Promise.all([
    loadSourceFacts(db),
    db.userAttribute.findMany({ distinct: ["key"], select: { key: true } }),
    db.group.findMany({ select: { id: true } }),
    db.purpose.findMany({ where: { deletedAt: null }, select: { id: true } }),
    db.connection.findMany({ where: { deletedAt: null }, select: { id: true } }),
  ]);
  const errors: FieldIssue[] = [];
  const warnings: DataPolicyIssue[] = [];
  const scope = def.scope;
  if (scope.kind === "sources") {
    const known = new Set(sources.map((s) => s.id));
    scope.sourceIds.forEach((id, i) => {
      if (!known.has(id)) errors.push({ path: `${root}.scope.sourceIds.${i}`, message: "no such data source" });
    });
  }
  if ((scope.kind === "connection" || scope.kind === "schema") && !connections.some((c) => c.id === scope.connectionId))
    errors.push({ path: `${root}.scope.connectionId`, message: "no such connection" });
  const scoped = sources.filter((s) => scopeCovers(scope, s));
  if (scoped.length === 0)
    warnings.push({ severity: "warning", code: "EMPTY_SCOPE", path: `${root}.scope`, message: "no data source is in scope yet" });

  // Columns a rule names must exist: on every listed source (an error), on some scoped source otherwise (a warning).
  const named: { column: string; path: string }[] = [];
  const rule = def.rule;
  if (rule.kind === "mask" && rule.columns.kind === "names")
    rule.columns.names.forEach((c, i) => named.push({ column: c, path: `${root}.rule.columns.names.${i}` }));
  if (rule.kind === "rows" && rule.rule.kind !== "where") named.push({ column: rule.rule.column, path: `${root}.rule.rule.column` });
  for (const { column, path } of named) {
    const missing = scoped.filter((s) => !s.columns.has(column));
    if (scope.kind === "sources" && missing.length > 0)
      errors.push({ path, message: `no column ${column} in ${missing.map((s) => s.path.join(".")).join(", ")}` });
    else if (scoped.length > 0 && missing.length === scoped.length)
      warnings.push({ severity: "warning", code: "UNKNOWN_COLUMN", path, message: `no source in scope has a column ${column}` });
  }
  if (rule.kind === "mask" && rule.mask.kind === "regexReplace") {
    try {
      new RegExp(rule.mask.pattern);
    } catch (e) {
      errors.push({ path: `${root}.rule.mask.pattern`, message: `invalid regular expression: ${(e as Error).message}` });
    }
  }
  const rowRule = rule.kind === "rows" ? rule.rule : null;
  if (rowRule?.kind === "matchAttribute" && !keys.some((k) => k.key === rowRule.attribute))
    warnings.push({
      severity: "warning",
      code: "UNKNOWN_ATTRIBUTE_KEY",
      path: `${root}.rule.rule.attribute`,
      message: `no user attribute ${rowRule.attribute} is known; nobody sees a row yet`,
    });
  if (def.except)
    warnings.push(
      ...conditionLeafIssues(def.except, `${root}.except`, {
        attributeKeys: keys.map((k) => ({ key: k.key, multiValued: true })),
        groupIds: groups.map((g) => g.id),
        purposeIds: purposes.map((p) => p.id),
      }),
    );
  if (errors.length > 0) throw badInput(`Invalid data policy: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`, errors);
  return warnings;
}
