import { assertNever } from "@steward/core";
import type { DataSource, Scope } from "./types";

/** `A.B.C` → `A`, `A.B`, `A.B.C`: a source tagged `A.B.C` is in scope of a policy on any of them. */
export function tagAncestors(tag: string): string[] {
  const parts = tag.split(".");
  return parts.map((_, i) => parts.slice(0, i + 1).join("."));
}

/** Exact, case-sensitive, and on whole segments: `PII` covers `PII.Email` but not `PIIX`. */
export function tagCovers(policyTag: string, sourceTag: string): boolean {
  return sourceTag === policyTag || sourceTag.startsWith(`${policyTag}.`);
}

const schemaKey = (connectionId: string, database: string | undefined, schema: string) =>
  `${connectionId}\u0000${database ?? "\u0001any"}\u0000${schema}`;

/**
 * Why `scope` covers `source`, or null. Used by explanations and as the reference the index is tested
 * against; bulk evaluation goes through `SourceIndex` instead.
 */
export function scopeMatch(scope: Scope, source: DataSource): string | null {
  switch (scope.kind) {
    case "sources":
      return scope.sourceIds.includes(source.id) ? `source ${source.id} is listed by the policy` : null;
    case "tag": {
      const tag = source.tags.find((t) => tagCovers(scope.tag, t));
      return tag === undefined ? null : `tag ${scope.tag} covers source tag ${tag}`;
    }
    case "connection":
      return source.connectionId === scope.connectionId ? `source belongs to connection ${scope.connectionId}` : null;
    case "schema": {
      const loc = source.location;
      if (source.connectionId !== scope.connectionId || loc.schema !== scope.schema) return null;
      if (scope.database !== undefined && loc.database !== scope.database) return null;
      return `source is in schema ${scope.database === undefined ? "" : `${scope.database}.`}${scope.schema} of connection ${scope.connectionId}`;
    }
    default:
      return assertNever(scope, "scope kind");
  }
}

/** Source indices by every key a global scope can name, so a policy finds its sources in one lookup. */
export type SourceIndex = {
  byId: ReadonlyMap<string, number>;
  byTag: ReadonlyMap<string, readonly number[]>;
  byConnection: ReadonlyMap<string, readonly number[]>;
  bySchema: ReadonlyMap<string, readonly number[]>;
};

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else if (list[list.length - 1] !== value) list.push(value);
}

export function buildSourceIndex(sources: readonly DataSource[]): SourceIndex {
  const byId = new Map<string, number>();
  const byTag = new Map<string, number[]>();
  const byConnection = new Map<string, number[]>();
  const bySchema = new Map<string, number[]>();
  sources.forEach((source, s) => {
    byId.set(source.id, s);
    // A source tagged both `PII` and `PII.Email` is pushed under `PII` once (the list-end check).
    for (const tag of source.tags) for (const key of tagAncestors(tag)) push(byTag, key, s);
    push(byConnection, source.connectionId, s);
    const { database, schema } = source.location;
    if (schema !== undefined) {
      push(bySchema, schemaKey(source.connectionId, undefined, schema), s);
      if (database !== undefined) push(bySchema, schemaKey(source.connectionId, database, schema), s);
    }
  });
  return { byId, byTag, byConnection, bySchema };
}

/** Source indices covered by `scope`, ascending and without duplicates. Unknown ids are skipped. */
export function sourcesInScope(index: SourceIndex, scope: Scope): number[] {
  switch (scope.kind) {
    case "sources": {
      const found = new Set<number>();
      for (const id of scope.sourceIds) {
        const s = index.byId.get(id);
        if (s !== undefined) found.add(s);
      }
      return [...found].sort((a, b) => a - b);
    }
    case "tag":
      return [...(index.byTag.get(scope.tag) ?? [])];
    case "connection":
      return [...(index.byConnection.get(scope.connectionId) ?? [])];
    case "schema":
      return [...(index.bySchema.get(schemaKey(scope.connectionId, scope.database, scope.schema)) ?? [])];
    default:
      return assertNever(scope, "scope kind");
  }
}
