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

type MaskCandidate = { policy: DataPolicy; mask: Mask; depth: number; when: ParsedWhere | null; except: Expr | null };

export function resolveDataPolicies(input: ResolveInput): ResolveResult {
  const warnings: ResolveWarning[] = [];
  const conflicts: MaskConflict[] = [];
  const specs = new Map<string, PolicyViewSpec>();
  const index = indexSources(input.sources);

  // Per policy, once: the exception as a profile predicate, the parsed WHERE text, the scoped sources.
  const prepared = input.policies.map((policy) => {
    const except = policy.except === undefined ? null : exceptExpr(policy.except, input, policy.id, warnings);
    let parsed: ParsedWhere | null = null;
    let parseFailed = false;
    const sql = policy.rule.kind === "mask" ? policy.rule.when : policy.rule.rule.kind === "where" ? policy.rule.rule.sql : undefined;
    if (sql !== undefined) {
      try {
        parsed = parseWhere(sql);
      } catch (e) {
        // Validation refuses these at authoring time; a stored one that no longer parses fails closed.
        parseFailed = true;
        warnings.push({ sourceId: null, policyId: policy.id, code: "INVALID_WHERE", message: (e as Error).message });
      }
    }
    return { policy, except, parsed, parseFailed, sources: sourcesInScope(index, policy) };
  });

  const bySource = new Map<number, (typeof prepared)[number][]>();
  for (const p of prepared) {
    for (const s of p.sources) {
      const list = bySource.get(s);
      if (list === undefined) bySource.set(s, [p]);
      else list.push(p);
    }
  }

  input.sources.forEach((source, si) => {
    const attached = bySource.get(si) ?? [];
    if (attached.length === 0 && !input.viewsForEverything?.has(source.connectionId)) return;
    const colIndex = new Map(source.columns.map((c, i) => [c.name, i]));
    const tagIndex = columnTagIndex(source.columns);
    const candidates: MaskCandidate[][] = source.columns.map(() => []);
    const rowFilters: Expr[] = [];
    const warn = (policyId: string, code: string, message: string) => warnings.push({ sourceId: source.id, policyId, code, message });

    for (const p of attached) {
      const rule = p.policy.rule;
      if (rule.kind === "mask") {
        const targets =
          rule.columns.kind === "names"
            ? rule.columns.names.flatMap((n) => {
                const i = colIndex.get(n);
                if (i === undefined) warn(p.policy.id, "UNKNOWN_COLUMN", `no column ${n}: nothing to mask`);
                return i === undefined ? [] : [i];
              })
            : (tagIndex.get(rule.columns.tag) ?? []);
        const depth = rule.columns.kind === "names" ? Number.POSITIVE_INFINITY : rule.columns.tag.split(".").length;
        const when = rule.when === undefined ? null : p.parseFailed ? { expr: TRUE, tags: [] } : p.parsed;
        for (const i of targets) candidates[i]!.push({ policy: p.policy, mask: rule.mask, depth, when, except: p.except });
      } else {
        const filter = p.parseFailed ? FALSE : rowRuleExpr(rule.rule, p.parsed, source, colIndex, (m) => warn(p.policy.id, "ROW_RULE", m));
        rowFilters.push(p.except === null ? filter : orOf([filter, p.except]));
      }
    }

    const sourceConflicts: MaskConflict[] = [];
    const columns: ViewColumn[] = source.columns.map((c, i) => {
      const plain: ViewColumn = { name: c.name, type: c.type, dataType: c.dataType, expr: column(c.name) };
      const cands = candidates[i]!;
      if (cands.length === 0) return plain;
      const sorted = [...cands].sort(compareCandidates);
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
      return maskedColumn(c, winner, source, colIndex, (m) => warn(winner.policy.id, "MASK_CONDITION", m));
    });
    conflicts.push(...sourceConflicts);
    specs.set(source.id, {
      sourceId: source.id,
      columns,
      rowFilter: rowFilters.length === 0 ? null : andOf(rowFilters),
      policyIds: attached.map((p) => p.policy.id).sort(),
      conflicts: sourceConflicts,
    });
  });
  return { specs, conflicts, warnings };
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

function rowRuleExpr(
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

function indexSources(sources: readonly DataSourceInfo[]): SourceIndex {
  const idx: SourceIndex = {
    all: sources.map((_, i) => i),
    byId: new Map(),
    byTag: new Map(),
    byConnection: new Map(),
    bySchema: new Map(),
  };
  sources.forEach((s, i) => {
    idx.byId.set(s.id, i);
    for (const t of s.tags) for (const a of tagAncestors(t)) push(idx.byTag, a, i);
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
function columnTagIndex(columns: readonly DataColumn[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  columns.forEach((c, i) => {
    for (const t of c.tags) for (const a of tagAncestors(t)) push(out, a, i);
  });
  return out;
}
