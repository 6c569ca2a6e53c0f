import { fields } from "@steward/core";
import { dataPolicyRuleSchema } from "@steward/policy";
import { z } from "zod";

/**
 * The policy-as-code document (`apiVersion: steward/v1`), defined once: parsing, the published JSON
 * Schema (schemas/steward-policies.schema.json) and export all come from these schemas. Objects are
 * named, never identified by id: a purpose by its name, a user by username, a group by name, a data
 * source by its connection's name plus its qualified name. The engine's own id-based definitions are
 * translated in `references.ts`.
 */

export const API_VERSION = "steward/v1";

const nonEmpty = (what: string) => z.string().trim().min(1, `${what} must not be empty`).max(1000, `${what} is too long`);
const tagName = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters")
  .regex(/^[\p{L}\p{N}_-]+(\.[\p{L}\p{N}_-]+)*$/u, "use dot-separated segments of letters, digits, '_' or '-', e.g. PII.Email");

export const sourceRefSchema = z
  .object({ connection: fields.name, name: nonEmpty("source name") })
  .describe("A registered data source: its connection's name and its qualified name, e.g. sales.public.customers.");
export type SourceRef = z.infer<typeof sourceRefSchema>;

export type DocCondition =
  | { kind: "group"; group: string }
  | { kind: "purpose"; purpose: string }
  | { kind: "attribute"; key: string; match: "anyOf" | "allOf"; values: string[] }
  | { kind: "and"; conditions: DocCondition[] }
  | { kind: "or"; conditions: DocCondition[] };

export const conditionSchema: z.ZodType<DocCondition> = z.lazy(() =>
  z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("group"), group: nonEmpty("group") }).describe("The user is a member of this group (by name)."),
    z.object({ kind: z.literal("purpose"), purpose: nonEmpty("purpose") }).describe("The user acts under this purpose (by name)."),
    z
      .object({
        kind: z.literal("attribute"),
        key: fields.attributeKey,
        match: z.enum(["anyOf", "allOf"]),
        values: z.array(fields.attributeValue).min(1, "an attribute condition needs at least one value"),
      })
      .describe("anyOf: the user holds one of the values; allOf: every one of them."),
    z.object({ kind: z.literal("and"), conditions: z.array(conditionSchema).min(1, "an AND needs at least one condition") }),
    z.object({ kind: z.literal("or"), conditions: z.array(conditionSchema).min(1, "an OR needs at least one condition") }),
  ]),
);

const restrictionSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("anyone") }).describe("Every active user."),
  z.object({ kind: z.literal("anyoneWhoAsks") }).describe("Users with an approved access request for the source."),
  z.object({ kind: z.literal("conditions"), condition: conditionSchema }),
  z
    .object({ kind: z.literal("users"), users: z.array(nonEmpty("username")).min(1, "select at least one user") })
    .describe("The listed users (by username)."),
]);

const connectionScopes = [
  z.object({ kind: z.literal("connection"), connection: fields.name }).describe("Every source of a connection (by name)."),
  z.object({
    kind: z.literal("schema"),
    connection: fields.name,
    database: nonEmpty("database").optional(),
    schema: nonEmpty("schema"),
  }),
] as const;

const subscriptionScopeSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("sources"), sources: z.array(sourceRefSchema).min(1, "a local policy needs at least one data source") }),
  z.object({ kind: z.literal("tag"), tag: tagName }),
  ...connectionScopes,
]);

const dataScopeSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("all") }),
  z.object({ kind: z.literal("sources"), sources: z.array(sourceRefSchema).min(1, "a local policy needs at least one data source") }),
  z.object({ kind: z.literal("sourceTag"), tag: tagName }),
  ...connectionScopes,
]);

const description = fields.description.optional();

export const purposeSchema = z.object({
  name: fields.name,
  description,
  acknowledgement: z.string().trim().min(1, "must not be empty").max(4000, "must be at most 4000 characters"),
  parent: fields.name.optional().describe("The parent purpose's name: a sub-purpose implies its ancestors."),
});

export const tagSchema = z.object({ name: tagName, description });

export const dataSourceTagsSchema = z.object({
  connection: fields.name,
  name: nonEmpty("source name"),
  tags: z.array(tagName).optional(),
  columns: z.array(z.object({ name: z.string().min(1).max(200), tags: z.array(tagName) })).optional(),
});

export const projectSchema = z.object({
  name: fields.name,
  description,
  purposes: z.array(fields.name).max(500).optional(),
  dataSources: z.array(sourceRefSchema).max(500).optional(),
});

export const subscriptionPolicySchema = z.object({
  name: fields.name,
  description,
  accessType: z.enum(["READ", "WRITE"]),
  restriction: restrictionSchema,
  scope: subscriptionScopeSchema,
});

export const dataPolicySchema = z.object({
  name: fields.name,
  description,
  scope: dataScopeSchema,
  rule: dataPolicyRuleSchema,
  except: conditionSchema.optional(),
});

export const connectionSettingsSchema = z
  .object({
    name: fields.name,
    description,
    syncIntervalMinutes: z
      .number()
      .int()
      .min(5, "at least 5 minutes")
      .max(7 * 24 * 60)
      .nullable()
      .optional(),
    autoRegister: z.boolean().optional(),
  })
  .describe("Settings of an existing connection (never its credentials). Connections are not created or deleted from a file.");

const section = <T extends z.ZodType>(item: T) => z.array(item).max(10_000, "at most 10000 objects per section").optional();

export const policyDocumentSchema = z
  .object({
    $schema: z.string().max(500).optional().describe("Where editors find this schema (ignored by Steward)."),
    apiVersion: z.literal(API_VERSION),
    tags: section(tagSchema),
    purposes: section(purposeSchema),
    dataSources: section(dataSourceTagsSchema),
    projects: section(projectSchema),
    subscriptionPolicies: section(subscriptionPolicySchema),
    dataPolicies: section(dataPolicySchema),
    connections: section(connectionSettingsSchema),
  })
  .describe(
    "Steward policies as code. Each section present in a file is the whole truth for that kind of object: objects the section does not name are deleted (connections excepted). Sections left out are not touched.",
  );

export type PolicyDocument = z.output<typeof policyDocumentSchema>;
export type SectionName = Exclude<keyof PolicyDocument, "apiVersion" | "$schema">;
export const SECTIONS: readonly SectionName[] = [
  "tags",
  "purposes",
  "dataSources",
  "projects",
  "subscriptionPolicies",
  "dataPolicies",
  "connections",
];

export type DocPurpose = z.output<typeof purposeSchema>;
export type DocTag = z.output<typeof tagSchema>;
export type DocDataSourceTags = z.output<typeof dataSourceTagsSchema>;
export type DocProject = z.output<typeof projectSchema>;
export type DocSubscriptionPolicy = z.output<typeof subscriptionPolicySchema>;
export type DocDataPolicy = z.output<typeof dataPolicySchema>;
export type DocConnection = z.output<typeof connectionSettingsSchema>;

/** Every object schema rejects unknown keys in the JSON Schema too (parse.ts reports them with their line). */
function closeObjects(node: unknown): void {
  if (Array.isArray(node)) node.forEach(closeObjects);
  else if (node && typeof node === "object") {
    const o = node as Record<string, unknown>;
    if (o.type === "object" && o.properties && o.additionalProperties === undefined) o.additionalProperties = false;
    Object.values(o).forEach(closeObjects);
  }
}

/** The JSON Schema editors validate files with; committed as schemas/steward-policies.schema.json. */
export function policyDocumentJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(policyDocumentSchema, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
  closeObjects(schema);
  return { ...schema, $id: "https://steward.dev/schemas/steward-policies.schema.json", title: "Steward policies (steward/v1)" };
}
