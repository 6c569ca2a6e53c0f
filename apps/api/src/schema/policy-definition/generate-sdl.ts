import {
  dataPolicyGrammar,
  type GrammarField,
  type GrammarType,
  type GrammarUnion,
  type GrammarVariant,
  policyGrammar,
  typedMemberOf,
} from "@steward/policy";

/**
 * Writes the policy grammar (libs/policy, read off the engine's zod schemas) as GraphQL SDL: a
 * `@oneOf` input and an output union per grammar union, so the API never restates the grammar.
 * Naming rules: input `<Union>Input` with one member per variant kind; output `<Kind><Union>` types
 * that mirror the engine's stored JSON (including `kind`), so stored definitions resolve as they are.
 */
const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export const inputTypeName = (union: string) => `${union}Input`;
export const objectMemberInputName = (union: GrammarUnion, variant: GrammarVariant) => `${pascal(variant.kind)}${union.name}Input`;
export const outputTypeName = (unionName: string, kind: string) => `${pascal(kind)}${unionName}`;

/** Fields holding references are IDs for clients; other strings are free text. */
const scalarOf = (fieldName: string) => (/Ids?$/.test(fieldName) ? "ID" : "String");

function typeRef(t: GrammarType, fieldName: string, io: "input" | "output"): string {
  switch (t.type) {
    case "string":
      return t.reference ? "ID" : scalarOf(fieldName);
    case "int":
      return "Int";
    case "float":
      return "Float";
    case "enum":
      return t.name;
    case "list":
      return `[${typeRef(t.of, fieldName, io)}!]`;
    case "union":
      return io === "input" ? inputTypeName(t.name) : t.name;
  }
}

const field = (f: GrammarField, io: "input" | "output") => `  ${f.name}: ${typeRef(f.of, f.name, io)}${f.optional ? "" : "!"}`;

// Block strings laid out as the repository's formatter (biome) writes them, so formatting leaves the file as generated.
function docstring(text: string | undefined, indent = ""): string {
  return text ? `${indent}"""\n${indent}${text}\n${indent}"""\n` : "";
}

/** One line while it fits biome's line width (140), else one member per line, as biome writes it. */
function unionLine(name: string, members: readonly string[]): string {
  const line = `union ${name} = ${members.join(" | ")}`;
  return line.length <= 140 ? line : `union ${name} =\n${members.map((m) => `  | ${m}`).join("\n")}`;
}

function enumsOf(grammar: readonly GrammarUnion[]): Map<string, readonly string[]> {
  const seen = new Map<string, readonly string[]>();
  const visit = (t: GrammarType) => {
    if (t.type === "enum") seen.set(t.name, t.values);
    if (t.type === "list") visit(t.of);
  };
  for (const u of grammar) for (const v of u.variants) for (const f of v.fields) visit(f.of);
  return seen;
}

/** Enums of `grammar` not already declared by `declaredElsewhere` (GraphQL types are global). */
function enums(grammar: readonly GrammarUnion[], declaredElsewhere: readonly GrammarUnion[] = []): string[] {
  const other = enumsOf(declaredElsewhere);
  return [...enumsOf(grammar)]
    .filter(([name]) => !other.has(name))
    .map(([name, values]) => `enum ${name} {\n${values.map((v) => `  ${v}`).join("\n")}\n}`);
}

function unionSdl(u: GrammarUnion): string[] {
  const blocks: string[] = [];
  const members = u.variants.map((v) => {
    const member = typedMemberOf(v);
    const type =
      member.form === "flag"
        ? "Boolean"
        : member.form === "value"
          ? typeRef(member.field.of, member.field.name, "input")
          : objectMemberInputName(u, v);
    const note = member.form === "flag" ? " Set to true." : "";
    return `${docstring(`${v.description ?? v.kind}${note}`, "  ")}  ${v.kind}: ${type}`;
  });
  blocks.push(`${docstring(`${u.name}: set exactly one member.`)}input ${inputTypeName(u.name)} @oneOf {\n${members.join("\n")}\n}`);
  for (const v of u.variants) {
    if (typedMemberOf(v).form !== "object") continue;
    blocks.push(
      `${docstring(v.description)}input ${objectMemberInputName(u, v)} {\n${v.fields.map((f) => field(f, "input")).join("\n")}\n}`,
    );
  }
  blocks.push(unionLine(u.name, u.variants.map((v) => outputTypeName(u.name, v.kind))));
  for (const v of u.variants) {
    const fields = [`  ${u.discriminator}: String!`, ...v.fields.map((f) => field(f, "output"))];
    blocks.push(`${docstring(v.description)}type ${outputTypeName(u.name, v.kind)} {\n${fields.join("\n")}\n}`);
  }
  return blocks;
}

export function policyDefinitionSdl(): string {
  const header = [
    "# GENERATED from the policy engine's grammar (libs/policy/src/schema.ts) by",
    "# apps/api/src/schema/policy-definition/generate-sdl.ts: do not edit. `npm run codegen` rewrites it;",
    "# policy-definition.test.ts fails while it is stale.",
  ].join("\n");
  const definition = [
    `${docstring("A subscription policy's definition: who it lets in and which data sources it covers.")}input PolicyDefinitionInput {`,
    `  restriction: ${inputTypeName("Restriction")}!`,
    `  scope: ${inputTypeName("Scope")}!`,
    "}",
  ].join("\n");
  return `${[header, definition, ...enums(policyGrammar), ...policyGrammar.flatMap(unionSdl)].join("\n\n")}\n`;
}

/**
 * The data policy grammar's SDL, in its own file (data-policy-definition/schema.graphql). `except` is the
 * subscription grammar's `Condition`, declared in policy-definition/schema.graphql.
 */
export function dataPolicyDefinitionSdl(): string {
  const header = [
    "# GENERATED from the data policy grammar (libs/policy/src/data/schema.ts) by",
    "# apps/api/src/schema/policy-definition/generate-sdl.ts: do not edit. `npm run codegen` rewrites it;",
    "# policy-definition.test.ts fails while it is stale.",
  ].join("\n");
  const input = [
    `${docstring("A data policy's definition: where it attaches, what it does, and who is exempt.")}input DataPolicyDefinitionInput {`,
    `  scope: ${inputTypeName("DataPolicyScope")}!`,
    `  rule: ${inputTypeName("DataPolicyRule")}!`,
    `${docstring("For everyone except users satisfying this condition (they see clear values and every row).", "  ")}  except: ${inputTypeName("Condition")}`,
    "}",
  ].join("\n");
  const output = [
    `${docstring("A data policy's definition as stored (the engine's format).")}type DataPolicyDefinition {`,
    "  scope: DataPolicyScope!",
    "  rule: DataPolicyRule!",
    "  except: Condition",
    "}",
  ].join("\n");
  const blocks = [header, input, output, ...enums(dataPolicyGrammar, policyGrammar), ...dataPolicyGrammar.flatMap(unionSdl)];
  return `${blocks.join("\n\n")}\n`;
}
