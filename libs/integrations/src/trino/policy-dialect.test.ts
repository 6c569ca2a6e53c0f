import { type ColumnType, caseOf, type Expr, type Mask } from "@steward/policy";
import { describe, expect, it } from "vitest";
import { HOSTILE_NAMES } from "../sql/hostile-names";
import { type CompileContext, compileExpr } from "../sql/policy/compile";
import { PolicyCompileError } from "../sql/policy/dialect";
import { UnsafeIdentifierError } from "../sql/quote";
import { capturingGroups, castToTrinoType, plainDecimal, trinoDialect as trino, trinoReplacement } from "./policy-dialect";

const INJECTION = "'; DROP TABLE x; --";
const col = (name: string): Expr => ({ k: "column", name });
const text = (value: string): Expr => ({ k: "literal", value: { k: "text", value } });
const num = (value: number): Expr => ({ k: "literal", value: { k: "number", value } });
const SALT = "'s''alt'";

function ctx(columns: Record<string, [ColumnType, string]> = {}): CompileContext {
  const base: Record<string, [ColumnType, string]> = {
    email: ["text", "varchar"],
    salary: ["integer", "integer"],
    price: ["decimal", "decimal(10,2)"],
    score: ["float", "double"],
    born: ["date", "date"],
    ts: ["timestamp", "timestamp(3)"],
    at: ["timestamptz", "timestamp(3) with time zone"],
    region: ["text", "varchar(10)"],
    doc: ["other", 'row("a b" integer)'],
    a: ["boolean", "boolean"],
    b: ["boolean", "boolean"],
    ...columns,
  };
  return {
    dialect: trino,
    env: { profile: "", salt: SALT },
    columns: new Map(Object.entries(base).map(([n, [type, dataType]]) => [n, { type, dataType }])),
    alias: null,
    warnings: [],
  };
}
const sql = (e: Expr, c = ctx()) => compileExpr(e, c);

describe("Trino policy dialect: every Expr kind", () => {
  it.each<[string, Expr, string]>([
    ["column", col("email"), `"email"`],
    ["text literal", text("it's"), `'it''s'`],
    ["unicode literal", text("Zoë 日本 🙂"), `'Zoë 日本 🙂'`],
    ["negative number", num(-1.5), `(-1.5)`],
    ["boolean", { k: "literal", value: { k: "boolean", value: true } }, "TRUE"],
    ["null", { k: "literal", value: { k: "null" } }, "NULL"],
    ["date", { k: "literal", value: { k: "date", value: "2024-02-29" } }, `DATE '2024-02-29'`],
    ["in list", { k: "inList", value: col("region"), list: [text("EU"), text(INJECTION)] }, `("region" IN ('EU', '''; DROP TABLE x; --'))`],
    ["not in list", { k: "inList", value: col("region"), list: [text("EU")], negated: true }, `("region" NOT IN ('EU'))`],
    ["empty in list", { k: "inList", value: col("region"), list: [] }, "FALSE"],
    ["and", { k: "and", args: [col("a"), col("b")] }, `("a" AND "b")`],
    ["or", { k: "or", args: [col("a"), col("b")] }, `("a" OR "b")`],
    ["not", { k: "not", arg: col("a") }, `(NOT "a")`],
    ["compare", { k: "compare", op: "<=", left: col("salary"), right: num(10) }, `("salary" <= 10)`],
    ["is not null", { k: "isNull", arg: col("email"), negated: true }, `("email" IS NOT NULL)`],
    ["like (no escape character)", { k: "like", arg: col("email"), pattern: "%\\_x" }, `("email" LIKE '%\\_x')`],
    ["not like", { k: "like", arg: col("email"), pattern: INJECTION, negated: true }, `("email" NOT LIKE '''; DROP TABLE x; --')`],
    ["between", { k: "between", arg: col("salary"), low: num(-1), high: num(2) }, `("salary" BETWEEN (-1) AND 2)`],
    ["coalesce", { k: "call", fn: "coalesce", args: [col("email"), text("")] }, `coalesce("email", '')`],
    ["trim: spaces only", { k: "call", fn: "trim", args: [col("email")] }, `trim(BOTH ' ' FROM "email")`],
    ["length", { k: "call", fn: "length", args: [col("email")] }, `length("email")`],
    ["case", caseOf(col("a"), col("email"), text("x")), `CASE WHEN "a" THEN "email" ELSE 'x' END`],
    ["within days", { k: "withinDays", column: "at", days: 90 }, `("at" >= current_timestamp - INTERVAL '90' DAY)`],
    [
      "sample: md5 prefix as uint32, a NULL key is out",
      { k: "sample", column: "salary", percent: 10 },
      `COALESCE(from_base(substr(to_hex(md5(to_utf8(CAST("salary" AS varchar)))), 1, 8), 16) < 429496729, FALSE)`,
    ],
  ])("%s", (_name, expr, expected) => {
    expect(sql(expr)).toBe(expected);
  });

  it("quotes hostile column names through the audited Trino quoting", () => {
    for (const name of HOSTILE_NAMES) {
      expect(sql(col(name), ctx({ [name]: ["text", "varchar"] }))).toBe(`"${name.replaceAll('"', '""')}"`);
    }
    expect(() => sql(col("a\0b"), ctx({ "a\0b": ["text", "varchar"] }))).toThrow(UnsafeIdentifierError);
    expect(() => sql(text("nul\0"))).toThrow(UnsafeIdentifierError);
  });

  it("refuses profile reads (specialise first), views, non-finite numbers and malformed dates", () => {
    expect(() => sql({ k: "profile", ref: { k: "username" } })).toThrow(/specialise/);
    expect(() => sql({ k: "inProfileSet", value: col("email"), set: { k: "groups" } })).toThrow(PolicyCompileError);
    expect(() => trino.systemEnv()).toThrow(PolicyCompileError);
    expect(() => trino.createView({ view: "v", select: "SELECT 1", comment: "" })).toThrow(PolicyCompileError);
    expect(() => sql(num(Number.NaN))).toThrow(PolicyCompileError);
    expect(() => sql({ k: "literal", value: { k: "date", value: "2024-13-45" } })).toThrow(PolicyCompileError);
    expect(() => sql({ k: "withinDays", column: "at", days: 1.5 })).toThrow(PolicyCompileError);
  });
});

describe("Trino policy dialect: text forms", () => {
  it.each<[ColumnType | undefined, string]>([
    ["text", `CAST("x" AS varchar)`],
    ["integer", `CAST("x" AS varchar)`],
    ["decimal", `regexp_replace(regexp_replace(CAST("x" AS varchar), '(\\.[0-9]*[1-9])0+$', '$1'), '\\.0+$', '')`],
    ["timestamp", `regexp_replace(regexp_replace(CAST(CAST("x" AS timestamp(6)) AS varchar), '(\\.[0-9]*[1-9])0+$', '$1'), '\\.0+$', '')`],
    [
      "timestamptz",
      `regexp_replace(regexp_replace(CAST(CAST(("x" AT TIME ZONE 'UTC') AS timestamp(6)) AS varchar), '(\\.[0-9]*[1-9])0+$', '$1'), '\\.0+$', '')`,
    ],
    [undefined, `CAST("x" AS varchar)`],
  ])("%s", (type, expected) => {
    expect(trino.toText(`"x"`, type)).toBe(expected);
  });

  it("floats: Trino's exponent form rewritten to PostgreSQL's float8 text (one CASE over the shortest digits)", () => {
    const f = trino.toText(`"x"`, "float");
    expect(f).toMatch(/^\(CASE WHEN strpos\(CAST\("x" AS varchar\), 'E'\) = 0 THEN/);
    expect(f).toContain(`'e-', 'e+'`);
    expect(f).toContain(`lpad(`);
  });
});

describe("Trino policy dialect: masks", () => {
  const mask = (m: Mask, column: string, type: ColumnType): Expr => ({ k: "mask", mask: m, arg: col(column), type });
  it.each<[string, Expr, string]>([
    ["null keeps the native type", mask({ kind: "null" }, "price", "decimal"), `CAST(NULL AS decimal(10,2))`],
    ["null on a row type emits no cast (field names are never pasted)", mask({ kind: "null" }, "doc", "other"), `NULL`],
    ["constant on text", mask({ kind: "constant", value: INJECTION }, "email", "text"), `'''; DROP TABLE x; --'`],
    ["constant on integer", mask({ kind: "constant", value: "-5" }, "salary", "integer"), `CAST((-5) AS integer)`],
    ["constant on decimal", mask({ kind: "constant", value: "12.5" }, "price", "decimal"), `CAST(12.5 AS decimal(10,2))`],
    ["constant on boolean", mask({ kind: "constant", value: "true" }, "a", "boolean"), `TRUE`],
    ["constant on date", mask({ kind: "constant", value: "2001-02-03" }, "born", "date"), `CAST(DATE '2001-02-03' AS date)`],
    [
      "a timestamptz constant without offset is UTC",
      mask({ kind: "constant", value: "2001-02-03 04:05" }, "at", "timestamptz"),
      `CAST(TIMESTAMP '2001-02-03 04:05:00 UTC' AS timestamp(3) with time zone)`,
    ],
    [
      "a timestamptz constant keeps its offset",
      mask({ kind: "constant", value: "2001-02-03T04:05:06.5+05:30" }, "at", "timestamptz"),
      `CAST(TIMESTAMP '2001-02-03 04:05:06.5 +05:30' AS timestamp(3) with time zone)`,
    ],
    [
      "a timestamp constant ignores an offset",
      mask({ kind: "constant", value: "2001-02-03 04:05:06Z" }, "ts", "timestamp"),
      `CAST(TIMESTAMP '2001-02-03 04:05:06' AS timestamp(3))`,
    ],
    ["hash", mask({ kind: "hash" }, "email", "text"), `lower(to_hex(sha256(to_utf8(${SALT} || CAST("email" AS varchar)))))`],
    [
      "regex replace: pattern as authored, replacement translated",
      mask({ kind: "regexReplace", pattern: "^(.)(.*)$", replacement: "\\1…\\&$" }, "email", "text"),
      `regexp_replace(CAST("email" AS varchar), '^(.)(.*)$', '$1…$0\\$')`,
    ],
    [
      "regex replace: hostile replacement",
      mask({ kind: "regexReplace", pattern: "'", replacement: INJECTION }, "email", "text"),
      `regexp_replace(CAST("email" AS varchar), '''', '''; DROP TABLE x; --')`,
    ],
    [
      "round integer by an integer bucket: bigint, one bucket lower for negative remainders",
      mask({ kind: "roundNumber", bucket: 100 }, "salary", "integer"),
      `CAST((CAST("salary" AS bigint) - mod(CAST("salary" AS bigint), CAST(100 AS bigint)) - IF(mod(CAST("salary" AS bigint), CAST(100 AS bigint)) < 0, CAST(100 AS bigint), 0)) AS integer)`,
    ],
    [
      "round decimal: exact decimal arithmetic",
      mask({ kind: "roundNumber", bucket: 0.5 }, "price", "decimal"),
      `CAST(("price" - mod("price", DECIMAL '0.5') - IF(mod("price", DECIMAL '0.5') < 0, DECIMAL '0.5', 0)) AS decimal(10,2))`,
    ],
    ["round date keeps a date", mask({ kind: "roundDate", unit: "month" }, "born", "date"), `CAST(date_trunc('month', "born") AS date)`],
    [
      "round timestamptz: the UTC year",
      mask({ kind: "roundDate", unit: "year" }, "at", "timestamptz"),
      `CAST(date_trunc('year', ("at" AT TIME ZONE 'UTC')) AS timestamp(3) with time zone)`,
    ],
    [
      "show last: characters, not bytes",
      mask({ kind: "showLast", count: 4 }, "email", "text"),
      `(CASE WHEN length(CAST("email" AS varchar)) <= 4 THEN CAST("email" AS varchar) ELSE lpad(substr(CAST("email" AS varchar), length(CAST("email" AS varchar)) - 4 + 1), length(CAST("email" AS varchar)), '*') END)`,
    ],
  ])("%s", (_name, expr, expected) => {
    expect(sql(expr)).toBe(expected);
  });

  it("round double: decimal(38,15) within ±1e22, double beyond", () => {
    const s = sql(mask({ kind: "roundNumber", bucket: 1e-7 }, "score", "float"));
    expect(s).toContain(`CAST("score" AS decimal(38,15))`);
    expect(s).toContain(`DECIMAL '0.0000001'`);
    expect(s).toContain(`WHEN abs("score") < 1e22`);
  });

  it("refuses a bucket with more digits than a decimal holds", () => {
    expect(() => sql(mask({ kind: "roundNumber", bucket: 1.5e-40 }, "price", "decimal"))).toThrow(PolicyCompileError);
  });
});

describe("Trino helpers", () => {
  it("casts only to type names of Trino's own spelling", () => {
    expect(castToTrinoType("x", "VARCHAR(255)")).toBe("CAST(x AS varchar(255))");
    expect(castToTrinoType("x", "decimal(10, 2)")).toBe("CAST(x AS decimal(10, 2))");
    expect(castToTrinoType("x", "timestamp(6) with time zone")).toBe("CAST(x AS timestamp(6) with time zone)");
    expect(castToTrinoType("x", "array(varchar)")).toBe("x");
    expect(castToTrinoType("x", 'row("a" integer)')).toBe("x");
    expect(castToTrinoType("x", "integer); DROP TABLE t; --")).toBe("x");
    expect(castToTrinoType("x", null)).toBe("x");
  });

  it("counts capturing groups, not escaped or class parentheses or (?:…)", () => {
    expect(capturingGroups("^(.)(.*)$")).toBe(2);
    expect(capturingGroups("\\((a)[()](?:b)")).toBe(1);
    expect(capturingGroups("[]()](x)")).toBe(1);
  });

  it.each<[string, number, string]>([
    ["\\1-\\2", 2, "$1-$2"],
    ["\\&", 0, "$0"],
    ["\\0", 0, "$0"],
    ["\\12", 1, "$1\\2"],
    ["\\3", 1, ""],
    ["$1", 1, "\\$1"],
    ["a\\\\b", 0, "a\\\\b"],
    ["a\\yb", 0, "a\\\\yb"],
    ["end\\", 0, "end\\\\"],
  ])("replacement %j (%i groups) → %j", (pg, groups, expected) => {
    expect(trinoReplacement(pg, groups)).toBe(expected);
  });

  it("writes decimals without exponent", () => {
    expect(plainDecimal(1e-7)).toBe("0.0000001");
    expect(plainDecimal(1.5e21)).toBe("1500000000000000000000");
    expect(plainDecimal(-0.25)).toBe("-0.25");
  });
});
