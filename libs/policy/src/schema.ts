import { fields } from "@steward/core";
import { z } from "zod";
import type { Condition, Restriction, Scope, SubscriptionPolicy } from "./types";

/** Structural rules for policy definitions coming from the API. Semantic checks live in validate.ts. */

const nonEmpty = (what: string) => z.string().trim().min(1, `${what} must not be empty`);

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("group"), group: nonEmpty("group") }),
    z.object({
      kind: z.literal("attribute"),
      key: fields.attributeKey,
      match: z.enum(["anyOf", "allOf"]),
      values: z.array(fields.attributeValue).min(1, "an attribute condition needs at least one value"),
    }),
    z.object({
      kind: z.literal("and"),
      conditions: z.array(conditionSchema).min(1, "an AND needs at least one condition (an empty one would never match)"),
    }),
    z.object({
      kind: z.literal("or"),
      conditions: z.array(conditionSchema).min(1, "an OR needs at least one condition (an empty one would never match)"),
    }),
  ]),
);

export const restrictionSchema: z.ZodType<Restriction> = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("anyone") }),
  z.object({ kind: z.literal("anyoneWhoAsks") }),
  z.object({ kind: z.literal("conditions"), condition: conditionSchema }),
  z.object({
    kind: z.literal("users"),
    userIds: z.array(nonEmpty("user id")).min(1, "select at least one user"),
  }),
]);

export const scopeSchema: z.ZodType<Scope> = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("sources"),
    sourceIds: z.array(nonEmpty("data source id")).min(1, "a local policy needs at least one data source"),
  }),
  z.object({
    kind: z.literal("tag"),
    tag: nonEmpty("tag").regex(/^[^.\s]+(\.[^.\s]+)*$/, "tags are dot-separated segments without spaces, e.g. PII.Email"),
  }),
  z.object({ kind: z.literal("connection"), connectionId: nonEmpty("connection id") }),
  z.object({
    kind: z.literal("schema"),
    connectionId: nonEmpty("connection id"),
    database: nonEmpty("database").optional(),
    schema: nonEmpty("schema"),
  }),
]);

export const subscriptionPolicySchema: z.ZodType<SubscriptionPolicy> = z.object({
  id: nonEmpty("policy id"),
  name: fields.name,
  accessType: z.enum(["READ", "WRITE"]),
  restriction: restrictionSchema,
  scope: scopeSchema,
});
