import { assertNever, badInput } from "@steward/core";
import { conditionLeafIssues, type ValidationContext } from "../validate";
import { fallbackOf } from "./fallback";
import { regexProblem } from "./regex";
import { type DataPolicyDefinition, dataPolicyDefinitionSchema } from "./schema";
import type { DataColumn, DataSourceInfo, Mask } from "./types";
import { parseWhere } from "./where-parser";

export type DataPolicyIssueCode =
  | "NUL_CHARACTER"
  | "INVALID_REGEX"
  | "INVALID_WHERE"
  | "UNKNOWN_COLUMN"
  | "UNREPRESENTABLE_CONSTANT"
  | "COLUMN_TYPE"
  | "TYPE_FALLBACK"
  | "UNKNOWN_ATTRIBUTE_KEY"
  | "UNKNOWN_GROUP"
  | "UNKNOWN_PURPOSE"
  | "UNKNOWN_SOURCE";

/** Same shape as the subscription validator's issues. */
export type DataPolicyIssue = { severity: "error" | "warning"; code: DataPolicyIssueCode; path: string; message: string };

export type DataPolicyValidationContext = {
  /** The sources a local (`sources`) scope lists, with their columns: enables column and type checks. */
  sources?: readonly DataSourceInfo[];
  attributeKeys?: readonly string[];
  groupIds?: readonly string[];
  purposeIds?: readonly string[];
};

const ROOT = "definition";

/**
 * Parses and checks a data policy definition. Errors throw BAD_USER_INPUT with one field per problem
 * (paths like `definition.rule.mask.pattern`); warnings (type fallbacks, unknown sources) come back.
 */
export function validateDataPolicy(
  input: unknown,
  ctx: DataPolicyValidationContext = {},
): { definition: DataPolicyDefinition; warnings: DataPolicyIssue[] } {
  const nul = nulPaths(input, ROOT);
  if (nul.length > 0) {
    throw badInput(
      "Invalid data policy: NUL characters are not allowed",
      nul.map((path) => ({ path, message: "NUL_CHARACTER: NUL characters are not allowed" })),
    );
  }
  const parsed = dataPolicyDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({ path: [ROOT, ...i.path].join("."), message: i.message }));
    throw badInput(`Invalid data policy: ${fields.map((f) => `${f.path}: ${f.message}`).join("; ")}`, fields);
  }
  const issues = dataPolicyIssues(parsed.data, ctx);
  const errors = issues.filter((i) => i.severity === "error");
  if (errors.length > 0) {
    throw badInput(
      `Invalid data policy: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`,
      errors.map((e) => ({ path: e.path, message: `${e.code}: ${e.message}` })),
    );
  }
  return { definition: parsed.data, warnings: issues };
}

/** Semantic checks of a well-formed definition. */
export function dataPolicyIssues(def: DataPolicyDefinition, ctx: DataPolicyValidationContext): DataPolicyIssue[] {
  const issues: DataPolicyIssue[] = [];
  const err = (code: DataPolicyIssueCode, path: string, message: string) => issues.push({ severity: "error", code, path, message });
  const warn = (code: DataPolicyIssueCode, path: string, message: string) => issues.push({ severity: "warning", code, path, message });

  // Sources a local scope names and the caller knows: checked column by column.
  let known: DataSourceInfo[] = [];
  if (def.scope.kind === "sources" && ctx.sources !== undefined) {
    const byId = new Map(ctx.sources.map((s) => [s.id, s]));
    known = def.scope.sourceIds.flatMap((id) => byId.get(id) ?? []);
    const unknown = def.scope.sourceIds.filter((id) => !byId.has(id));
    if (unknown.length > 0) warn("UNKNOWN_SOURCE", `${ROOT}.scope.sourceIds`, `unknown data sources: ${unknown.join(", ")}`);
  }
  const columnIn = (s: DataSourceInfo, name: string) => s.columns.find((c) => c.name === name);
  const needColumn = (name: string, path: string, check?: (c: DataColumn, s: DataSourceInfo) => void) => {
    for (const s of known) {
      const c = columnIn(s, name);
      if (c === undefined) err("UNKNOWN_COLUMN", path, `data source ${s.id} has no column ${name}`);
      else check?.(c, s);
    }
  };
  const parse = (sql: string, path: string) => {
    const contexts = known.length > 0 ? known.map((s) => s.columns) : [undefined];
    for (const columns of contexts) {
      try {
        parseWhere(sql, { path, ...(columns ? { columns } : {}), ...(ctx.attributeKeys ? { attributeKeys: ctx.attributeKeys } : {}) });
      } catch (e) {
        const message = (e as { fields?: { message: string }[] }).fields?.[0]?.message ?? String(e);
        err("INVALID_WHERE", path, message);
        return;
      }
    }
  };

  const rule = def.rule;
  switch (rule.kind) {
    case "mask": {
      maskShapeIssues(rule.mask, `${ROOT}.rule.mask`, err);
      if (rule.columns.kind === "names") {
        rule.columns.names.forEach((name, i) => {
          needColumn(name, `${ROOT}.rule.columns.names.${i}`, (c, s) => {
            const fb = fallbackOf(rule.mask, c.type);
            if (fb?.unrepresentable) {
              err(
                "UNREPRESENTABLE_CONSTANT",
                `${ROOT}.rule.mask.value`,
                `${JSON.stringify(fb.constant)} is not a valid ${c.dataType} (column ${name} of ${s.id})`,
              );
            } else if (fb) {
              warn("TYPE_FALLBACK", `${ROOT}.rule.columns.names.${i}`, `column ${name} of ${s.id} (${c.dataType}): ${fb.reason}`);
            }
          });
        });
      }
      if (rule.when !== undefined) parse(rule.when, `${ROOT}.rule.when`);
      break;
    }
    case "rows": {
      const r = rule.rule;
      const base = `${ROOT}.rule.rule`;
      switch (r.kind) {
        case "matchAttribute":
          needColumn(r.column, `${base}.column`);
          if (ctx.attributeKeys !== undefined && !ctx.attributeKeys.includes(r.attribute)) {
            err("UNKNOWN_ATTRIBUTE_KEY", `${base}.attribute`, `no user attribute ${r.attribute} is known`);
          }
          break;
        case "matchGroups":
          needColumn(r.column, `${base}.column`);
          break;
        case "timeWindow":
          needColumn(r.column, `${base}.column`, (c, s) => {
            if (c.type !== "date" && c.type !== "timestamp" && c.type !== "timestamptz") {
              err("COLUMN_TYPE", `${base}.column`, `column ${r.column} of ${s.id} is ${c.dataType}, not a date or timestamp`);
            }
          });
          break;
        case "minimize":
          needColumn(r.column, `${base}.column`);
          break;
        case "where":
          parse(r.sql, `${base}.sql`);
          break;
        default:
          assertNever(r, "row rule");
      }
      break;
    }
    default:
      assertNever(rule, "data policy rule");
  }

  if (def.except !== undefined) {
    const leafCtx: ValidationContext = {
      ...(ctx.groupIds ? { groupIds: ctx.groupIds } : {}),
      ...(ctx.purposeIds ? { purposeIds: ctx.purposeIds } : {}),
      ...(ctx.attributeKeys ? { attributeKeys: ctx.attributeKeys.map((key) => ({ key, multiValued: true })) } : {}),
    };
    // An exception naming nobody would silently mask everyone: an error here, unlike in subscription policies.
    for (const i of conditionLeafIssues(def.except, `${ROOT}.except`, leafCtx)) {
      issues.push({ severity: "error", code: i.code as DataPolicyIssueCode, path: i.path, message: i.message });
    }
  }
  return issues;
}

function maskShapeIssues(mask: Mask, path: string, err: (code: DataPolicyIssueCode, path: string, message: string) => void): void {
  if (mask.kind !== "regexReplace") return;
  const problem = regexProblem(mask.pattern);
  if (problem !== null) err("INVALID_REGEX", `${path}.pattern`, problem);
  if (/\\[1-9]/.test(mask.replacement.replace(/\\\\/g, "")) && !/\(/.test(mask.pattern)) {
    err("INVALID_REGEX", `${path}.replacement`, "the replacement refers to a group the pattern does not have");
  }
}

/** Paths of every string containing NUL (PostgreSQL text cannot hold it; it would truncate or fail). */
function nulPaths(v: unknown, path: string): string[] {
  if (typeof v === "string") return v.includes("\u0000") ? [path] : [];
  if (Array.isArray(v)) return v.flatMap((x, i) => nulPaths(x, `${path}.${i}`));
  if (typeof v === "object" && v !== null) {
    return Object.entries(v).flatMap(([k, x]) => [...(k.includes("\u0000") ? [path] : []), ...nulPaths(x, `${path}.${k}`)]);
  }
  return [];
}
