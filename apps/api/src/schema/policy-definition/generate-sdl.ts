import { type GrammarField, type GrammarType, type GrammarUnion, type GrammarVariant, policyGrammar, typedMemberOf } from "@steward/policy";

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

function enums(): string[] {
  const seen = new Map<string, readonly string[]>();
  const visit = (t: GrammarType) => {
    if (t.type === "enum") seen.set(t.name, t.values);
    if (t.type === "list") visit(t.of);
  };
  for (const u of policyGrammar) for (const v of u.variants) for (const f of v.fields) visit(f.of);
  return [...seen].map(([name, values]) => `enum ${name} {\n${values.map((v) => `  ${v}`).join("\n")}\n}`);
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
  blocks.push(`union ${u.name} = ${u.variants.map((v) => outputTypeName(u.name, v.kind)).join(" | ")}`);
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
  return `${[header, definition, ...enums(), ...policyGrammar.flatMap(unionSdl)].join("\n\n")}\n`;
}
