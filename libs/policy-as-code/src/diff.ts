import type { DocCondition, PolicyDocument, SectionName, SourceRef } from "./document";
import { SECTIONS } from "./document";
import { type LiveState, sortedRefs, sourceKey, tagKey } from "./live-state";

/**
 * What a file would change, computed in the document's vocabulary (names): per object created,
 * updated, deleted or unchanged, with the fields that differ. Pure; `plan` and `apply` share it, so
 * an apply writes exactly what its plan showed. Sections the file leaves out are not compared.
 */

export type Action = "CREATE" | "UPDATE" | "DELETE" | "UNCHANGED";
export type FieldChange = { field: string; before: unknown; after: unknown };
export type ObjectChange = {
  section: SectionName;
  /** The object's name (`connection/qualified name` for data sources). */
  name: string;
  action: Action;
  fields: FieldChange[];
  /** Index of the object in the file's section (desired objects only): errors point at its line. */
  index: number | null;
  after: Record<string, unknown> | null;
  before: Record<string, unknown> | null;
};

/** JSON with sorted keys, so structurally equal values compare equal whatever order keys came in. */
export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

const sorted = (xs: readonly string[] | undefined) => [...new Set(xs ?? [])].sort();
const refs = (xs: readonly SourceRef[] | undefined) => sortedRefs(xs ?? []);

function canonicalCondition(c: DocCondition): DocCondition {
  if (c.kind === "and" || c.kind === "or") return { kind: c.kind, conditions: c.conditions.map(canonicalCondition) };
  return c;
}

function canonicalScope<T extends { kind: string }>(s: T): T {
  const x = s as T & { sources?: SourceRef[]; users?: string[] };
  if (x.kind === "sources" && x.sources) return { ...x, sources: refs(x.sources) };
  return s;
}

type Canon = Record<string, unknown>;

/** One object of a section in canonical form: defaults filled, unordered lists sorted. */
function canonical(section: SectionName, item: Record<string, unknown>): Canon {
  const d = (item.description as string | undefined) ?? "";
  switch (section) {
    case "tags":
      return { name: item.name, description: d };
    case "purposes":
      return { name: item.name, description: d, acknowledgement: item.acknowledgement, parent: item.parent ?? null };
    case "dataSources": {
      const ref = { connection: item.connection as string, name: item.name as string };
      const cols = (item.columns as { name: string; tags: string[] }[] | undefined) ?? [];
      return {
        connection: ref.connection,
        name: ref.name,
        tags: sorted(item.tags as string[] | undefined),
        columns: cols
          .map((c) => ({ name: c.name, tags: sorted(c.tags) }))
          .filter((c) => c.tags.length > 0)
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      };
    }
    case "projects":
      return {
        name: item.name,
        description: d,
        purposes: sorted(item.purposes as string[] | undefined),
        dataSources: refs(item.dataSources as SourceRef[] | undefined),
      };
    case "subscriptionPolicies": {
      const r = item.restriction as { kind: string; users?: string[]; condition?: DocCondition };
      const restriction =
        r.kind === "users"
          ? { kind: "users", users: sorted(r.users) }
          : r.kind === "conditions" && r.condition
            ? { kind: "conditions", condition: canonicalCondition(r.condition) }
            : r;
      return {
        name: item.name,
        description: d,
        accessType: item.accessType,
        restriction,
        scope: canonicalScope(item.scope as { kind: string }),
      };
    }
    case "dataPolicies":
      return {
        name: item.name,
        description: d,
        scope: canonicalScope(item.scope as { kind: string }),
        rule: item.rule,
        except: item.except ? canonicalCondition(item.except as DocCondition) : null,
      };
    case "connections":
      return {
        name: item.name,
        description: d,
        syncIntervalMinutes: item.syncIntervalMinutes ?? null,
        autoRegister: item.autoRegister ?? false,
      };
  }
}

const keyOf = (section: SectionName, item: Record<string, unknown>) =>
  section === "dataSources" ? sourceKey(item as SourceRef) : (item.name as string);
const displayName = (section: SectionName, item: Record<string, unknown>) =>
  section === "dataSources" ? `${item.connection}/${item.name}` : (item.name as string);

function fieldChanges(before: Canon, after: Canon): FieldChange[] {
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return fields
    .filter((f) => stableJson(before[f]) !== stableJson(after[f]))
    .map((field) => ({ field, before: before[field] ?? null, after: after[field] ?? null }));
}

/**
 * A tag a sync put on a source stays whether or not the file names it; one the file names counts as
 * present, so a file written before the sync does not drift.
 */
function withSyncTags(desired: Canon, live: LiveState): Canon {
  const ref = { connection: desired.connection as string, name: desired.name as string };
  const notSync = (column: string | null) => (t: string) => !live.syncTags.has(tagKey(ref, column, t));
  const columns = (desired.columns as { name: string; tags: string[] }[])
    .map((c) => ({ name: c.name, tags: c.tags.filter(notSync(c.name)) }))
    .filter((c) => c.tags.length > 0);
  return { ...desired, tags: (desired.tags as string[]).filter(notSync(null)), columns };
}

export function diffDocument(desired: PolicyDocument, live: LiveState): ObjectChange[] {
  const changes: ObjectChange[] = [];
  for (const section of SECTIONS) {
    const wanted = desired[section] as Record<string, unknown>[] | undefined;
    if (!wanted) continue;
    const current = new Map(
      (live.document[section] as Record<string, unknown>[]).map((x) => [keyOf(section, x), canonical(section, x)] as const),
    );
    const named = new Set<string>();
    wanted.forEach((raw, index) => {
      const key = keyOf(section, raw);
      named.add(key);
      let after = canonical(section, raw);
      if (section === "dataSources") after = withSyncTags(after, live);
      const before = current.get(key) ?? null;
      if (section === "connections" && before) {
        // Settings the file leaves out keep their live value.
        const given = Object.keys(raw);
        after = Object.fromEntries(Object.entries(before).map(([k, v]) => [k, given.includes(k) ? after[k] : v]));
      }
      const name = displayName(section, raw);
      if (!before) changes.push({ section, name, action: "CREATE", fields: fieldChanges({}, after), index, before: null, after });
      else {
        const fields = fieldChanges(before, after);
        changes.push({ section, name, action: fields.length ? "UPDATE" : "UNCHANGED", fields, index, before, after });
      }
    });
    // Connections are never deleted from a file: only their settings are managed.
    if (section === "connections") continue;
    for (const [key, before] of current) {
      if (named.has(key)) continue;
      const hasNothing = section === "dataSources" && (before.tags as string[]).length === 0 && (before.columns as unknown[]).length === 0;
      if (hasNothing) continue;
      changes.push({
        section,
        name: displayName(section, before),
        action: "DELETE",
        fields: fieldChanges(before, {}),
        index: null,
        before,
        after: null,
      });
    }
  }
  return changes;
}

export const hasChanges = (changes: readonly ObjectChange[]) => changes.some((c) => c.action !== "UNCHANGED");
