import { badInput, type FieldIssue } from "@steward/core";
import type { Condition, DataPolicyRule, DataPolicyScope, UserCondition } from "@steward/policy";
import { z } from "zod";

/**
 * A data policy definition as stored: the engine's format (libs/policy/src/data/types.ts).
 *
 * INTERIM until the engine helper's `fromTypedDataPolicyDefinition` / `validateDataPolicy` are
 * merged: the typed GraphQL input (`@oneOf` members named after each variant's `kind`) is turned
 * into the engine's tagged form here, and its structure and bounds are checked with zod. The
 * catalog checks (sources, columns, groups, purposes) are in check-definition.ts and stay.
 */
export type DataPolicyDefinition = { scope: DataPolicyScope; rule: DataPolicyRule; except?: UserCondition };

const id = z.uuid();
const name = z.string().trim().min(1).max(200);
const tag = z.string().trim().min(1).max(200);
// Constants and regexes end up as SQL literals (quoted by the dialect); still, keep them bounded and NUL-free.
const text = (max: number) => z.string().max(max).refine((s) => !s.includes("\u0000"), "must not contain NUL bytes");

const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("group"), group: id }),
    z.object({ kind: z.literal("purpose"), purpose: id }),
    z.object({ kind: z.literal("attribute"), key: name, match: z.enum(["anyOf", "allOf"]), values: z.array(text(200)).min(1).max(100) }),
    z.object({ kind: z.literal("and"), conditions: z.array(conditionSchema).min(1).max(50) }),
    z.object({ kind: z.literal("or"), conditions: z.array(conditionSchema).min(1).max(50) }),
  ]),
);

const scopeSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("all") }),
  z.object({ kind: z.literal("sources"), sourceIds: z.array(id).min(1).max(1000) }),
  z.object({ kind: z.literal("sourceTag"), tag }),
  z.object({ kind: z.literal("connection"), connectionId: id }),
  z.object({ kind: z.literal("schema"), connectionId: id, database: name.optional(), schema: name }),
]);

const maskSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("null") }),
  z.object({ kind: z.literal("constant"), value: text(1000) }),
  z.object({ kind: z.literal("hash") }),
  z.object({
    kind: z.literal("regexReplace"),
    pattern: text(500).refine((p) => p.length > 0, "must not be empty"),
    replacement: text(500),
  }),
  z.object({ kind: z.literal("roundNumber"), bucket: z.number().finite().positive("must be greater than 0") }),
  z.object({ kind: z.literal("roundDate"), unit: z.enum(["month", "year"]) }),
  z.object({ kind: z.literal("showLast"), count: z.number().int().min(0).max(1000) }),
]);

const rowRuleSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("matchAttribute"), column: name, attribute: name }),
  z.object({ kind: z.literal("matchGroups"), column: name }),
  z.object({ kind: z.literal("where"), sql: text(4000).refine((s) => s.trim().length > 0, "must not be empty") }),
  z.object({ kind: z.literal("timeWindow"), column: name, days: z.number().int().min(1).max(36500) }),
  z.object({ kind: z.literal("minimize"), column: name, percent: z.number().gt(0).max(100) }),
]);

const ruleSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("mask"),
    columns: z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("names"), names: z.array(name).min(1).max(500) }),
      z.object({ kind: z.literal("tagged"), tag }),
    ]),
    mask: maskSchema,
    when: text(4000).optional(),
  }),
  z.object({ kind: z.literal("rows"), rule: rowRuleSchema }),
]);

const definitionSchema = z.object({ scope: scopeSchema, rule: ruleSchema, except: conditionSchema.optional() });

/** Which typed member names a variant whose one required field is given as the member's value. */
const VALUE_FIELD: Record<string, string> = {
  sources: "sourceIds",
  sourceTag: "tag",
  connection: "connectionId",
  names: "names",
  tagged: "tag",
  constant: "value",
  roundNumber: "bucket",
  roundDate: "unit",
  showLast: "count",
  matchGroups: "column",
  where: "sql",
  rows: "rule",
  group: "group",
  purpose: "purpose",
  users: "userIds",
};
const FLAGS = new Set(["all", "null", "hash"]);
/** Fields that hold a nested union (converted recursively). */
const NESTED = new Set(["columns", "mask", "rule", "except", "scope", "conditions"]);

/** `{ sourceTag: "PII" }` → `{ kind: "sourceTag", tag: "PII" }`, recursively; null members dropped. */
function untype(value: unknown, path: string, issues: FieldIssue[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => untype(v, `${path}.${i}`, issues));
  if (value === null || typeof value !== "object") return value;
  const set = Object.entries(value).filter(([, v]) => v !== null && v !== undefined);
  if (set.length !== 1) {
    issues.push({ path, message: "set exactly one member" });
    return undefined;
  }
  const [kind, member] = set[0]!;
  if (FLAGS.has(kind)) return { kind };
  if (kind === "and" || kind === "or") return { kind, conditions: untype(member, `${path}.${kind}`, issues) };
  const field = VALUE_FIELD[kind];
  if (field) return { kind, [field]: field === "rule" ? untype(member, `${path}.${kind}`, issues) : member };
  if (member === null || typeof member !== "object" || Array.isArray(member)) {
    issues.push({ path: `${path}.${kind}`, message: "expected an object" });
    return undefined;
  }
  const fields = Object.fromEntries(
    Object.entries(member)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [k, NESTED.has(k) ? untype(v, `${path}.${kind}.${k}`, issues) : v]),
  );
  return { kind, ...fields };
}

/**
 * The stored (engine) form of a definition given in the typed form (`typed: true`, the API) or
 * already in the engine's form (in-process callers). Errors name the caller's field paths.
 */
export function parseDataPolicyDefinition(input: unknown, root: string, typed: boolean): DataPolicyDefinition {
  const issues: FieldIssue[] = [];
  let candidate = input;
  if (typed) {
    const obj = (input ?? {}) as Record<string, unknown>;
    candidate = {
      scope: untype(obj.scope, `${root}.scope`, issues),
      rule: untype(obj.rule, `${root}.rule`, issues),
      ...(obj.except ? { except: untype(obj.except, `${root}.except`, issues) } : {}),
    };
  }
  if (issues.length === 0) {
    const parsed = definitionSchema.safeParse(candidate);
    if (parsed.success) return parsed.data as DataPolicyDefinition;
    for (const i of parsed.error.issues) issues.push({ path: [root, ...i.path.map(String)].join("."), message: i.message });
  }
  throw badInput(`Invalid data policy definition: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
}
