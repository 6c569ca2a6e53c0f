import { describe, expect, it } from "vitest";
import type { Names } from "../policies/policy-model";
import {
  DATA_POLICY_FORM_FIELDS,
  type DataPolicyFormValues,
  dataFormFieldOfPath,
  dataPolicyToForm,
  formToDefinition,
  missingPart,
  NEW_DATA_POLICY,
  type ReadDataPolicy,
} from "./data-policy-model";
import { describeExcept, describeRule } from "./describe";

const base: DataPolicyFormValues = { ...NEW_DATA_POLICY, name: "p", scopeKind: "sources", sourceIds: ["s1"] };

describe("data policy builder → typed definition", () => {
  it("writes every mask kind as its one-of member", () => {
    const cases: [Partial<DataPolicyFormValues>, unknown][] = [
      [{ maskKind: "null" }, { null: true }],
      [{ maskKind: "hash" }, { hash: true }],
      [{ maskKind: "constant", constant: "" }, { constant: "" }],
      [{ maskKind: "regexReplace", pattern: "^[^@]+", replacement: "***" }, { regexReplace: { pattern: "^[^@]+", replacement: "***" } }],
      [{ maskKind: "roundNumber", bucket: 0 }, { roundNumber: 0 }],
      [{ maskKind: "roundDate", dateUnit: "month" }, { roundDate: "month" }],
      [{ maskKind: "showLast", showLast: 4 }, { showLast: 4 }],
    ];
    for (const [mask, expected] of cases) {
      const def = formToDefinition({ ...base, columnsKind: "tagged", columnTag: " PII.Email ", ...mask });
      expect(def, JSON.stringify(mask)).toEqual({
        scope: { sources: ["s1"] },
        rule: { mask: { columns: { tagged: "PII.Email" }, mask: expected, when: null } },
        except: null,
      });
    }
  });

  it("is incomplete (null) until the kind's fields are there, and says what is missing", () => {
    expect(formToDefinition({ ...base, columnTag: "PII", maskKind: "showLast", showLast: null })).toBeNull();
    expect(formToDefinition({ ...base, columnTag: "PII", maskKind: "regexReplace" })).toBeNull();
    expect(formToDefinition({ ...base, columnTag: "PII", conditional: true, when: "  " })).toBeNull();
    expect(missingPart({ ...base, columnTag: "PII", conditional: true })).toMatch(/mask/);
    expect(missingPart({ ...base, sourceIds: [] })).toMatch(/covers/);
    expect(missingPart({ ...base, columnTag: "PII", hasExcept: true, condition: { op: "and", items: [{ type: "group" }] } })).toMatch(
      /exception/,
    );
  });

  it("writes row rules, scopes and the except condition (groups, attributes and purposes)", () => {
    const def = formToDefinition({
      ...base,
      scopeKind: "schema",
      connectionId: "c1",
      database: "",
      schema: " crm ",
      ruleKind: "rows",
      rowKind: "timeWindow",
      rowColumn: "occurred_at",
      days: 90,
      hasExcept: true,
      condition: {
        op: "or",
        items: [
          { type: "group", group: "g-hr" },
          { type: "purpose", purpose: "p-research" },
        ],
      },
    });
    expect(def).toEqual({
      scope: { schema: { connectionId: "c1", schema: "crm", database: null } },
      rule: { rows: { timeWindow: { column: "occurred_at", days: 90 } } },
      except: { or: [{ group: "g-hr" }, { purpose: "p-research" }] },
    });
    expect(formToDefinition({ ...base, scopeKind: "all", ruleKind: "rows", rowKind: "where", whereSql: "@groupsContains('x')" })).toEqual({
      scope: { all: true },
      rule: { rows: { where: "@groupsContains('x')" } },
      except: null,
    });
    expect(formToDefinition({ ...base, ruleKind: "rows", rowKind: "matchGroups", rowColumn: "team" })?.rule).toEqual({
      rows: { matchGroups: "team" },
    });
  });
});

describe("stored definition → builder", () => {
  it("round-trips a conditional mask with an exception", () => {
    const stored: ReadDataPolicy = {
      name: "Hash e-mails",
      description: "",
      scope: { __typename: "SourceTagDataPolicyScope", tag: "Department.HR" },
      rule: {
        __typename: "MaskDataPolicyRule",
        when: "region = 'EU'",
        columns: { __typename: "NamesColumnSelector", names: ["email"] },
        mask: { __typename: "ShowLastMask", count: 4 },
      },
      except: { __typename: "GroupCondition", group: "g-hr" },
    };
    const { values, editableExcept } = dataPolicyToForm(stored);
    expect(editableExcept).toBe(true);
    expect(formToDefinition(values)).toEqual({
      scope: { sourceTag: "Department.HR" },
      rule: { mask: { columns: { names: ["email"] }, mask: { showLast: 4 }, when: "region = 'EU'" } },
      except: { group: "g-hr" },
    });
    expect(describeRule(stored.rule)).toBe("Mask email: show last 4 where region = 'EU'");
  });
});

describe("API error paths → builder fields", () => {
  it("maps both the typed and the engine's paths to the field that holds the value", () => {
    expect(dataFormFieldOfPath("input.definition.rule.columns.names.0")).toBe("columnNames");
    expect(dataFormFieldOfPath("input.definition.scope.sourceIds.0")).toBe("sourceIds");
    expect(dataFormFieldOfPath("input.definition.rule.mask.pattern")).toBe("pattern");
    expect(dataFormFieldOfPath("input.definition.rule.mask.mask.roundNumber")).toBe("bucket");
    expect(dataFormFieldOfPath("input.definition.rule.rule.column")).toBe("rowColumn");
    expect(dataFormFieldOfPath("input.definition.rule.rows.timeWindow.column")).toBe("rowColumn");
    expect(dataFormFieldOfPath("input.definition.rule.rule.attribute")).toBe("rowAttribute");
    expect(dataFormFieldOfPath("input.definition.rule.rows.where")).toBe("whereSql");
    expect(dataFormFieldOfPath("input.name")).toBe("name");
    // The typed paths the API reports now (libs/access data-policies.int.test.ts).
    expect(dataFormFieldOfPath("input.definition.rule.mask.columns.names[0]")).toBe("columnNames");
    expect(dataFormFieldOfPath("input.definition.scope.sources[0]")).toBe("sourceIds");
    expect(dataFormFieldOfPath("input.definition.rule.mask.mask.regexReplace.pattern")).toBe("pattern");
    expect(dataFormFieldOfPath("input.definition.rule.mask.when")).toBe("when");
    // No field for it: the path stays, and the builder lists it under the form.
    expect(dataFormFieldOfPath("input.definition.except.or.0.group")).toBe("input.definition.except.or.0.group");
    for (const f of ["columnNames", "pattern", "bucket", "rowColumn", "whereSql", "sourceIds"])
      expect(DATA_POLICY_FORM_FIELDS).toContain(f);
  });

  it("describes an exception with the names of groups and purposes", () => {
    const names: Names = { group: (id) => `G(${id})`, connection: (id) => id, purpose: (id) => `P(${id})` };
    const except = {
      __typename: "OrCondition" as const,
      conditions: [
        { __typename: "GroupCondition" as const, group: "g1" },
        { __typename: "PurposeCondition" as const, purpose: "p1" },
      ],
    };
    expect(describeExcept(except, names)).toBe("Except member of G(g1) OR acting under purpose P(p1)");
    expect(describeExcept(null, names)).toBe("Applies to everyone");
  });
});
