import { z } from "zod";
import { columnSelectorSchema, dataPolicyRuleSchema, dataPolicyScopeSchema, maskSchema, rowRuleSchema } from "./data/schema";
import { conditionSchema, restrictionSchema, scopeSchema } from "./schema";

/**
 * The policy grammar read off the engine's zod schemas, so that typed transports (the GraphQL API's
 * `@oneOf` inputs and output unions) are derived from the one definition in schema.ts instead of
 * being written a second time. Adding a variant or a field there changes this description, the
 * generated SDL and the typed-input mapping together.
 */
export type GrammarUnionName =
  | "Restriction"
  | "Scope"
  | "Condition"
  | "DataPolicyScope"
  | "DataPolicyRule"
  | "ColumnSelector"
  | "Mask"
  | "RowRule";

export type GrammarType =
  /** `reference`: the string is another object's id (typed transports declare it an ID). */
  | { type: "string"; reference?: true }
  | { type: "int" }
  | { type: "float" }
  | { type: "enum"; name: string; values: readonly string[] }
  | { type: "list"; of: GrammarType }
  | { type: "union"; name: GrammarUnionName };

export type GrammarField = { name: string; optional: boolean; of: GrammarType };

/** One variant of a union: its discriminator value (`kind`) and its other fields. */
export type GrammarVariant = { kind: string; description?: string; fields: readonly GrammarField[] };

export type GrammarUnion = { name: GrammarUnionName; discriminator: string; variants: readonly GrammarVariant[] };

/** Enum names for the transports; keyed by the sorted values so a new enum fails loudly until named. */
const ENUM_NAMES: Record<string, string> = { "allOf,anyOf": "AttributeMatch", "month,year": "DateUnit" };

const SUBSCRIPTION_UNIONS: ReadonlyArray<[GrammarUnionName, z.ZodType]> = [
  ["Restriction", restrictionSchema],
  ["Scope", scopeSchema],
  ["Condition", conditionSchema],
];
/** Data policies reuse `Condition` (for `except`) from the subscription grammar. */
const DATA_POLICY_UNIONS: ReadonlyArray<[GrammarUnionName, z.ZodType]> = [
  ["DataPolicyScope", dataPolicyScopeSchema],
  ["DataPolicyRule", dataPolicyRuleSchema],
  ["ColumnSelector", columnSelectorSchema],
  ["Mask", maskSchema],
  ["RowRule", rowRuleSchema],
];
const UNION_SCHEMAS = [...SUBSCRIPTION_UNIONS, ...DATA_POLICY_UNIONS];

function unionNameOf(schema: z.ZodType): GrammarUnionName | null {
  for (const [name, s] of UNION_SCHEMAS) if (s === schema) return name;
  return null;
}

function describeType(schema: z.ZodType, where: string): GrammarType {
  const named = unionNameOf(schema);
  if (named) return { type: "union", name: named };
  if (schema instanceof z.ZodString)
    return schema.meta()?.stewardReference === true ? { type: "string", reference: true } : { type: "string" };
  if (schema instanceof z.ZodNumber) return schema.format === "safeint" || schema.format === "int32" ? { type: "int" } : { type: "float" };
  if (schema instanceof z.ZodArray) return { type: "list", of: describeType(schema.element as z.ZodType, `${where}[]`) };
  if (schema instanceof z.ZodEnum) {
    const values = schema.options.map(String);
    const name = ENUM_NAMES[[...values].sort().join(",")];
    if (!name) throw new Error(`policy grammar: enum at ${where} has no transport name (add it to ENUM_NAMES)`);
    return { type: "enum", name, values };
  }
  throw new Error(`policy grammar: unsupported zod type at ${where}`);
}

function describeUnion(name: GrammarUnionName, schema: z.ZodType): GrammarUnion {
  const union = schema instanceof z.ZodLazy ? (schema.unwrap() as z.ZodType) : schema;
  if (!(union instanceof z.ZodDiscriminatedUnion)) throw new Error(`policy grammar: ${name} is not a discriminated union`);
  const discriminator = union.def.discriminator;
  const variants = union.options.map((option) => {
    if (!(option instanceof z.ZodObject)) throw new Error(`policy grammar: a ${name} variant is not an object`);
    const shape = option.shape as Record<string, z.ZodType>;
    const disc = shape[discriminator];
    if (!(disc instanceof z.ZodLiteral) || disc.values.size !== 1)
      throw new Error(`policy grammar: ${name} variant without a literal ${discriminator}`);
    const kind = String([...disc.values][0]);
    const fields = Object.entries(shape)
      .filter(([field]) => field !== discriminator)
      .map(([field, s]): GrammarField => {
        const optional = s instanceof z.ZodOptional;
        const inner = optional ? (s.unwrap() as z.ZodType) : s;
        return { name: field, optional, of: describeType(inner, `${name}.${kind}.${field}`) };
      });
    return option.description === undefined ? { kind, fields } : { kind, description: option.description, fields };
  });
  return { name, discriminator, variants };
}

/** The subscription grammar's unions, in a stable order (restriction, scope, condition). */
export const policyGrammar: readonly GrammarUnion[] = SUBSCRIPTION_UNIONS.map(([name, schema]) => describeUnion(name, schema));

/** The data policy grammar's own unions (scope, rule, column selector, mask, row rule); `except` is a `Condition`. */
export const dataPolicyGrammar: readonly GrammarUnion[] = DATA_POLICY_UNIONS.map(([name, schema]) => describeUnion(name, schema));

export function grammarUnion(name: GrammarUnionName): GrammarUnion {
  const union = policyGrammar.find((u) => u.name === name) ?? dataPolicyGrammar.find((u) => u.name === name);
  if (!union) throw new Error(`policy grammar: no union ${name}`);
  return union;
}

/**
 * How a variant appears as a member of a typed "one of" input: a variant without fields is a flag
 * (`anyone: true`), a variant with one required field is that field's value (`users: [id…]`,
 * `and: [condition…]`), anything else is an object with the variant's fields. Keeping the common
 * cases flat keeps client documents and error paths short.
 */
export type TypedMember = { form: "flag" } | { form: "value"; field: GrammarField } | { form: "object" };

export function typedMemberOf(variant: GrammarVariant): TypedMember {
  if (variant.fields.length === 0) return { form: "flag" };
  const [only] = variant.fields;
  if (variant.fields.length === 1 && only && !only.optional) return { form: "value", field: only };
  return { form: "object" };
}
