/**
 * The data policy builder's flat form and the mapping between it and the API's typed definition
 * (the generated `DataPolicyDefinitionInput` for writing, the `DataPolicyScopeFields` /
 * `DataPolicyRuleFields` fragments for reading). The "for everyone except" condition reuses the
 * subscription policy builder's condition form (`policies/policy-model.ts`).
 */

import type {
  ColumnSelectorInput,
  DataPolicyDefinitionInput,
  DataPolicyRuleFieldsFragment,
  DataPolicyRuleInput,
  DataPolicyScopeFieldsFragment,
  DataPolicyScopeInput,
  DateUnit,
  MaskInput,
  RowRuleInput,
} from "@/gql/graphql";
import { type ConditionForm, conditionToForm, EMPTY_CONDITION, formToCondition, type ReadCondition } from "../policies/policy-model"; // relative: unit tests run without the "@/" alias

export type DataScopeKind = keyof DataPolicyScopeInput;
export type RuleKind = keyof DataPolicyRuleInput;
export type MaskKind = keyof MaskInput;
export type RowKind = keyof RowRuleInput;
export type ColumnsKind = "names" | "tagged";

export type DataPolicyFormValues = {
  name: string;
  description?: string;
  scopeKind: DataScopeKind;
  sourceIds?: string[];
  sourceTag?: string;
  connectionId?: string;
  database?: string;
  schema?: string;
  ruleKind: RuleKind;
  columnsKind: ColumnsKind;
  columnNames?: string[];
  columnTag?: string;
  maskKind: MaskKind;
  constant?: string;
  pattern?: string;
  replacement?: string;
  bucket?: number | null;
  dateUnit?: DateUnit;
  showLast?: number | null;
  /** Conditional masking: mask only in rows matching `when`. */
  conditional?: boolean;
  when?: string;
  rowKind: RowKind;
  rowColumn?: string;
  rowAttribute?: string;
  whereSql?: string;
  days?: number | null;
  percent?: number | null;
  hasExcept: boolean;
  condition?: ConditionForm;
};

export const DATA_SCOPE_LABELS: Record<DataScopeKind, string> = {
  all: "Everything",
  sources: "Data sources",
  sourceTag: "Source tag",
  connection: "Connection",
  schema: "Schema",
};

export const MASK_LABELS: Record<MaskKind, string> = {
  null: "NULL",
  constant: "Constant",
  hash: "Hash (SHA-256, salted)",
  regexReplace: "Regex replace",
  roundNumber: "Round number to bucket",
  roundDate: "Truncate date",
  showLast: "Show last N characters",
};

export const ROW_LABELS: Record<RowKind, string> = {
  matchAttribute: "Match a user attribute",
  matchGroups: "Match the user's groups",
  where: "Custom WHERE",
  timeWindow: "Time window",
  minimize: "Minimisation (sample)",
};

/** The macros a custom WHERE (and a conditional mask's `when`) may use; the API parses and validates them. */
export const WHERE_MACROS: readonly { macro: string; meaning: string }[] = [
  { macro: "@username", meaning: "the querying user's username" },
  { macro: "@groupsContains('finance')", meaning: "the user is in the group" },
  { macro: "@attributeValuesContains('region', 'EU')", meaning: "the user holds that attribute value" },
  { macro: "@purposesContain('Research')", meaning: "the user's current project acts under the purpose" },
  { macro: "@columnTagged('PII')", meaning: "the column carrying the tag (use in comparisons)" },
];

export const NEW_DATA_POLICY: DataPolicyFormValues = {
  name: "",
  description: "",
  scopeKind: "sources",
  sourceIds: [],
  ruleKind: "mask",
  columnsKind: "tagged",
  columnNames: [],
  maskKind: "hash",
  conditional: false,
  rowKind: "matchAttribute",
  hasExcept: false,
  condition: EMPTY_CONDITION,
};

const trimmed = (s: string | undefined): string | null => (s?.trim() ? s.trim() : null);
const isNumber = (n: number | null | undefined): n is number => typeof n === "number" && Number.isFinite(n);

export function formToDataScope(v: Partial<DataPolicyFormValues>): DataPolicyScopeInput | null {
  switch (v.scopeKind) {
    case "all":
      return { all: true };
    case "sources":
      return v.sourceIds?.length ? { sources: v.sourceIds } : null;
    case "sourceTag": {
      const tag = trimmed(v.sourceTag);
      return tag ? { sourceTag: tag } : null;
    }
    case "connection":
      return v.connectionId ? { connection: v.connectionId } : null;
    case "schema": {
      const schema = trimmed(v.schema);
      if (!v.connectionId || !schema) return null;
      return { schema: { connectionId: v.connectionId, schema, database: trimmed(v.database) } };
    }
    default:
      return null;
  }
}

function formToMask(v: Partial<DataPolicyFormValues>): MaskInput | null {
  switch (v.maskKind) {
    case "null":
      return { null: true };
    case "hash":
      return { hash: true };
    // An empty constant is a legitimate mask ("" instead of the value); only a missing one is incomplete.
    case "constant":
      return v.constant === undefined ? null : { constant: v.constant };
    case "regexReplace":
      return v.pattern ? { regexReplace: { pattern: v.pattern, replacement: v.replacement ?? "" } } : null;
    // 0 is sent as typed: the API rejects it at the field (a bucket of 0 is bad input, not incomplete).
    case "roundNumber":
      return isNumber(v.bucket) ? { roundNumber: v.bucket } : null;
    case "roundDate":
      return v.dateUnit ? { roundDate: v.dateUnit } : null;
    case "showLast":
      return isNumber(v.showLast) ? { showLast: v.showLast } : null;
    default:
      return null;
  }
}

function formToRowRule(v: Partial<DataPolicyFormValues>): RowRuleInput | null {
  const column = trimmed(v.rowColumn);
  switch (v.rowKind) {
    case "matchAttribute": {
      const attribute = trimmed(v.rowAttribute);
      return column && attribute ? { matchAttribute: { column, attribute } } : null;
    }
    case "matchGroups":
      return column ? { matchGroups: column } : null;
    case "where": {
      const sql = trimmed(v.whereSql);
      return sql ? { where: sql } : null;
    }
    case "timeWindow":
      return column && isNumber(v.days) ? { timeWindow: { column, days: v.days } } : null;
    case "minimize":
      return column && isNumber(v.percent) ? { minimize: { column, percent: v.percent } } : null;
    default:
      return null;
  }
}

export function formToRule(v: Partial<DataPolicyFormValues>): DataPolicyRuleInput | null {
  if (v.ruleKind === "rows") {
    const rule = formToRowRule(v);
    return rule ? { rows: rule } : null;
  }
  if (v.ruleKind !== "mask") return null;
  const tag = trimmed(v.columnTag);
  const columns: ColumnSelectorInput | null =
    v.columnsKind === "names" ? (v.columnNames?.length ? { names: v.columnNames } : null) : tag ? { tagged: tag } : null;
  const mask = formToMask(v);
  if (!columns || !mask) return null;
  const when = v.conditional ? trimmed(v.when) : null;
  if (v.conditional && !when) return null;
  return { mask: { columns, mask, when } };
}

/** Null while the form is incomplete: the preview waits and saving says what is missing. */
export function formToDefinition(v: Partial<DataPolicyFormValues>): DataPolicyDefinitionInput | null {
  const scope = formToDataScope(v);
  const rule = formToRule(v);
  if (!scope || !rule) return null;
  if (!v.hasExcept) return { scope, rule, except: null };
  const except = formToCondition(v.condition);
  return except ? { scope, rule, except } : null;
}

/** What is still missing, for the message shown when saving an incomplete form. */
export function missingPart(v: Partial<DataPolicyFormValues>): string | null {
  if (!formToDataScope(v)) return "Choose what the policy covers before saving";
  if (!formToRule(v)) return v.ruleKind === "rows" ? "Complete the row rule before saving" : "Complete the mask before saving";
  if (v.hasExcept && !formToCondition(v.condition)) return "Complete the exception before saving";
  return null;
}

export type ReadMask = Extract<DataPolicyRuleFieldsFragment, { __typename: "MaskDataPolicyRule" }>["mask"];
export type ReadRowRule = Extract<DataPolicyRuleFieldsFragment, { __typename: "RowsDataPolicyRule" }>["rule"];

export type ReadDataPolicy = {
  name: string;
  description: string;
  scope: DataPolicyScopeFieldsFragment;
  rule: DataPolicyRuleFieldsFragment;
  except: ReadCondition | null;
};

function scopeToForm(s: DataPolicyScopeFieldsFragment): Partial<DataPolicyFormValues> {
  switch (s.__typename) {
    case "AllDataPolicyScope":
      return { scopeKind: "all" };
    case "SourcesDataPolicyScope":
      return { scopeKind: "sources", sourceIds: [...s.sourceIds] };
    case "SourceTagDataPolicyScope":
      return { scopeKind: "sourceTag", sourceTag: s.tag };
    case "ConnectionDataPolicyScope":
      return { scopeKind: "connection", connectionId: s.connectionId };
    case "SchemaDataPolicyScope":
      return { scopeKind: "schema", connectionId: s.connectionId, database: s.database ?? undefined, schema: s.schema };
  }
}

function maskToForm(m: ReadMask): Partial<DataPolicyFormValues> {
  switch (m.__typename) {
    case "NullMask":
      return { maskKind: "null" };
    case "HashMask":
      return { maskKind: "hash" };
    case "ConstantMask":
      return { maskKind: "constant", constant: m.value };
    case "RegexReplaceMask":
      return { maskKind: "regexReplace", pattern: m.pattern, replacement: m.replacement };
    case "RoundNumberMask":
      return { maskKind: "roundNumber", bucket: m.bucket };
    case "RoundDateMask":
      return { maskKind: "roundDate", dateUnit: m.unit };
    case "ShowLastMask":
      return { maskKind: "showLast", showLast: m.count };
  }
}

function rowRuleToForm(r: ReadRowRule): Partial<DataPolicyFormValues> {
  switch (r.__typename) {
    case "MatchAttributeRowRule":
      return { rowKind: "matchAttribute", rowColumn: r.column, rowAttribute: r.attribute };
    case "MatchGroupsRowRule":
      return { rowKind: "matchGroups", rowColumn: r.column };
    case "WhereRowRule":
      return { rowKind: "where", whereSql: r.sql };
    case "TimeWindowRowRule":
      return { rowKind: "timeWindow", rowColumn: r.column, days: r.days };
    case "MinimizeRowRule":
      return { rowKind: "minimize", rowColumn: r.column, percent: r.percent };
  }
}

function ruleToForm(r: DataPolicyRuleFieldsFragment): Partial<DataPolicyFormValues> {
  if (r.__typename === "RowsDataPolicyRule") return { ruleKind: "rows", ...rowRuleToForm(r.rule) };
  const columns: Partial<DataPolicyFormValues> =
    r.columns.__typename === "NamesColumnSelector"
      ? { columnsKind: "names", columnNames: [...r.columns.names] }
      : { columnsKind: "tagged", columnTag: r.columns.tag };
  return { ruleKind: "mask", ...columns, ...maskToForm(r.mask), conditional: r.when !== null, when: r.when ?? undefined };
}

/** The builder's values; `editableExcept` is false when the exception is deeper than the builder edits. */
export function dataPolicyToForm(p: ReadDataPolicy): { values: DataPolicyFormValues; editableExcept: boolean } {
  const condition = p.except ? conditionToForm(p.except) : null;
  return {
    editableExcept: p.except === null || condition !== null,
    values: {
      ...NEW_DATA_POLICY,
      name: p.name,
      description: p.description,
      ...scopeToForm(p.scope),
      ...ruleToForm(p.rule),
      hasExcept: p.except !== null,
      condition: condition ?? EMPTY_CONDITION,
    },
  };
}

/**
 * Typed error paths → the builder's field names. The API names either the typed input
 * (`input.definition.rule.mask.mask.roundNumber`) or the engine's form (`input.definition.rule.mask.pattern`,
 * `input.definition.scope.sourceIds.0`), so the suffix decides.
 */
const FIELD_OF_PATH: readonly [RegExp, keyof DataPolicyFormValues][] = [
  [/^name$/, "name"],
  [/^description$/, "description"],
  [/^definition\.scope\.(sources|sourceIds)$/, "sourceIds"],
  [/^definition\.scope\.(sourceTag|tag)$/, "sourceTag"],
  [/^definition\.scope\.(connection|connectionId|schema\.connectionId)$/, "connectionId"],
  [/^definition\.scope\.schema\.database$/, "database"],
  [/^definition\.scope\.schema(\.schema)?$/, "schema"],
  [/^definition\.rule(\.mask)?\.columns\.names$/, "columnNames"],
  [/^definition\.rule(\.mask)?\.columns\.(tagged|tag)$/, "columnTag"],
  [/^definition\.rule(\.mask)?\.when$/, "when"],
  [/\.mask(\.regexReplace)?\.pattern$/, "pattern"],
  [/\.mask(\.regexReplace)?\.replacement$/, "replacement"],
  [/\.mask\.(constant|value)$/, "constant"],
  [/\.mask\.(roundNumber|bucket)$/, "bucket"],
  [/\.mask\.(roundDate|unit)$/, "dateUnit"],
  [/\.mask\.(showLast|count)$/, "showLast"],
  [/^definition\.rule\.(rows|rule)(\.\w+)?\.attribute$/, "rowAttribute"],
  [/^definition\.rule\.(rows|rule)(\.\w+)?\.column$/, "rowColumn"],
  [/^definition\.rule\.rows\.matchGroups$/, "rowColumn"],
  [/^definition\.rule\.(rows\.where|rule\.sql)$/, "whereSql"],
  [/^definition\.rule\.(rows|rule)(\.\w+)?\.days$/, "days"],
  [/^definition\.rule\.(rows|rule)(\.\w+)?\.percent$/, "percent"],
];

export const DATA_POLICY_FORM_FIELDS: readonly string[] = [...new Set(FIELD_OF_PATH.map(([, f]) => f))];

/** The form field an API issue belongs to, or the path itself when the builder has none (shown in a list). */
export function dataFormFieldOfPath(path: string): string {
  const bare = path
    .replace(/^input\./, "")
    .replace(/\.\d+(?=\.|$)/g, "")
    .replace(/\[\d+\]/g, "");
  return FIELD_OF_PATH.find(([re]) => re.test(bare))?.[1] ?? path;
}
