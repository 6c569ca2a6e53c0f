import { fields } from "@steward/core";
import { z } from "zod";
import { conditionSchema } from "../schema";
import type { ColumnSelector, DataPolicy, DataPolicyRule, DataPolicyScope, Mask, RowRule } from "./types";

/**
 * Structural rules for data policy definitions (the authoring model of types.ts). Semantic checks that
 * need the catalog or the identity model (columns, types, groups, regexes, WHERE parsing) live in
 * validate.ts. grammar.ts reads these schemas to generate the typed GraphQL inputs.
 */

const nonEmpty = (what: string) => z.string().trim().min(1, `${what} must not be empty`);
/** Identifiers are matched exactly (a column may legitimately be called " x"), so never trimmed. */
const identifier = (what: string) => z.string().min(1, `${what} must not be empty`).max(1000, `${what} is too long`);
const tag = nonEmpty("tag").regex(/^[^.\s]+(\.[^.\s]+)*$/, "tags are dot-separated segments without spaces, e.g. PII.Email");
const sqlText = (what: string) => z.string().trim().min(1, `${what} must not be empty`).max(10_000, `${what} is too long`);

export const dataPolicyScopeSchema: z.ZodType<DataPolicyScope> = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("all") }).describe("Every governed data source, including ones registered later."),
  z
    .object({
      kind: z.literal("sources"),
      sourceIds: z.array(nonEmpty("data source id")).min(1, "a local policy needs at least one data source"),
    })
    .describe("The listed data sources (a local policy)."),
  z.object({ kind: z.literal("sourceTag"), tag }).describe("Sources carrying this tag or one below it (Finance covers Finance.Payroll)."),
  z
    .object({ kind: z.literal("connection"), connectionId: nonEmpty("connection id") })
    .describe("Every source of a connection, including ones registered later."),
  z
    .object({
      kind: z.literal("schema"),
      connectionId: nonEmpty("connection id"),
      database: nonEmpty("database").optional(),
      schema: nonEmpty("schema"),
    })
    .describe("Every source in a schema of a connection; without database, that schema in any of its databases."),
]);

export const columnSelectorSchema: z.ZodType<ColumnSelector> = z.discriminatedUnion("kind", [
  z
    .object({ kind: z.literal("names"), names: z.array(identifier("column name")).min(1, "select at least one column") })
    .describe("Columns by name (a local mask; beats any tag in conflicts)."),
  z
    .object({ kind: z.literal("tagged"), tag })
    .describe("Columns tagged with this tag or one below it (PII covers PII.Email), including ones tagged later."),
]);

export const maskSchema: z.ZodType<Mask> = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("null") }).describe("Replace the value with NULL."),
  z
    .object({ kind: z.literal("constant"), value: z.string().max(1000, "a constant is at most 1000 characters") })
    .describe("Replace the value with a constant."),
  z.object({ kind: z.literal("hash") }).describe("SHA-256 of the value with the deployment's salt (deterministic, so joins still match)."),
  z
    .object({
      kind: z.literal("regexReplace"),
      pattern: z.string().min(1, "a pattern must not be empty").max(1000, "a pattern is at most 1000 characters"),
      replacement: z.string().max(1000, "a replacement is at most 1000 characters"),
    })
    .describe("Replace every match of a regular expression (POSIX-compatible subset)."),
  z
    .object({ kind: z.literal("roundNumber"), bucket: z.number().positive("the bucket must be greater than 0").finite() })
    .describe("Round numbers down to a multiple of the bucket."),
  z
    .object({ kind: z.literal("roundDate"), unit: z.enum(["month", "year"]) })
    .describe("Truncate dates and timestamps to the month or year."),
  z
    .object({
      kind: z.literal("showLast"),
      count: z.number().int("the count must be a whole number").positive("the count must be greater than 0"),
    })
    .describe("Show only the last N characters; the others become *."),
]);

export const rowRuleSchema: z.ZodType<RowRule> = z.discriminatedUnion("kind", [
  z
    .object({ kind: z.literal("matchAttribute"), column: identifier("column"), attribute: fields.attributeKey })
    .describe("Rows whose column equals one of the user's values of the attribute."),
  z
    .object({ kind: z.literal("matchGroups"), column: identifier("column") })
    .describe("Rows whose column equals the name of one of the user's groups."),
  z
    .object({ kind: z.literal("where"), sql: sqlText("the WHERE condition") })
    .describe("Rows matching a custom WHERE condition with macros."),
  z
    .object({
      kind: z.literal("timeWindow"),
      column: identifier("column"),
      days: z.number().int("days must be a whole number").positive("days must be greater than 0"),
    })
    .describe("Rows whose event-time column lies within the last N days."),
  z
    .object({
      kind: z.literal("minimize"),
      column: identifier("column"),
      percent: z.number().gt(0, "the percentage must be greater than 0").lte(100, "the percentage must be at most 100"),
    })
    .describe("A deterministic sample of N % of the rows, by hashing a key column."),
]);

export const dataPolicyRuleSchema: z.ZodType<DataPolicyRule> = z.discriminatedUnion("kind", [
  z
    .object({ kind: z.literal("mask"), columns: columnSelectorSchema, mask: maskSchema, when: sqlText("the mask condition").optional() })
    .describe("Mask columns; with when, only in rows matching that WHERE condition."),
  z.object({ kind: z.literal("rows"), rule: rowRuleSchema }).describe("Hide rows."),
]);

/** What a governor authors; the id, name and creation time come from where the policy is stored. */
export type DataPolicyDefinition = Pick<DataPolicy, "scope" | "rule" | "except">;

export const dataPolicyDefinitionSchema: z.ZodType<DataPolicyDefinition> = z.object({
  scope: dataPolicyScopeSchema,
  rule: dataPolicyRuleSchema,
  except: conditionSchema.optional(),
});
