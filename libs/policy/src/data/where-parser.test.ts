import { AppError } from "@steward/core";
import { describe, expect, it } from "vitest";
import type { DataColumn, Expr } from "./types";
import { bindWhere, parseWhere, type WhereContext } from "./where-parser";

const col = (name: string, tags: string[] = [], type: DataColumn["type"] = "text"): DataColumn => ({ name, dataType: type, type, tags });
const columns = [
  col("name"),
  col("region", ["PII.Region"]),
  col("home_region", ["PII.Region.Home"]),
  col("age", [], "integer"),
  col("UPPER Case"),
];
const c = (name: string): Expr => ({ k: "column", name });
const t = (value: string): Expr => ({ k: "literal", value: { k: "text", value } });
const n = (value: number): Expr => ({ k: "literal", value: { k: "number", value } });

function refusal(sql: string, ctx: WhereContext = {}): string {
  try {
    parseWhere(sql, ctx);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe("BAD_USER_INPUT");
    const [field] = (e as AppError).fields;
    expect(field?.path).toBe(ctx.path ?? "sql");
    return field?.message ?? "";
  }
  throw new Error(`expected ${sql} to be refused`);
}

describe("parseWhere", () => {
  it("parses the allowed grammar into the expression tree", () => {
    expect(parseWhere("region = 'EU' AND NOT (age < 18) OR name IS NULL").expr).toEqual({
      k: "or",
      args: [
        {
          k: "and",
          args: [
            { k: "compare", op: "=", left: c("region"), right: t("EU") },
            { k: "not", arg: { k: "compare", op: "<", left: c("age"), right: n(18) } },
          ],
        },
        { k: "isNull", arg: c("name") },
      ],
    });
    expect(parseWhere("a IN ('x', 'y') AND b NOT IN (1) AND d IS NOT NULL").expr).toEqual({
      k: "and",
      args: [
        { k: "inList", value: c("a"), list: [t("x"), t("y")] },
        { k: "inList", value: c("b"), list: [n(1)], negated: true },
        { k: "isNull", arg: c("d"), negated: true },
      ],
    });
    expect(parseWhere("lower(name) LIKE 'a%' AND age BETWEEN 1 AND 2.5").expr).toEqual({
      k: "and",
      args: [
        { k: "like", arg: { k: "call", fn: "lower", args: [c("name")] }, pattern: "a%" },
        { k: "between", arg: c("age"), low: n(1), high: n(2.5) },
      ],
    });
    expect(parseWhere("name NOT LIKE 'x' OR age NOT BETWEEN -1 AND 1").expr).toEqual({
      k: "or",
      args: [
        { k: "like", arg: c("name"), pattern: "x", negated: true },
        { k: "not", arg: { k: "between", arg: c("age"), low: n(-1), high: n(1) } },
      ],
    });
    expect(parseWhere("d >= DATE '2024-02-29' AND b = TRUE AND coalesce(x, 'n') <> 'n' AND z = NULL").expr).toEqual({
      k: "and",
      args: [
        { k: "compare", op: ">=", left: c("d"), right: { k: "literal", value: { k: "date", value: "2024-02-29" } } },
        { k: "compare", op: "=", left: c("b"), right: { k: "literal", value: { k: "boolean", value: true } } },
        { k: "compare", op: "<>", left: { k: "call", fn: "coalesce", args: [c("x"), t("n")] }, right: t("n") },
        { k: "compare", op: "=", left: c("z"), right: { k: "literal", value: { k: "null" } } },
      ],
    });
  });

  it("expands the user macros into profile predicates", () => {
    expect(
      parseWhere("owner = @username OR @groupsContains('HR') OR @attributeValuesContains('region', 'EU') OR @purposesContain('Audit')")
        .expr,
    ).toEqual({
      k: "or",
      args: [
        { k: "compare", op: "=", left: c("owner"), right: { k: "profile", ref: { k: "username" } } },
        { k: "inProfileSet", value: t("HR"), set: { k: "groups" } },
        { k: "inProfileSet", value: t("EU"), set: { k: "attributeValues", key: "region" } },
        { k: "inProfileSet", value: t("Audit"), set: { k: "purposes" } },
      ],
    });
    expect(refusal("@attributeValuesContains('dept', 'x')", { attributeKeys: ["region"] })).toMatch(/unknown attribute dept/);
    expect(refusal("@groupsContains('a', 'b')")).toMatch(/@groupsContains takes 1 text argument/);
    expect(refusal("@groupsContains(name)")).toMatch(/takes non-empty text literals/);
    expect(refusal("@username()")).toMatch(/@username takes no arguments/);
    expect(refusal("@groupsContains = 1")).toMatch(/needs arguments/);
    expect(refusal("@evil('x')")).toMatch(/unknown macro @evil/);
    expect(refusal("name = @groupsContains('x')")).toMatch(/is a condition, not a value/);
    // A macro's text inside a string literal is just text.
    expect(parseWhere("name = '@username'").expr).toEqual({ k: "compare", op: "=", left: c("name"), right: t("@username") });
  });

  it("expands @columnTagged to the tagged columns (hierarchically), ORed, or refuses when none is tagged", () => {
    const expected: Expr = {
      k: "or",
      args: [
        { k: "compare", op: "=", left: c("region"), right: t("EU") },
        { k: "compare", op: "=", left: c("home_region"), right: t("EU") },
      ],
    };
    expect(parseWhere("@columnTagged('PII.Region') = 'EU'", { columns }).expr).toEqual(expected);
    expect(parseWhere("@columnTagged('PII.Region.Home') = 'EU'", { columns }).expr).toEqual({
      k: "compare",
      op: "=",
      left: c("home_region"),
      right: t("EU"),
    });
    expect(refusal("@columnTagged('PII.Email') = 'x'", { columns })).toMatch(/no column of the data source is tagged PII.Email/);
    // Unknown source: bound later, per source; no tagged column → FALSE.
    const parsed = parseWhere("@columnTagged('PII.Region') = 'EU' AND age > 1");
    expect(parsed.tags).toEqual(["PII.Region"]);
    expect(bindWhere(parsed, columns).expr).toEqual({ k: "and", args: [expected, { k: "compare", op: ">", left: c("age"), right: n(1) }] });
    expect(bindWhere(parsed, [col("age", [], "integer")])).toEqual({
      expr: {
        k: "and",
        args: [
          { k: "literal", value: { k: "boolean", value: false } },
          { k: "compare", op: ">", left: c("age"), right: n(1) },
        ],
      },
      untagged: ["PII.Region"],
    });
  });

  it("checks columns against a known source (unquoted names fold case, quoted ones are exact)", () => {
    expect(parseWhere("AGE > 1 AND \"UPPER Case\" = 'x'", { columns }).expr).toEqual({
      k: "and",
      args: [
        { k: "compare", op: ">", left: c("age"), right: n(1) },
        { k: "compare", op: "=", left: c("UPPER Case"), right: t("x") },
      ],
    });
    expect(refusal("salary > 1", { columns, path: "definition.rule.rule.sql" })).toMatch(/has no column salary/);
    expect(refusal('"Age" > 1', { columns })).toMatch(/has no column "Age"/);
  });

  it("keeps hostile names and values intact through quoting", () => {
    const hostile = [
      'Robert"; DROP TABLE users; --',
      "semi;colon",
      "ünïcødé_名前",
      'quote"inside""twice',
      "back\\slash",
      "it's",
      "$1",
      "emoji😀",
      " leading space",
    ];
    for (const name of hostile) {
      const quoted = `"${name.replaceAll('"', '""')}"`;
      const value = `'${name.replaceAll("'", "''")}'`;
      expect(parseWhere(`${quoted} = ${value}`, { columns: [col(name)] }).expr).toEqual({
        k: "compare",
        op: "=",
        left: c(name),
        right: t(name),
      });
    }
  });

  it("turns an injection attempt inside a literal into a harmless text literal", () => {
    expect(parseWhere("name = '''; DROP TABLE x; --'").expr).toEqual({
      k: "compare",
      op: "=",
      left: c("name"),
      right: t("'; DROP TABLE x; --"),
    });
    expect(parseWhere("@attributeValuesContains('region', '''; DROP TABLE x; --')").expr).toEqual({
      k: "inProfileSet",
      value: t("'; DROP TABLE x; --"),
      set: { k: "attributeValues", key: "region" },
    });
  });

  it("refuses injection attempts that leave the literal", () => {
    expect(refusal("name = ''; DROP TABLE x; --'")).toMatch(/`;` is not allowed.*position 10/);
    expect(refusal("name = 'x' -- comment")).toMatch(/comments are not allowed/);
    expect(refusal("name = 'x' /* c */")).toMatch(/comments are not allowed/);
    expect(refusal("name = E'\\''")).toMatch(/prefixed strings/);
    expect(refusal("name = $$x$$")).toMatch(/character \$ is not allowed/);
    expect(refusal("name = 'x' UNION SELECT * FROM pg_shadow")).toMatch(/only a condition is allowed/);
    expect(refusal("1 = 1 GROUP BY name")).toMatch(/only a condition is allowed/);
    expect(refusal("name = 'unterminated")).toMatch(/unterminated string/);
    expect(refusal("__steward_str_0 = 1")).toMatch(/reserved/);
  });

  it("refuses subqueries, other functions, casts, operators and malformed input, naming the fragment", () => {
    expect(refusal("name IN (SELECT name FROM users)")).toMatch(/not allowed as a value/);
    expect(refusal("age = (SELECT 1)")).toMatch(/not allowed as a value/);
    expect(refusal("EXISTS (SELECT 1)")).toMatch(/not allowed as a condition/);
    expect(refusal("pg_sleep(10) IS NULL")).toMatch(/the function pg_sleep is not allowed/);
    expect(refusal("lower(name, name) = 'x'")).toMatch(/lower takes 1 argument/);
    expect(refusal("age::text = '1'")).toMatch(/not allowed as a value: .*age/);
    expect(refusal("CAST(age AS text) = '1'")).toMatch(/not allowed as a value/);
    expect(refusal("age + 1 = 2")).toMatch(/not allowed as a value/);
    expect(refusal("name || 'x' = 'y'")).toMatch(/not allowed as a value/);
    expect(refusal("name ILIKE 'x'")).toMatch(/operator ILIKE is not allowed/);
    expect(refusal("name LIKE name")).toMatch(/LIKE needs a text pattern/);
    expect(refusal("t.name = 'x'")).toMatch(/qualified column names/);
    expect(refusal("d = DATE '2023-02-29'")).toMatch(/DATE needs a valid/);
    expect(refusal("name = ")).toMatch(/syntax error at position \d+: end of input/);
    expect(refusal("name = = 'x'")).toMatch(/syntax error at position 8: "= 'x'"/);
    expect(refusal("   ")).toMatch(/empty/);
    expect(refusal("'abc'")).toMatch(/not allowed as a condition/);
  });
});
