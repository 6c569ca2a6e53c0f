import { fields } from "@steward/core";
import { z } from "zod";
import type { Condition, Restriction, Scope, SubscriptionPolicy } from "./types";

/** Structural rules for policy definitions coming from the API. Semantic checks live in validate.ts. */

const nonEmpty = (what: string) => z.string().trim().min(1, `${what} must not be empty`);

/**
 * A string that names another object by id. The grammar (grammar.ts) reads the marker so that typed
 * transports declare it an ID; older fields keep their historical scalar for compatibility.
 */
export const REFERENCE_META = { stewardReference: true } as const;
const reference = (what: string) => nonEmpty(what).meta(REFERENCE_META);

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("group"), group: nonEmpty("group") }).describe("The user is a member of this group (by id)."),
    z
      .object({ kind: z.literal("purpose"), purpose: reference("purpose") })
      .describe("The user's current project acts under this purpose (by id) or one of its sub-purposes."),
    z
      .object({
        kind: z.literal("attribute"),
        key: fields.attributeKey,
        match: z.enum(["anyOf", "allOf"]),
        values: z.array(fields.attributeValue).min(1, "an attribute condition needs at least one value"),
      })
      .describe("anyOf: the user holds at least one of the values of this attribute; allOf: every one of them."),
    z
      .object({
        kind: z.literal("and"),
        conditions: z.array(conditionSchema).min(1, "an AND needs at least one condition (an empty one would never match)"),
      })
      .describe("Every one of the conditions holds."),
    z
      .object({
        kind: z.literal("or"),
        conditions: z.array(conditionSchema).min(1, "an OR needs at least one condition (an empty one would never match)"),
      })
      .describe("At least one of the conditions holds."),
  ]),
);

export const restrictionSchema: z.ZodType<Restriction> = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("anyone") }).describe("Every active user."),
  z.object({ kind: z.literal("anyoneWhoAsks") }).describe("Users holding an approved, unexpired access request for the very source."),
  z
    .object({ kind: z.literal("conditions"), condition: conditionSchema })
    .describe("Users whose groups and attributes satisfy a condition tree."),
  z
    .object({
      kind: z.literal("users"),
      userIds: z.array(nonEmpty("user id")).min(1, "select at least one user"),
    })
    .describe("The listed users."),
]);

export const scopeSchema: z.ZodType<Scope> = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("sources"),
      sourceIds: z.array(nonEmpty("data source id")).min(1, "a local policy needs at least one data source"),
    })
    .describe("The listed data sources (a local policy)."),
  z
    .object({
      kind: z.literal("tag"),
      tag: nonEmpty("tag").regex(/^[^.\s]+(\.[^.\s]+)*$/, "tags are dot-separated segments without spaces, e.g. PII.Email"),
    })
    .describe("Sources carrying this tag or one below it (PII covers PII.Email), including ones tagged later."),
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

export const subscriptionPolicySchema: z.ZodType<SubscriptionPolicy> = z.object({
  id: nonEmpty("policy id"),
  name: fields.name,
  accessType: z.enum(["READ", "WRITE"]),
  restriction: restrictionSchema,
  scope: scopeSchema,
});
