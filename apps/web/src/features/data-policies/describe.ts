/** Definitions as prose, for lists, detail pages and version diffs. */

import type { DataPolicyRuleFieldsFragment, DataPolicyScopeFieldsFragment, MaskConflictRule } from "@/gql/graphql";
import { describeCondition, type Names, type ReadCondition } from "../policies/policy-model"; // relative: unit tests run without the "@/" alias
import type { ReadMask, ReadRowRule } from "./data-policy-model";

export const CONFLICT_RULE_LABELS: Record<MaskConflictRule, string> = {
  deeperTag: "the deeper tag wins",
  stricterMask: "the stricter mask wins",
  olderPolicy: "the older policy wins",
};

export function describeDataScope(s: DataPolicyScopeFieldsFragment, names: Names): string {
  switch (s.__typename) {
    case "AllDataPolicyScope":
      return "Every data source";
    case "SourcesDataPolicyScope":
      return `${s.sourceIds.length} data source${s.sourceIds.length === 1 ? "" : "s"}`;
    case "SourceTagDataPolicyScope":
      return `Sources tagged ${s.tag}`;
    case "ConnectionDataPolicyScope":
      return `All of ${names.connection(s.connectionId)}`;
    case "SchemaDataPolicyScope":
      return `Schema ${s.database ? `${s.database}.` : ""}${s.schema} in ${names.connection(s.connectionId)}`;
  }
}

export function describeMask(m: ReadMask): string {
  switch (m.__typename) {
    case "NullMask":
      return "NULL";
    case "HashMask":
      return "hash";
    case "ConstantMask":
      return `constant “${m.value}”`;
    case "RegexReplaceMask":
      return `replace /${m.pattern}/ with “${m.replacement}”`;
    case "RoundNumberMask":
      return `round to ${m.bucket}`;
    case "RoundDateMask":
      return `truncate to ${m.unit}`;
    case "ShowLastMask":
      return `show last ${m.count}`;
  }
}

function describeRowRule(r: ReadRowRule): string {
  switch (r.__typename) {
    case "MatchAttributeRowRule":
      return `rows where ${r.column} is one of the user's ${r.attribute} values`;
    case "MatchGroupsRowRule":
      return `rows where ${r.column} is one of the user's groups`;
    case "WhereRowRule":
      return `rows where ${r.sql}`;
    case "TimeWindowRowRule":
      return `rows where ${r.column} is within the last ${r.days} day${r.days === 1 ? "" : "s"}`;
    case "MinimizeRowRule":
      return `a ${r.percent} % sample by ${r.column}`;
  }
}

export function describeRule(r: DataPolicyRuleFieldsFragment): string {
  if (r.__typename === "RowsDataPolicyRule") return `Only ${describeRowRule(r.rule)}`;
  const columns = r.columns.__typename === "NamesColumnSelector" ? r.columns.names.join(", ") : `columns tagged ${r.columns.tag}`;
  return `Mask ${columns}: ${describeMask(r.mask)}${r.when ? ` where ${r.when}` : ""}`;
}

export function describeExcept(c: ReadCondition | null, names: Names): string {
  return c ? `Except ${describeCondition(c, names)}` : "Applies to everyone";
}
