import { AppError } from "@steward/core";
import { describe, expect, it } from "vitest";
import { regexProblem } from "./regex";
import type { DataColumn, DataSourceInfo } from "./types";
import { type DataPolicyValidationContext, validateDataPolicy } from "./validate";

const col = (name: string, type: DataColumn["type"] = "text"): DataColumn => ({ name, dataType: type, type, tags: [] });
const src: DataSourceInfo = {
  id: "s1",
  connectionId: "c1",
  location: { object: "t" },
  tags: [],
  columns: [col("email"), col("age", "integer"), col("at", "date")],
};
const ctx: DataPolicyValidationContext = { sources: [src], attributeKeys: ["region"], groupIds: ["g-hr"], purposeIds: ["pr-audit"] };
const local = { kind: "sources", sourceIds: ["s1"] };
const mask = (m: unknown, names = ["email"]) => ({ scope: local, rule: { kind: "mask", columns: { kind: "names", names }, mask: m } });

function fieldsOf(input: unknown, c: DataPolicyValidationContext = ctx) {
  try {
    validateDataPolicy(input, c);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe("BAD_USER_INPUT");
    return (e as AppError).fields;
  }
  throw new Error("expected a validation error");
}

describe("validateDataPolicy", () => {
  it("accepts a well-formed definition", () => {
    const def = {
      ...mask({ kind: "hash" }),
      except: {
        kind: "or",
        conditions: [
          { kind: "group", group: "g-hr" },
          { kind: "purpose", purpose: "pr-audit" },
        ],
      },
    };
    expect(validateDataPolicy(def, ctx)).toEqual({ definition: def, warnings: [] });
  });

  it("rejects invalid and non-portable regexes at the pattern's path", () => {
    for (const pattern of ["(", "(a)\\1", "(?<=a)b", "(?<name>a)", "(?i)a", "\\bword", "\\p{L}", "a(?=b)"]) {
      expect(fieldsOf(mask({ kind: "regexReplace", pattern, replacement: "x" }))[0]?.path, pattern).toBe("definition.rule.mask.pattern");
    }
    expect(regexProblem("^[^@]+@\\\\1")).toBeNull(); // an escaped backslash followed by 1 is not a back-reference
    expect(regexProblem("'; DROP TABLE x; --")).toBeNull(); // just a pattern; compilers pass it as a literal
  });

  it("rejects out-of-range numbers with their paths", () => {
    expect(fieldsOf(mask({ kind: "roundNumber", bucket: 0 }, ["age"]))).toEqual([
      { path: "definition.rule.mask.bucket", message: "the bucket must be greater than 0" },
    ]);
    expect(fieldsOf(mask({ kind: "showLast", count: 0 }))[0]?.path).toBe("definition.rule.mask.count");
    expect(fieldsOf(mask({ kind: "showLast", count: 1.5 }))[0]?.path).toBe("definition.rule.mask.count");
    const rows = (rule: unknown) => ({ scope: local, rule: { kind: "rows", rule } });
    expect(fieldsOf(rows({ kind: "timeWindow", column: "at", days: -1 }))[0]?.path).toBe("definition.rule.rule.days");
    for (const percent of [0, 100.5, -3])
      expect(fieldsOf(rows({ kind: "minimize", column: "age", percent }))[0]?.path).toBe("definition.rule.rule.percent");
    expect(validateDataPolicy(rows({ kind: "minimize", column: "age", percent: 100 }), ctx).warnings).toEqual([]);
  });

  it("rejects masks and rules on missing columns, unrepresentable constants, wrong column types", () => {
    expect(fieldsOf(mask({ kind: "null" }, ["email", "nope"]))).toEqual([
      { path: "definition.rule.columns.names.1", message: "UNKNOWN_COLUMN: data source s1 has no column nope" },
    ]);
    expect(fieldsOf(mask({ kind: "constant", value: "'; DROP TABLE x; --" }, ["age"]))[0]?.path).toBe("definition.rule.mask.value");
    expect(validateDataPolicy(mask({ kind: "constant", value: "'; DROP TABLE x; --" }), ctx).warnings).toEqual([]);
    expect(fieldsOf({ scope: local, rule: { kind: "rows", rule: { kind: "timeWindow", column: "email", days: 3 } } })[0]?.message).toMatch(
      /COLUMN_TYPE/,
    );
    expect(
      fieldsOf({ scope: local, rule: { kind: "rows", rule: { kind: "matchAttribute", column: "email", attribute: "dept" } } })[0],
    ).toEqual({
      path: "definition.rule.rule.attribute",
      message: "UNKNOWN_ATTRIBUTE_KEY: no user attribute dept is known",
    });
  });

  it("warns about type fallbacks", () => {
    expect(validateDataPolicy(mask({ kind: "hash" }, ["age"]), ctx).warnings).toEqual([
      {
        severity: "warning",
        code: "TYPE_FALLBACK",
        path: "definition.rule.columns.names.0",
        message: "column age of s1 (integer): hashes the value's text form; the column becomes text",
      },
    ]);
  });

  it("parses WHEREs against the known source: missing columns, subqueries and unknown attributes are errors", () => {
    const where = (sql: string) => ({ scope: local, rule: { kind: "rows", rule: { kind: "where", sql } } });
    expect(validateDataPolicy(where("age > 18 AND @attributeValuesContains('region', 'EU')"), ctx).warnings).toEqual([]);
    expect(fieldsOf(where("salary > 1"))[0]).toEqual({
      path: "definition.rule.rule.sql",
      message: "INVALID_WHERE: the data source has no column salary",
    });
    expect(fieldsOf(where("age IN (SELECT 1)"))[0]?.message).toMatch(/INVALID_WHERE/);
    expect(fieldsOf(where("@attributeValuesContains('dept', 'x')"))[0]?.message).toMatch(/unknown attribute dept/);
    expect(fieldsOf(where("age = 1; DROP TABLE x; --"))[0]?.message).toMatch(/`;` is not allowed/);
    expect(fieldsOf({ ...mask({ kind: "null" }), rule: { ...mask({ kind: "null" }).rule, when: "nope = 1" } })[0]?.path).toBe(
      "definition.rule.when",
    );
    // Global scope: columns are checked per source at resolve time.
    expect(
      validateDataPolicy({ scope: { kind: "all" }, rule: { kind: "rows", rule: { kind: "where", sql: "salary > 1" } } }, ctx).warnings,
    ).toEqual([]);
  });

  it("rejects unknown groups, purposes and attributes in except, and NUL anywhere", () => {
    const fields = fieldsOf({
      ...mask({ kind: "null" }),
      except: {
        kind: "and",
        conditions: [
          { kind: "group", group: "HR" },
          { kind: "purpose", purpose: "x" },
          { kind: "attribute", key: "dept", match: "anyOf", values: ["a"] },
        ],
      },
    });
    expect(fields.map((f) => [f.path, f.message.split(":")[0]])).toEqual([
      ["definition.except.conditions.0", "UNKNOWN_GROUP"],
      ["definition.except.conditions.1", "UNKNOWN_PURPOSE"],
      ["definition.except.conditions.2", "UNKNOWN_ATTRIBUTE_KEY"],
    ]);
    expect(fieldsOf(mask({ kind: "constant", value: "a\u0000b" }))).toEqual([
      { path: "definition.rule.mask.value", message: "NUL_CHARACTER: NUL characters are not allowed" },
    ]);
  });
});
