import { AppError } from "@steward/core";
import { describe, expect, it } from "vitest";
import { source } from "./testing";
import type { Condition } from "./types";
import { type ValidationContext, validatePolicy } from "./validate";

const region = (values: string[], match: "anyOf" | "allOf" = "anyOf"): Condition => ({ kind: "attribute", key: "region", match, values });
const ctx: ValidationContext = {
  attributeKeys: [
    { key: "region", multiValued: false },
    { key: "project", multiValued: true },
  ],
  sources: [source("s1", { tags: ["PII.Email"] }), source("off", { status: "DISABLED", tags: ["Old"] })],
  userIds: ["alice"],
};
const valid = {
  id: "p1",
  name: "EU analysts",
  accessType: "READ",
  restriction: { kind: "conditions", condition: region(["EU"]) },
  scope: { kind: "tag", tag: "PII" },
};

function fieldsOf(input: unknown, c: ValidationContext = ctx) {
  try {
    validatePolicy(input, c);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe("BAD_USER_INPUT");
    return (e as AppError).fields;
  }
  throw new Error("expected a validation error");
}

describe("validatePolicy", () => {
  it("accepts a well-formed policy without warnings", () => {
    expect(validatePolicy(valid, ctx)).toEqual({ policy: valid, warnings: [] });
  });

  it("rejects empty condition trees, value lists, user lists and local scopes", () => {
    expect(fieldsOf({ ...valid, restriction: { kind: "conditions", condition: { kind: "and", conditions: [] } } })).toEqual([
      { path: "restriction.condition.conditions", message: "an AND needs at least one condition (an empty one would never match)" },
    ]);
    expect(fieldsOf({ ...valid, restriction: { kind: "conditions", condition: region([]) } })[0]?.message).toBe(
      "an attribute condition needs at least one value",
    );
    expect(fieldsOf({ ...valid, restriction: { kind: "users", userIds: [] } })[0]?.message).toBe("select at least one user");
    expect(fieldsOf({ ...valid, scope: { kind: "sources", sourceIds: [] } })[0]?.message).toBe(
      "a local policy needs at least one data source",
    );
    expect(fieldsOf({ ...valid, scope: { kind: "tag", tag: "PII..Email" } })[0]?.path).toBe("scope.tag");
  });

  it("rejects contradictions on single-valued attributes only", () => {
    const and = (a: Condition, b: Condition) => ({
      ...valid,
      restriction: { kind: "conditions", condition: { kind: "and", conditions: [a, b] } },
    });
    expect(fieldsOf(and(region(["EU"]), region(["US"])))[0]).toMatchObject({
      path: "restriction.condition",
      message: expect.stringMatching(/^CONTRADICTORY_CONDITION: region is single-valued/),
    });
    expect(fieldsOf({ ...valid, restriction: { kind: "conditions", condition: region(["EU", "US"], "allOf") } })[0]?.message).toMatch(
      /nobody holds all of \[EU, US\]/,
    );
    // Overlapping lists leave EU possible; a multi-valued key lets a user hold both values.
    expect(validatePolicy(and(region(["EU", "US"]), region(["EU"])), ctx).warnings).toEqual([]);
    const project = (v: string): Condition => ({ kind: "attribute", key: "project", match: "anyOf", values: [v] });
    expect(validatePolicy(and(project("a"), project("b")), ctx).warnings).toEqual([]);
    // Without a key catalogue, cardinality is unknown and nothing is called contradictory.
    expect(validatePolicy(and(region(["EU"]), region(["US"])), {}).policy.id).toBe("p1");
    // An OR with one satisfiable branch is fine; with none it is not.
    const or = (...cs: Condition[]) => ({ ...valid, restriction: { kind: "conditions", condition: { kind: "or", conditions: cs } } });
    expect(validatePolicy(or(region(["EU", "US"], "allOf"), region(["EU"])), ctx).warnings).toEqual([]);
    expect(fieldsOf(or(region(["EU", "US"], "allOf")))[0]?.message).toMatch(/no branch of the OR can hold/);
  });

  it("warns about unknown attribute keys and users", () => {
    const input = {
      ...valid,
      restriction: {
        kind: "conditions",
        condition: { kind: "or", conditions: [region(["EU"]), { kind: "attribute", key: "costCentre", match: "anyOf", values: ["42"] }] },
      },
    };
    expect(validatePolicy(input, ctx).warnings).toEqual([
      {
        severity: "warning",
        code: "UNKNOWN_ATTRIBUTE_KEY",
        path: "restriction.condition.conditions.1",
        message: "no user attribute costCentre is known; nobody matches it yet",
      },
    ]);
    expect(
      validatePolicy({ ...valid, restriction: { kind: "users", userIds: ["alice", "ghost"] } }, ctx).warnings.map((w) => w.code),
    ).toEqual(["UNKNOWN_USER"]);
  });

  it("warns when a condition names a group that does not exist (e.g. a name instead of an id)", () => {
    const withGroups = { ...ctx, groupIds: ["g-finance-id"] };
    const byName = {
      ...valid,
      restriction: {
        kind: "conditions",
        condition: { kind: "and", conditions: [region(["EU"]), { kind: "group", group: "finance" }] },
      },
    };
    expect(validatePolicy(byName, withGroups).warnings).toEqual([
      expect.objectContaining({ code: "UNKNOWN_GROUP", path: "restriction.condition.conditions.1" }),
    ]);
    const byId = { ...byName, restriction: { kind: "conditions", condition: { kind: "group", group: "g-finance-id" } } };
    expect(validatePolicy(byId, withGroups).warnings).toEqual([]);
  });

  it("checks scopes against the catalogue: empty, unknown and disabled sources", () => {
    expect(fieldsOf({ ...valid, scope: { kind: "sources", sourceIds: ["ghost"] } })[0]?.message).toBe(
      "EMPTY_SCOPE: none of the listed data sources exists",
    );
    const codes = (scope: unknown) => validatePolicy({ ...valid, scope }, ctx).warnings.map((w) => w.code);
    expect(codes({ kind: "sources", sourceIds: ["s1", "ghost"] })).toEqual(["UNKNOWN_SOURCE"]);
    expect(codes({ kind: "sources", sourceIds: ["off"] })).toEqual(["DISABLED_SOURCE"]);
    expect(codes({ kind: "tag", tag: "Nothing" })).toEqual(["EMPTY_SCOPE"]);
    expect(codes({ kind: "connection", connectionId: "conn-1" })).toEqual(["DISABLED_SOURCE"]);
  });

  it("reports every structural problem with its path", () => {
    const fields = fieldsOf({ id: "", name: "x", accessType: "OWN", restriction: { kind: "anyone" }, scope: { kind: "galaxy" } });
    expect(fields.map((f) => f.path).sort()).toEqual(["accessType", "id", "scope.kind"]);
  });
});
