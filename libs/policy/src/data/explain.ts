import type { Condition } from "../types";
import {
  describeMask,
  describeRowRule,
  describeTrace,
  type ExceptionTrace,
  type ExplainProfile,
  type ProfileFact,
  profileFactsOf,
  traceException,
} from "./explain-trace";
import { type ResolveWarning, resolveDataPolicies, rowRuleExpr } from "./resolve";
import type { DataPolicy, DataSourceInfo, Expr, Mask, MaskConflict, RowRule, ViewColumn } from "./types";
import { type ParsedWhere, parseWhere } from "./where-parser";

/**
 * "Why is this column masked / why are these rows hidden for me": data policies explained for one
 * user on one source. Pure; it resolves the source with the same `resolveDataPolicies` that builds the
 * policy views and reads the resulting spec, so the explanation cannot drift from what the view does.
 *
 * The user is described by their profile facts (what their platform profile row holds: group NAMES,
 * attribute values, purpose NAMES of the current project); exceptions name groups and purposes by id
 * and are translated with the same id → name maps the resolver gets.
 */
export type ExplainDataPoliciesInput = {
  source: DataSourceInfo;
  /** Data policies to consider; scopes decide which attach to `source` (passing all of them is fine). */
  policies: readonly DataPolicy[];
  /** Group id → name and purpose id → name (profiles carry names, exceptions ids). */
  groupNames: ReadonlyMap<string, string>;
  purposeNames: ReadonlyMap<string, string>;
  /** The querying user's facts, as their profile row holds them. */
  profile: ExplainProfile;
  /** The source's connection is set to "views for everything" (a view even without data policies). */
  viewsForEverything?: boolean;
};

export type PolicyRef = { policyId: string; policyName: string };

export type ColumnExplanation = {
  column: string;
  /**
   * clear: no mask applies · exempt: masked for others, clear for this user through the policy's
   * exception · masked: masked in every row · maskedWhen: masked only in rows matching `when.sql`.
   */
  status: "clear" | "exempt" | "masked" | "maskedWhen";
  /** The policy whose mask applies (the conflict winner); null when clear without any mask. */
  policy: PolicyRef | null;
  /** The mask as authored, and the one applied after the type fallback. */
  mask: Mask | null;
  applied: Mask | null;
  fallback: ViewColumn["fallback"] | null;
  /** Conditional masking; `failsClosed`: the condition does not fit this source, so every row is masked. */
  when: { sql: string; failsClosed: boolean } | null;
  /** The "for everyone except" condition traced for this user; null when the policy has none. */
  exception: ExceptionTrace | null;
  /** Other masks that matched the column and lost the conflict, and the rule that decided. */
  overridden: PolicyRef[];
  decidedBy: MaskConflict["decidedBy"] | null;
  reason: string;
};

export type RowRuleExplanation = {
  policy: PolicyRef;
  rule: RowRule;
  summary: string;
  /** The user satisfies the exception: this rule hides nothing from them. */
  exempt: boolean;
  exception: ExceptionTrace | null;
  /** The rule cannot apply to this source (missing column, wrong type, unparsable WHERE): it hides every row from everyone not exempt. */
  failsClosed: boolean;
  /** matchAttribute / matchGroups: the user's values rows are matched against (none → no rows). */
  matchedValues: readonly string[] | null;
  /** where: the macros it uses, evaluated for this user. */
  profileFacts: ProfileFact[];
  reason: string;
};

export type DataPolicyExplanation = {
  sourceId: string;
  /** A policy view exists for the source (some data policy attaches, or views for everything). */
  governed: boolean;
  /**
   * The user's subscription lets them read the source (`profile.sources` lists it); null when
   * `profile.sources` was not given. false: the view returns no rows to them, whatever the policies.
   */
  subscribed: boolean | null;
  /** Data policies attached to the source, ascending by id. */
  policies: PolicyRef[];
  columns: ColumnExplanation[];
  rowRules: RowRuleExplanation[];
  conflicts: readonly MaskConflict[];
  /** Resolution warnings about this source or the attached policies (fail-closed cases, unknown ids). */
  warnings: ResolveWarning[];
  /** Human-readable summary: masked columns, then row rules, then conflicts. */
  reasons: string[];
};

export function explainDataPolicies(input: ExplainDataPoliciesInput): DataPolicyExplanation {
  const { source, profile } = input;
  const names = { groupNames: input.groupNames, purposeNames: input.purposeNames };
  const resolved = resolveDataPolicies({
    sources: [source],
    policies: input.policies,
    groupNames: input.groupNames,
    purposeNames: input.purposeNames,
    viewsForEverything: input.viewsForEverything ? new Set([source.connectionId]) : undefined,
  });
  const spec = resolved.specs.get(source.id);
  const byId = new Map(input.policies.map((p) => [p.id, p]));
  const ref = (p: DataPolicy): PolicyRef => ({ policyId: p.id, policyName: p.name });
  const attached = (spec?.policyIds ?? []).flatMap((id) => byId.get(id) ?? []);
  const attachedIds = new Set(attached.map((p) => p.id));
  const warnings = resolved.warnings.filter((w) => (w.sourceId === null || w.sourceId === source.id) && attachedIds.has(w.policyId));
  const trace = (c: Condition | undefined) => (c === undefined ? null : traceException(c, profile, names));

  const columns = source.columns.map((c): ColumnExplanation => {
    const viewCol = spec?.columns.find((v) => v.name === c.name);
    const winner = viewCol?.maskedBy === undefined ? undefined : byId.get(viewCol.maskedBy);
    if (viewCol === undefined || winner === undefined || winner.rule.kind !== "mask") {
      return {
        column: c.name,
        status: "clear",
        policy: null,
        mask: null,
        applied: null,
        fallback: null,
        when: null,
        exception: null,
        overridden: [],
        decidedBy: null,
        reason: `${c.name}: no data policy masks this column`,
      };
    }
    const rule = winner.rule;
    const conflict = spec?.conflicts.find((x) => x.column === c.name);
    const exception = trace(winner.except);
    const when = rule.when === undefined ? null : { sql: rule.when, failsClosed: maskConditionOf(viewCol.expr, winner) === "closed" };
    const status = exception?.satisfied ? "exempt" : when !== null && !when.failsClosed ? "maskedWhen" : "masked";
    const applied: Mask = viewCol.fallback === undefined ? rule.mask : (appliedMask(viewCol.expr) ?? rule.mask);
    const out: ColumnExplanation = {
      column: c.name,
      status,
      policy: ref(winner),
      mask: rule.mask,
      applied,
      fallback: viewCol.fallback ?? null,
      when,
      exception,
      overridden: conflict?.losers ?? [],
      decidedBy: conflict?.decidedBy ?? null,
      reason: "",
    };
    return { ...out, reason: columnReason(out) };
  });

  const rowRules = attached.flatMap((p): RowRuleExplanation[] => {
    if (p.rule.kind !== "rows") return [];
    const rule = p.rule.rule;
    const exception = trace(p.except);
    let parsed: ParsedWhere | null = null;
    let parseFailed = false;
    if (rule.kind === "where") {
      try {
        parsed = parseWhere(rule.sql);
      } catch {
        parseFailed = true;
      }
    }
    const colIndex = new Map(source.columns.map((c, i) => [c.name, i]));
    const filter = parseFailed ? null : rowRuleExpr(rule, parsed, source, colIndex, () => {});
    const failsClosed = filter === null || isFalse(filter);
    const matchedValues =
      rule.kind === "matchAttribute" ? (profile.attributes[rule.attribute] ?? []) : rule.kind === "matchGroups" ? profile.groups : null;
    const out: RowRuleExplanation = {
      policy: ref(p),
      rule,
      summary: describeRowRule(rule),
      exempt: exception?.satisfied ?? false,
      exception,
      failsClosed,
      matchedValues,
      profileFacts: filter === null || failsClosed ? [] : profileFactsOf(filter, profile),
      reason: "",
    };
    return [{ ...out, reason: rowReason(out) }];
  });

  const conflicts = spec?.conflicts ?? [];
  const reasons = spec
    ? [
        ...columns.filter((c) => c.status !== "clear").map((c) => c.reason),
        ...rowRules.map((r) => r.reason),
        ...conflicts.map(
          (x) =>
            `${x.column}: ${x.losers.length + 1} masks match; "${x.winner.policyName}" wins by ${DECIDED_BY[x.decidedBy]} over ${x.losers.map((l) => `"${l.policyName}"`).join(", ")}`,
        ),
      ]
    : ["no data policy applies to this source: you see it as stored"];
  if (spec && reasons.length === 0) reasons.push("data policies apply to this source, but none masks a column or hides a row for you");
  const subscribed = profile.sources === undefined ? null : profile.sources.includes(source.id);
  if (subscribed === false) reasons.unshift("you have no subscription to this source: it shows you no rows at all");
  return {
    sourceId: source.id,
    governed: spec !== undefined,
    subscribed,
    policies: attached.map(ref),
    columns,
    rowRules,
    conflicts,
    warnings,
    reasons,
  };
}

const DECIDED_BY: Record<MaskConflict["decidedBy"], string> = {
  deeperTag: "the deeper tag",
  stricterMask: "the stricter mask",
  olderPolicy: "being the older policy",
};

const isFalse = (e: Expr) => e.k === "literal" && e.value.k === "boolean" && !e.value.value;
const isTrue = (e: Expr) => e.k === "literal" && e.value.k === "boolean" && e.value.value;

/**
 * The `when` of a masked column as the view has it. resolve.ts builds
 * `[CASE WHEN except THEN col ELSE] CASE WHEN <when> THEN mask ELSE col END`; a `when` that does not fit
 * the source became TRUE there (mask every row).
 */
function maskConditionOf(expr: Expr, p: DataPolicy): "closed" | "bound" {
  let e = expr;
  if (p.except !== undefined && e.k === "case") e = e.else;
  return e.k === "case" && isTrue(e.when) ? "closed" : "bound";
}

/** The mask node inside a column's expression (after the type fallback). */
function appliedMask(e: Expr): Mask | null {
  if (e.k === "mask") return e.mask;
  if (e.k === "case") return appliedMask(e.then) ?? appliedMask(e.else);
  return null;
}

function columnReason(c: ColumnExplanation): string {
  const policy = `policy "${c.policy?.policyName}"`;
  const how = c.applied ? describeMask(c.applied) : "";
  const fb = c.fallback ? ` (${c.fallback.requested} does not fit this column: ${c.fallback.reason})` : "";
  const except = c.exception ? describeTrace(c.exception) : null;
  switch (c.status) {
    case "exempt":
      return `${c.column}: clear for you — ${policy} masks it for everyone except those its exception admits, and ${except}`;
    case "maskedWhen":
      return `${c.column}: ${how}${fb} by ${policy} in rows where ${c.when?.sql}${except ? `; you are not exempt: ${except}` : ""}`;
    case "masked": {
      const closed = c.when?.failsClosed ? ` (its condition ${c.when.sql} does not fit this source, so every row is masked)` : "";
      return `${c.column}: ${how}${fb} by ${policy}${closed}${except ? `; you are not exempt: ${except}` : "; the policy has no exception"}`;
    }
    case "clear":
      return `${c.column}: no data policy masks this column`;
  }
}

function rowReason(r: RowRuleExplanation): string {
  const policy = `policy "${r.policy.policyName}"`;
  const except = r.exception ? describeTrace(r.exception) : null;
  if (r.exempt) return `${policy} (${r.summary}) hides nothing from you: ${except}`;
  const notExempt = except ? `; you are not exempt: ${except}` : "";
  if (r.failsClosed) return `${policy} hides every row: ${r.summary} cannot apply to this source${notExempt}`;
  if (r.matchedValues !== null) {
    const values = r.matchedValues.length === 0 ? "you have none, so no rows are shown" : `yours: ${r.matchedValues.join(", ")}`;
    return `${policy}: ${r.summary} (${values})${notExempt}`;
  }
  const facts = r.profileFacts.map(describeFact);
  return `${policy}: ${r.summary}${facts.length > 0 ? ` (${facts.join("; ")})` : ""}${notExempt}`;
}

function describeFact(f: ProfileFact): string {
  switch (f.kind) {
    case "username":
      return `@username is ${f.username}`;
    case "groups":
      return `you are ${f.holds ? "" : "not "}in group ${f.value}`;
    case "purposes":
      return `your current project is ${f.holds ? "" : "not "}under purpose ${f.value}`;
    case "attributeValues":
      return `your ${f.key} ${f.holds ? "includes" : "does not include"} ${f.value}`;
  }
}
