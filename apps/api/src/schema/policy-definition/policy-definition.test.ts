import fs from "node:fs";
import path from "node:path";
import { dataPolicyGrammar, policyGrammar } from "@steward/policy";
import type { GraphQLInputObjectType, GraphQLUnionType } from "graphql";
import { describe, expect, it } from "vitest";
import { buildSchema } from "..";
import { dataPolicyDefinitionSdl, policyDefinitionSdl } from "./generate-sdl";

describe("the policy definition's GraphQL types", () => {
  it("are the SDL generated from the engine's grammar (run `npm run codegen` when this fails)", () => {
    const onDisk = fs.readFileSync(path.join(import.meta.dirname, "schema.graphql"), "utf8");
    expect(onDisk).toBe(policyDefinitionSdl());
    const dataOnDisk = fs.readFileSync(path.join(import.meta.dirname, "..", "data-policy-definition", "schema.graphql"), "utf8");
    expect(dataOnDisk).toBe(dataPolicyDefinitionSdl());
  });

  it("are one-of inputs and output unions with a member per variant in the served schema", () => {
    const schema = buildSchema();
    for (const union of [...policyGrammar, ...dataPolicyGrammar]) {
      // (Read structurally: graphql's CJS and ESM builds can both be loaded, so its is*Type guards throw.)
      const input = schema.getType(`${union.name}Input`) as GraphQLInputObjectType;
      expect(input.isOneOf, `${union.name}Input is @oneOf`).toBe(true);
      expect(Object.keys(input.getFields()).sort()).toEqual(union.variants.map((v) => v.kind).sort());
      const output = schema.getType(union.name) as GraphQLUnionType;
      expect(output.getTypes().map((t) => t.name)).toHaveLength(union.variants.length);
    }
    const input = schema.getType("DataPolicyDefinitionInput") as GraphQLInputObjectType;
    expect(Object.keys(input.getFields()).sort()).toEqual(["except", "rule", "scope"]);
  });
});
