import { assertNever } from "@steward/core";
import { tagAncestors } from "../scope";
import type { Condition } from "../types";
import { andOf, caseOf, column, FALSE, orOf, TRUE, text } from "./expr";
import { fallbackOf } from "./fallback";
import type {
  DataColumn,
  DataPolicy,
  DataSourceInfo,
  Expr,
  Mask,
  MaskConflict,
  MaskKind,
  PolicyViewSpec,
  RowRule,
  ViewColumn,
} from "./types";
import { bindWhere, columnsOf, type ParsedWhere, parseWhere } from "./where-parser";

/**
 * Data policies → one `PolicyViewSpec` per governed source (docs/data-policies.md):
 * - attach by scope (all / sources / sourceTag, hierarchical / connection / schema) and, for masks,
 *   by column selector (names / tagged, hierarchical);
 * - one mask per column: the deeper tag wins (a names selector is deepest), then the stricter mask
 *   (MASK_STRICTNESS), then the older policy (createdAt, then id); every conflict is reported;
 * - masked column = CASE WHEN <except holds> THEN column ELSE mask END ("except" true → clear value);
 *   a conditional mask masks only rows matching its `when`;
 * - row rules are ANDed, each `OR <except holds>`;
 * - whatever cannot be decided safely for a source (a rule naming a column it lacks) fails closed:
 *   FALSE for a row rule, "mask every row" for a mask condition — with a warning.
 */

/** Strictness, strictest first: a tie on tag depth goes to the mask that reveals least. */
export const MASK_STRICTNESS: readonly MaskKind[] = ["null", "constant", "hash", "showLast", "regexReplace", "roundDate", "roundNumber"];
const strictness = (m: Mask) => {
  const rank = MASK_STRICTNESS.indexOf(m.kind);
  // roundDate and roundNumber never meet on one column (dates vs numbers) but share the weakest rank.
  return m.kind === "roundNumber" ? MASK_STRICTNESS.indexOf("roundDate") : rank;
};

export type ResolveInput = {
  sources: readonly DataSourceInfo[];
  policies: readonly DataPolicy[];
  /** Group id → name and purpose id → name: profiles carry names, conditions ids. */
  groupNames: ReadonlyMap<string, string>;
  purposeNames: ReadonlyMap<string, string>;
  /** Connections set to "views for everything": their sources get a view even without data policies. */
  viewsForEverything?: ReadonlySet<string>;
};

export type ResolveWarning = { sourceId: string | null; policyId: string; code: string; message: string };

export type ResolveResult = {
  specs: Map<string, PolicyViewSpec>;
  conflicts: MaskConflict[];
  warnings: ResolveWarning[];
};

type MaskCandidate = {
  policy: DataPolicy;
  mask: Mask;
  depth: number;
  when: ParsedWhere | null;
  except: Expr | null;
  /** Masked columns this policy produced, by the shape of the column and source (see `Prepared`). */
  masked: Map<string, CachedColumn>;
  whereColumns: readonly string[];
};

/** What one source-independent computation produced, with the warnings to repeat for every source that hits it. */
type Cached = { expr: Expr; warnings: string[] };
type CachedColumn = { expr: Expr; type: ViewColumn["type"]; fallback: ViewColumn["fallback"] | undefined; warnings: string[] };

/**
 * One policy, prepared once for all sources. Most of what a policy contributes to a source depends
 * only on a few facts about the source — which columns a rule names exist, which columns carry the
 * tags a WHERE's @columnTagged asks for, the type of a time-window column — so it is computed once
 * per distinct "shape" (the cache key) and shared: expression objects are immutable and may appear in
 * many specs. The shape keys are built from exactly the inputs the computation reads, so the result
 * (and its warnings, in order) is what computing it for that source would give.
 */
type Prepared = {
  policy: DataPolicy;
  except: Expr | null;
  parsed: ParsedWhere | null;
  parseFailed: boolean;
  sources: readonly number[];
  /** Position in id order (specs list policy ids sorted). */
  rank: number;
  /** Mask rules: the one candidate every targeted column gets. */
  candidate: MaskCandidate | null;
  /** Columns the parsed WHERE / when reads (tag placeholders included): their presence is part of the shape. */
  whereColumns: readonly string[];
  rows: Map<string, Cached>;
};

/** Lazily built lookups over one source's columns. */
class SourceShape {
  private colIndex: Map<string, number> | null = null;
  private tagIndex: Map<string, number[]> | null = null;
  constructor(
    readonly source: DataSourceInfo,
    private readonly ancestors: (tag: string) => readonly string[],
  ) {}
  columns(): Map<string, number> {
    if (this.colIndex === null) {
      this.colIndex = new Map();
      const cols = this.source.columns;
      for (let i = 0; i < cols.length; i++) this.colIndex.set(cols[i]!.name, i);
    }
    return this.colIndex;
  }
  tagged(tag: string): readonly number[] {
    if (this.tagIndex === null) this.tagIndex = columnTagIndex(this.source.columns, this.ancestors);
    return this.tagIndex.get(tag) ?? [];
  }
  /** The shape a parsed WHERE sees: which of its columns exist, which columns carry each of its tags. */
  whereKey(whereColumns: readonly string[], parsed: ParsedWhere): string {
    const cols = this.columns();
    let key = "";
    for (const n of whereColumns) key += cols.has(n) ? "1" : "0";
    for (const t of parsed.tags) key += `\u0001${this.tagged(t).join(",")}`;
    return key;
  }
}

export function resolveDataPolicies(input: ResolveInput): ResolveResult {
  const warnings: ResolveWarning[] = [];
  const conflicts: MaskConflict[] = [];
  const specs = new Map<string, PolicyViewSpec>();
  const ancestorCache = new Map<string, readonly string[]>();
  const ancestors = (tag: string) => memo(ancestorCache, tag, () => tagAncestors(tag));
  const index = indexSources(input.sources, ancestors);
  // Specs list their policy ids sorted; sorting small integers per source is cheaper than strings.
  const idOrder = input.policies.map((p, i) => ({ id: p.id, i })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.i - b.i));
  const ranks = new Map(idOrder.map((x, rank) => [x.i, rank]));

  // Per policy, once: the exception as a profile predicate, the parsed WHERE text, the scoped sources.
  const prepared = input.policies.map((policy, i): Prepared => {
    const except = policy.except === undefined ? null : exceptExpr(policy.except, input, policy.id, warnings);
    let parsed: ParsedWhere | null = null;
    let parseFailed = false;
    const rule = policy.rule;
    const sql = rule.kind === "mask" ? rule.when : rule.rule.kind === "where" ? rule.rule.sql : undefined;
    if (sql !== undefined) {
      try {
        parsed = parseWhere(sql);
      } catch (e) {
        // Validation refuses these at authoring time; a stored one that no longer parses fails closed.
        parseFailed = true;
        warnings.push({ sourceId: null, policyId: policy.id, code: "INVALID_WHERE", message: (e as Error).message });
      }
    }
    const whereColumns = parsed === null ? [] : [...new Set(columnsOf(parsed.expr))];
    let candidate: MaskCandidate | null = null;
    if (rule.kind === "mask") {
      const depth = rule.columns.kind === "names" ? Number.POSITIVE_INFINITY : rule.columns.tag.split(".").length;
      const when = rule.when === undefined ? null : parseFailed ? { expr: TRUE, tags: [] } : parsed;
      candidate = { policy, mask: rule.mask, depth, when, except, masked: new Map(), whereColumns };
    }
    return {
      policy,
      except,
      parsed,
      parseFailed,
      sources: sourcesInScope(index, policy),
      rank: ranks.get(i)!,
      candidate,
      whereColumns,
      rows: new Map(),
    };
  });

  const bySource = new Map<number, Prepared[]>();
  for (const p of prepared) {
    for (const s of p.sources) {
      const list = bySource.get(s);
      if (list === undefined) bySource.set(s, [p]);
      else list.push(p);
    }
  }
  // An unmasked view column is one shared object per (name, type, native type): most of 10,000 × 50
  // columns are unmasked, and allocating each one separately was a large share of the time (GC).
  // Specs are values: nothing mutates them (the compilers, explain and plans only read).
  const plainColumns = new Map<string, Map<string, Map<string, ViewColumn>>>();
  const plainColumn = (c: DataColumn): ViewColumn => {
    const byType = memo(plainColumns, c.name, () => new Map<string, Map<string, ViewColumn>>());
    const byNative = memo(byType, c.type, () => new Map<string, ViewColumn>());
    return memo(byNative, c.dataType, () => ({ name: c.name, type: c.type, dataType: c.dataType, expr: column(c.name) }));
  };

  input.sources.forEach((source, si) => {
    const attached = bySource.get(si) ?? [];
    if (attached.length === 0 && !input.viewsForEverything?.has(source.connectionId)) return;
    const shape = new SourceShape(source, ancestors);
    // Sparse: most columns of most sources carry no mask.
    const candidates = new Map<number, MaskCandidate[]>();
    const rowFilters: Expr[] = [];
    const warn = (policyId: string, code: string, message: string) => warnings.push({ sourceId: source.id, policyId, code, message });

    for (const p of attached) {
      const rule = p.policy.rule;
      if (rule.kind === "mask") {
        let targets: readonly number[];
        if (rule.columns.kind === "names") {
          const cols = shape.columns();
          const found: number[] = [];
          for (const n of rule.columns.names) {
            const i = cols.get(n);
            if (i === undefined) warn(p.policy.id, "UNKNOWN_COLUMN", `no column ${n}: nothing to mask`);
            else found.push(i);
          }
          targets = found;
        } else targets = shape.tagged(rule.columns.tag);
        for (const i of targets) {
          const list = candidates.get(i);
          if (list === undefined) candidates.set(i, [p.candidate!]);
          else list.push(p.candidate!);
        }
      } else {
        const key = p.parseFailed ? "" : rowRuleKey(rule.rule, p, shape);
        let hit = p.rows.get(key);
        if (hit === undefined) {
          const messages: string[] = [];
          const filter = p.parseFailed ? FALSE : rowRuleExpr(rule.rule, p.parsed, source, shape.columns(), (m) => messages.push(m));
          hit = { expr: p.except === null ? filter : orOf([filter, p.except]), warnings: messages };
          p.rows.set(key, hit);
        }
        for (const m of hit.warnings) warn(p.policy.id, "ROW_RULE", m);
        rowFilters.push(hit.expr);
      }
    }

    // A policy in scope that changes nothing here (a global mask whose tag no column of this source
    // carries) gives the source no view: it keeps its direct grants, as a source without data policies
    // does, and users keep querying the table by its own name. Tagging a column later re-resolves it.
    if (candidates.size === 0 && rowFilters.length === 0 && !input.viewsForEverything?.has(source.connectionId)) return;
    const sourceConflicts: MaskConflict[] = [];
    const columns: ViewColumn[] = source.columns.map((c, i) => {
      const cands = candidates.get(i);
      if (cands === undefined) return plainColumn(c);
      const sorted = cands.length === 1 ? cands : [...cands].sort(compareCandidates);
      const winner = sorted[0]!;
      if (sorted.length > 1) {
        const runnerUp = sorted[1]!;
        sourceConflicts.push({
          sourceId: source.id,
          column: c.name,
          winner: { policyId: winner.policy.id, policyName: winner.policy.name },
          losers: sorted.slice(1).map((x) => ({ policyId: x.policy.id, policyName: x.policy.name })),
          decidedBy:
            winner.depth !== runnerUp.depth
              ? "deeperTag"
              : strictness(winner.mask) !== strictness(runnerUp.mask)
                ? "stricterMask"
                : "olderPolicy",
        });
      }
      const key = `${winner.when === null ? "" : shape.whereKey(winner.whereColumns, winner.when)}\u0002${c.type}\u0002${c.name}`;
      let hit = winner.masked.get(key);
      if (hit === undefined) {
        const messages: string[] = [];
        const col = maskedColumn(c, winner, source, shape.columns(), (m) => messages.push(m));
        hit = { expr: col.expr, type: col.type, fallback: col.fallback, warnings: messages };
        winner.masked.set(key, hit);
      }
      for (const m of hit.warnings) warn(winner.policy.id, "MASK_CONDITION", m);
      const out: ViewColumn = { name: c.name, type: hit.type, dataType: c.dataType, expr: hit.expr, maskedBy: winner.policy.id };
      return hit.fallback ? { ...out, fallback: hit.fallback } : out;
    });
    conflicts.push(...sourceConflicts);
    specs.set(source.id, {
      sourceId: source.id,
      columns,
      rowFilter: rowFilters.length === 0 ? null : andOf(rowFilters),
      policyIds: attached
        .map((p) => p.rank)
        .sort((a, b) => a - b)
        .map((r) => idOrder[r]!.id),
      conflicts: sourceConflicts,
    });
  });
  return { specs, conflicts, warnings };
}

/** The shape of a source a row rule's filter depends on (see `Prepared`). */
function rowRuleKey(rule: RowRule, p: Prepared, shape: SourceShape): string {
  switch (rule.kind) {
    case "matchAttribute":
    case "matchGroups":
    case "minimize":
      return shape.columns().has(rule.column) ? "1" : "0";
    case "timeWindow": {
      const i = shape.columns().get(rule.column);
      if (i === undefined) return "0";
      const c = shape.source.columns[i]!;
      return `1${c.type}\u0001${c.dataType}`;
    }
    case "where":
      return p.parsed === null ? "" : shape.whereKey(p.whereColumns, p.parsed);
    default:
      return assertNever(rule, "row rule");
  }
}

/** Deeper tag first, then stricter mask, then older policy, then id (total and deterministic). */
function compareCandidates(a: MaskCandidate, b: MaskCandidate): number {
  if (a.depth !== b.depth) return b.depth - a.depth;
  const s = strictness(a.mask) - strictness(b.mask);
  if (s !== 0) return s;
  const t = a.policy.createdAt.getTime() - b.policy.createdAt.getTime();
  if (t !== 0) return t;
  return a.policy.id < b.policy.id ? -1 : a.policy.id > b.policy.id ? 1 : 0;
}

function maskedColumn(
  c: DataColumn,
  w: MaskCandidate,
  source: DataSourceInfo,
  colIndex: ReadonlyMap<string, number>,
  warn: (message: string) => void,
): ViewColumn {
  const fb = fallbackOf(w.mask, c.type);
  const applied = fb?.applied ?? w.mask;
  let masked: Expr = { k: "mask", mask: applied, arg: column(c.name), type: c.type };
  if (w.when !== null) {
    const cond = boundOrClosed(w.when, source, colIndex, TRUE, warn);
    masked = caseOf(cond, masked, column(c.name));
  }
  const expr = w.except === null ? masked : caseOf(w.except, column(c.name), masked);
  const out: ViewColumn = {
    name: c.name,
    type: fb?.toText ? "text" : c.type,
    dataType: c.dataType,
    expr,
    maskedBy: w.policy.id,
  };
  return fb ? { ...out, fallback: { requested: fb.requested, applied: applied.kind, reason: fb.reason } } : out;
}

/** A parsed WHERE bound to the source, or `closed` when it names columns the source lacks. */
function boundOrClosed(
  parsed: ParsedWhere,
  source: DataSourceInfo,
  colIndex: ReadonlyMap<string, number>,
  closed: Expr,
  warn: (message: string) => void,
): Expr {
  const { expr, untagged } = bindWhere(parsed, source.columns);
  if (untagged.length > 0) warn(`no column is tagged ${untagged.join(", ")}: @columnTagged is FALSE here`);
  const missing = [...new Set(columnsOf(expr).filter((n) => !colIndex.has(n)))];
  if (missing.length > 0) {
    warn(`the condition names columns this source lacks (${missing.join(", ")}); failing closed`);
    return closed;
  }
  return expr;
}

/** One row rule's filter for a source (before its exception is ORed in); explain.ts reads it too. */
export function rowRuleExpr(
  rule: RowRule,
  parsed: ParsedWhere | null,
  source: DataSourceInfo,
  colIndex: ReadonlyMap<string, number>,
  warn: (message: string) => void,
): Expr {
  const need = (name: string): DataColumn | null => {
    const i = colIndex.get(name);
    if (i === undefined) {
      warn(`no column ${name}: every row is hidden`);
      return null;
    }
    return source.columns[i]!;
  };
  switch (rule.kind) {
    case "matchAttribute":
      return need(rule.column)
        ? { k: "inProfileSet", value: column(rule.column), set: { k: "attributeValues", key: rule.attribute } }
        : FALSE;
    case "matchGroups":
      return need(rule.column) ? { k: "inProfileSet", value: column(rule.column), set: { k: "groups" } } : FALSE;
    case "where":
      return parsed === null ? FALSE : boundOrClosed(parsed, source, colIndex, FALSE, warn);
    case "timeWindow": {
      const c = need(rule.column);
      if (c === null) return FALSE;
      if (c.type !== "date" && c.type !== "timestamp" && c.type !== "timestamptz") {
        warn(`column ${rule.column} is ${c.dataType}, not a date or timestamp: every row is hidden`);
        return FALSE;
      }
      return { k: "withinDays", column: rule.column, days: rule.days };
    }
    case "minimize":
      return need(rule.column) ? { k: "sample", column: rule.column, percent: rule.percent } : FALSE;
    default:
      return assertNever(rule, "row rule");
  }
}

/** `except` as a predicate over the profile: ids become the names the profile rows carry. */
export function exceptExpr(
  c: Condition,
  input: Pick<ResolveInput, "groupNames" | "purposeNames">,
  policyId: string,
  warnings: ResolveWarning[],
): Expr {
  switch (c.kind) {
    case "group": {
      const name = input.groupNames.get(c.group);
      if (name === undefined) {
        warnings.push({ sourceId: null, policyId, code: "UNKNOWN_GROUP", message: `no group ${c.group}: nobody is exempt through it` });
        return FALSE;
      }
      return { k: "inProfileSet", value: text(name), set: { k: "groups" } };
    }
    case "purpose": {
      const name = input.purposeNames.get(c.purpose);
      if (name === undefined) {
        warnings.push({
          sourceId: null,
          policyId,
          code: "UNKNOWN_PURPOSE",
          message: `no purpose ${c.purpose}: nobody is exempt through it`,
        });
        return FALSE;
      }
      return { k: "inProfileSet", value: text(name), set: { k: "purposes" } };
    }
    case "attribute": {
      const terms = [...new Set(c.values)].map(
        (v): Expr => ({ k: "inProfileSet", value: text(v), set: { k: "attributeValues", key: c.key } }),
      );
      return c.match === "anyOf" ? orOf(terms) : terms.length === 0 ? FALSE : andOf(terms);
    }
    case "and":
      return c.conditions.length === 0 ? FALSE : andOf(c.conditions.map((x) => exceptExpr(x, input, policyId, warnings)));
    case "or":
      return orOf(c.conditions.map((x) => exceptExpr(x, input, policyId, warnings)));
    default:
      return assertNever(c, "condition kind");
  }
}

type SourceIndex = {
  all: readonly number[];
  byId: Map<string, number>;
  byTag: Map<string, number[]>;
  byConnection: Map<string, number[]>;
  bySchema: Map<string, number[]>;
};

const schemaKey = (connectionId: string, database: string | undefined, schema: string) =>
  `${connectionId}\u0000${database ?? "\u0001"}\u0000${schema}`;

function push(map: Map<string, number[]>, key: string, v: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [v]);
  else if (list[list.length - 1] !== v) list.push(v);
}

function indexSources(sources: readonly DataSourceInfo[], ancestors: (tag: string) => readonly string[]): SourceIndex {
  const idx: SourceIndex = {
    all: sources.map((_, i) => i),
    byId: new Map(),
    byTag: new Map(),
    byConnection: new Map(),
    bySchema: new Map(),
  };
  sources.forEach((s, i) => {
    idx.byId.set(s.id, i);
    for (const t of s.tags) for (const a of ancestors(t)) push(idx.byTag, a, i);
    push(idx.byConnection, s.connectionId, i);
    if (s.location.schema !== undefined) {
      push(idx.bySchema, schemaKey(s.connectionId, undefined, s.location.schema), i);
      if (s.location.database !== undefined) push(idx.bySchema, schemaKey(s.connectionId, s.location.database, s.location.schema), i);
    }
  });
  return idx;
}

function sourcesInScope(idx: SourceIndex, p: DataPolicy): readonly number[] {
  const scope = p.scope;
  switch (scope.kind) {
    case "all":
      return idx.all;
    case "sources":
      return [...new Set(scope.sourceIds.flatMap((id) => idx.byId.get(id) ?? []))];
    case "sourceTag":
      return idx.byTag.get(scope.tag) ?? [];
    case "connection":
      return idx.byConnection.get(scope.connectionId) ?? [];
    case "schema":
      return idx.bySchema.get(schemaKey(scope.connectionId, scope.database, scope.schema)) ?? [];
    default:
      return assertNever(scope, "data policy scope");
  }
}

/** Column indices by every ancestor of every column tag (`PII` → columns tagged PII.Email too). */
function columnTagIndex(columns: readonly DataColumn[], ancestors: (tag: string) => readonly string[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (let i = 0; i < columns.length; i++) {
    const tags = columns[i]!.tags;
    for (const t of tags) for (const a of ancestors(t)) push(out, a, i);
  }
  return out;
}

/** The map's value for `key`, made and stored on first use. */
function memo<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}
