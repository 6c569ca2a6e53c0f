import { describe, expect, it } from "vitest";
import {
  type ConditionForm,
  definitionToForm,
  describeRestriction,
  formFieldOfPath,
  formToRestriction,
  formToScope,
  type ReadDefinition,
} from "./policy-model";

const form: ConditionForm = {
  op: "and",
  items: [
    { type: "group", group: "g1" },
    {
      type: "nested",
      op: "or",
      items: [
        { type: "attribute", key: "region", match: "anyOf", values: ["EU"] },
        { type: "group", group: "g2" },
      ],
    },
  ],
};

describe("policy builder ↔ typed definition", () => {
  it("writes the typed one-of inputs", () => {
    expect(formToRestriction({ restrictionKind: "conditions", condition: form })).toEqual({
      conditions: { and: [{ group: "g1" }, { or: [{ attribute: { key: "region", match: "anyOf", values: ["EU"] } }, { group: "g2" }] }] },
    });
    expect(formToRestriction({ restrictionKind: "anyoneWhoAsks" })).toEqual({ anyoneWhoAsks: true });
    expect(formToRestriction({ restrictionKind: "users", userIds: [] })).toBeNull();
    expect(formToScope({ scopeKind: "schema", connectionId: "c1", schema: " sales ", database: "" })).toEqual({
      schema: { connectionId: "c1", schema: "sales", database: null },
    });
  });

  it("reads the output unions back into the form, and refuses trees deeper than the fragments read", () => {
    const read: ReadDefinition = {
      name: "p",
      description: "",
      accessType: "READ",
      restriction: {
        __typename: "ConditionsRestriction",
        depth: 3,
        condition: {
          __typename: "AndCondition",
          conditions: [
            { __typename: "GroupCondition", group: "g1" },
            {
              __typename: "OrCondition",
              conditions: [
                { __typename: "AttributeCondition", key: "region", match: "anyOf", values: ["EU"] },
                { __typename: "GroupCondition", group: "g2" },
              ],
            },
          ],
        },
      },
      scope: { __typename: "SchemaScope", connectionId: "c1", database: null, schema: "sales" },
    };
    const { values, editableCondition } = definitionToForm(read);
    expect(editableCondition).toBe(true);
    expect(values).toMatchObject({
      restrictionKind: "conditions",
      condition: form,
      scopeKind: "schema",
      connectionId: "c1",
      schema: "sales",
    });
    expect(describeRestriction(read.restriction)).toBe("member of g1 AND (region has any of [EU] OR member of g2)");
    const deep = definitionToForm({ ...read, restriction: { ...read.restriction, depth: 9 } as ReadDefinition["restriction"] });
    expect(deep.editableCondition).toBe(false);
  });

  it("puts typed error paths on the builder's fields", () => {
    expect(formFieldOfPath("input.definition.scope.sources[0]")).toBe("sourceIds");
    expect(formFieldOfPath("input.definition.scope.schema.schema")).toBe("schema");
    expect(formFieldOfPath("input.definition.restriction.conditions.and[1].attribute.key")).toBe(
      "input.definition.restriction.conditions.and[1].attribute.key",
    );
  });
});
