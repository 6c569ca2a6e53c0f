import { AppError } from "@steward/core";
import { describe, expect, it } from "vitest";
import { dataPolicyDefinitionSchema } from "./data/schema";
import { dataPolicyGrammar, policyGrammar, typedMemberOf } from "./grammar";
import { subscriptionPolicySchema } from "./schema";
import { conditionDepth, fromTypedDataPolicyDefinition, fromTypedDefinition } from "./typed-definition";
import { validatePolicy } from "./validate";

function fieldsOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe("BAD_USER_INPUT");
    return (e as AppError).fields;
  }
  throw new Error("expected BAD_USER_INPUT");
}

describe("typed policy definitions", () => {
  it("maps every member form onto the engine's format", () => {
    const { definition } = fromTypedDefinition({
      restriction: {
        conditions: {
          and: [{ group: "g1" }, { or: [{ attribute: { key: "region", match: "anyOf", values: ["EU"] } }, { group: "g2" }] }],
        },
      },
      scope: { schema: { connectionId: "c1", schema: "sales", database: null } },
    });
    expect(definition).toEqual({
      restriction: {
        kind: "conditions",
        condition: {
          kind: "and",
          conditions: [
            { kind: "group", group: "g1" },
            {
              kind: "or",
              conditions: [
                { kind: "attribute", key: "region", match: "anyOf", values: ["EU"] },
                { kind: "group", group: "g2" },
              ],
            },
          ],
        },
      },
      // A null optional field is left out, as the engine's schema expects.
      scope: { kind: "schema", connectionId: "c1", schema: "sales" },
    });
    expect(fromTypedDefinition({ restriction: { anyone: true }, scope: { sources: ["s1"] } }).definition).toEqual({
      restriction: { kind: "anyone" },
      scope: { kind: "sources", sourceIds: ["s1"] },
    });
    expect(fromTypedDefinition({ restriction: { users: ["u1"] }, scope: { tag: "PII" } }).definition).toEqual({
      restriction: { kind: "users", userIds: ["u1"] },
      scope: { kind: "tag", tag: "PII" },
    });
  });

  it("produces what the engine's schema accepts for every variant of the grammar", () => {
    // One typed sample per variant, built from the grammar itself: a variant added to the engine
    // without a way to express it here fails this test.
    const sample = (unionName: string, kind: string): unknown => {
      const union = policyGrammar.find((u) => u.name === unionName)!;
      const variant = union.variants.find((v) => v.kind === kind)!;
      const value = (t: (typeof variant.fields)[number]["of"]): unknown =>
        t.type === "string" ? "x" : t.type === "enum" ? t.values[0] : t.type === "list" ? [value(t.of)] : { group: "g" };
      const member = typedMemberOf(variant);
      if (member.form === "flag") return { [kind]: true };
      if (member.form === "value") return { [kind]: value(member.field.of) };
      return { [kind]: Object.fromEntries(variant.fields.map((f) => [f.name, value(f.of)])) };
    };
    for (const union of policyGrammar) {
      for (const v of union.variants) {
        const restriction = union.name === "Restriction" ? sample("Restriction", v.kind) : { anyone: true };
        const scope = union.name === "Scope" ? sample("Scope", v.kind) : { tag: "PII" };
        const withCondition = union.name === "Condition" ? { conditions: sample("Condition", v.kind) } : restriction;
        const { definition } = fromTypedDefinition({ restriction: withCondition, scope });
        const parsed = subscriptionPolicySchema.safeParse({ id: "p", name: "p", accessType: "READ", ...definition });
        expect(parsed.success, `${union.name}.${v.kind}: ${JSON.stringify(definition)}`).toBe(true);
      }
    }
  });

  it("refuses anything but exactly one member, at the member's path", () => {
    expect(
      fieldsOf(() => fromTypedDefinition({ restriction: { anyone: true, users: ["u1"] }, scope: { tag: "PII" } }, "input.definition")),
    ).toEqual([{ path: "input.definition.restriction", message: expect.stringContaining("set exactly one of") }]);
    expect(fieldsOf(() => fromTypedDefinition({ restriction: { anyone: false }, scope: {} }))).toEqual([
      { path: "definition.restriction.anyone", message: "must be true" },
      { path: "definition.scope", message: expect.stringContaining("(got none)") },
    ]);
    expect(fieldsOf(() => fromTypedDefinition({ restriction: { conditions: { and: [{ nand: [] }] } }, scope: { tag: "PII" } }))).toEqual([
      { path: "definition.restriction.conditions.and[0]", message: expect.stringContaining("unknown condition nand") },
    ]);
  });

  it("translates the engine's error and warning paths into the typed input's", () => {
    const typed = fromTypedDefinition(
      {
        restriction: { conditions: { and: [{ group: "g1" }, { attribute: { key: "1bad", match: "anyOf", values: [] } }] } },
        scope: { schema: { connectionId: "c1", schema: "" } },
      },
      "input.definition",
    );
    const fields = fieldsOf(() => validatePolicy({ id: "p", name: "p", accessType: "READ", ...typed.definition }));
    expect(fields.map((f) => typed.typedPath(f.path)).sort()).toEqual([
      "input.definition.restriction.conditions.and[1].attribute.key",
      "input.definition.restriction.conditions.and[1].attribute.values",
      "input.definition.scope.schema.schema",
    ]);
    expect(typed.typedPath("restriction.condition")).toBe("input.definition.restriction.conditions");
    expect(typed.typedPath("scope")).toBe("input.definition.scope");
    expect(typed.typedPath("name")).toBe("name");
  });

  it("measures condition depth", () => {
    expect(conditionDepth({ kind: "group", group: "g" })).toBe(1);
    expect(
      conditionDepth({
        kind: "and",
        conditions: [
          { kind: "group", group: "g" },
          { kind: "or", conditions: [{ kind: "group", group: "h" }] },
        ],
      }),
    ).toBe(3);
  });
});

describe("typed data policy definitions", () => {
  it("map masks, row rules, scopes and the exception onto the engine's format", () => {
    const { definition } = fromTypedDataPolicyDefinition({
      scope: { sourceTag: "Finance" },
      rule: { mask: { columns: { tagged: "PII.Email" }, mask: { regexReplace: { pattern: "^.*@", replacement: "***@" } }, when: null } },
      except: { or: [{ group: "g-hr" }, { purpose: "pr-audit" }] },
    });
    expect(definition).toEqual({
      scope: { kind: "sourceTag", tag: "Finance" },
      rule: {
        kind: "mask",
        columns: { kind: "tagged", tag: "PII.Email" },
        mask: { kind: "regexReplace", pattern: "^.*@", replacement: "***@" },
      },
      except: {
        kind: "or",
        conditions: [
          { kind: "group", group: "g-hr" },
          { kind: "purpose", purpose: "pr-audit" },
        ],
      },
    });
    expect(
      fromTypedDataPolicyDefinition({ scope: { all: true }, rule: { rows: { timeWindow: { column: "at", days: 90 } } } }).definition,
    ).toEqual({ scope: { kind: "all" }, rule: { kind: "rows", rule: { kind: "timeWindow", column: "at", days: 90 } } });
    expect(
      fromTypedDataPolicyDefinition({
        scope: { sources: ["s1"] },
        rule: { mask: { columns: { names: ["a"] }, mask: { roundNumber: 10 } } },
      }).definition.rule,
    ).toEqual({ kind: "mask", columns: { kind: "names", names: ["a"] }, mask: { kind: "roundNumber", bucket: 10 } });
  });

  it("reports one-of mistakes and engine errors at the typed path", () => {
    expect(
      fieldsOf(() =>
        fromTypedDataPolicyDefinition({
          scope: { all: true },
          rule: { mask: { columns: { names: ["a"] }, mask: { null: true, hash: true } } },
        }),
      ),
    ).toEqual([
      {
        path: "definition.rule.mask.mask",
        message: "set exactly one of: null, constant, hash, regexReplace, roundNumber, roundDate, showLast (got null, hash)",
      },
    ]);
    expect(fieldsOf(() => fromTypedDataPolicyDefinition(null))).toEqual([{ path: "definition", message: "is required" }]);
    const { definition, typedPath } = fromTypedDataPolicyDefinition({
      scope: { all: true },
      rule: { mask: { columns: { names: ["a"] }, mask: { roundNumber: 0 } } },
    });
    const parsed = dataPolicyDefinitionSchema.safeParse(definition);
    expect(parsed.success).toBe(false);
    const issue = parsed.error?.issues[0];
    expect(issue?.path.join(".")).toBe("rule.mask.bucket");
    expect(typedPath("rule.mask.bucket")).toBe("definition.rule.mask.mask.roundNumber");
    expect(typedPath("definition.rule.mask.bucket")).toBe("definition.rule.mask.mask.roundNumber");
  });

  it("describes every data policy union for the transports", () => {
    expect(dataPolicyGrammar.map((u) => u.name)).toEqual(["DataPolicyScope", "DataPolicyRule", "ColumnSelector", "Mask", "RowRule"]);
    const mask = dataPolicyGrammar.find((u) => u.name === "Mask");
    expect(mask?.variants.find((v) => v.kind === "showLast")?.fields).toEqual([{ name: "count", optional: false, of: { type: "int" } }]);
    expect(mask?.variants.find((v) => v.kind === "roundNumber")?.fields).toEqual([
      { name: "bucket", optional: false, of: { type: "float" } },
    ]);
  });
});
