import { type ColumnType, caseOf, type Expr, type Mask, type PolicyViewSpec } from "@steward/policy";
import { describe, expect, it } from "vitest";
import { HOSTILE_NAMES } from "../sql/hostile-names";
import { type CompileContext, compileExpr, compileViewSelect } from "../sql/policy/compile";
import { PolicyCompileError } from "../sql/policy/dialect";
import { UnsafeIdentifierError } from "../sql/quote";
import { postgresDialect as pg } from "./policy-dialect";

const INJECTION = "'; DROP TABLE x; --";
const col = (name: string): Expr => ({ k: "column", name });
const text = (value: string): Expr => ({ k: "literal", value: { k: "text", value } });
const num = (value: number): Expr => ({ k: "literal", value: { k: "number", value } });

function ctx(columns: Record<string, [ColumnType, string]> = {}): CompileContext {
  const base: Record<string, [ColumnType, string]> = {
    email: ["text", "text"],
    salary: ["integer", "integer"],
    price: ["decimal", "numeric(10,2)"],
    born: ["date", "date"],
    at: ["timestamptz", "timestamp with time zone"],
    region: ["text", "character varying(10)"],
    doc: ["other", 'public."My Type"'],
    ...columns,
  };
  return {
    dialect: pg,
    env: pg.systemEnv(),
    columns: new Map(Object.entries(base).map(([n, [type, dataType]]) => [n, { type, dataType }])),
    alias: null,
    warnings: [],
  };
}
const sql = (e: Expr, c = ctx()) => compileExpr(e, c);
const P = `"steward_system"."user_profile"`;
const SALT = `(SELECT "salt" FROM "steward_system"."hash_salt")`;

describe("PostgreSQL policy dialect: every Expr kind", () => {
  it.each<[string, Expr, string]>([
    ["column", col("email"), `"email"`],
    ["text literal", text("it's"), `'it''s'`],
    ["negative number", num(-1.5), `(-1.5)`],
    ["boolean", { k: "literal", value: { k: "boolean", value: true } }, "TRUE"],
    ["null", { k: "literal", value: { k: "null" } }, "NULL"],
    ["date", { k: "literal", value: { k: "date", value: "2024-02-29" } }, `DATE '2024-02-29'`],
    ["username", { k: "profile", ref: { k: "username" } }, `(SELECT "username" FROM ${P})`],
    [
      "groups",
      { k: "inProfileSet", value: text("hr"), set: { k: "groups" } },
      `(SELECT ('hr' = ANY (CAST((SELECT "groups" FROM ${P}) AS text[]))))`,
    ],
    [
      "purposes",
      { k: "inProfileSet", value: text("Research"), set: { k: "purposes" } },
      `(SELECT ('Research' = ANY (CAST((SELECT "purposes" FROM ${P}) AS text[]))))`,
    ],
    [
      "sources (non-text value is cast)",
      { k: "inProfileSet", value: col("salary"), set: { k: "sources" } },
      `(CAST("salary" AS text) = ANY (CAST((SELECT "sources" FROM ${P}) AS text[])))`,
    ],
    [
      "attribute values",
      { k: "inProfileSet", value: col("region"), set: { k: "attributeValues", key: INJECTION } },
      `("region" = ANY (ARRAY(SELECT jsonb_array_elements_text("attributes" -> '''; DROP TABLE x; --') FROM ${P})))`,
    ],
    ["in list", { k: "inList", value: col("region"), list: [text("EU"), text("UK")] }, `("region" IN ('EU', 'UK'))`],
    ["not in list", { k: "inList", value: col("region"), list: [text("EU")], negated: true }, `("region" NOT IN ('EU'))`],
    ["empty in list", { k: "inList", value: col("region"), list: [] }, "FALSE"],
    ["empty not in list", { k: "inList", value: col("region"), list: [], negated: true }, "TRUE"],
    ["and", { k: "and", args: [col("a"), col("b")] }, `("a" AND "b")`],
    ["or", { k: "or", args: [col("a"), col("b")] }, `("a" OR "b")`],
    ["empty and", { k: "and", args: [] }, "TRUE"],
    ["empty or", { k: "or", args: [] }, "FALSE"],
    ["not", { k: "not", arg: col("a") }, `(NOT "a")`],
    ["compare", { k: "compare", op: "<=", left: col("salary"), right: num(10) }, `("salary" <= 10)`],
    ["is null", { k: "isNull", arg: col("email") }, `("email" IS NULL)`],
    ["is not null", { k: "isNull", arg: col("email"), negated: true }, `("email" IS NOT NULL)`],
    ["like", { k: "like", arg: col("email"), pattern: "%@x.com" }, `("email" LIKE '%@x.com' ESCAPE '')`],
    [
      "not like",
      { k: "like", arg: col("email"), pattern: INJECTION, negated: true },
      `("email" NOT LIKE '''; DROP TABLE x; --' ESCAPE '')`,
    ],
    ["between", { k: "between", arg: col("salary"), low: num(1), high: num(2) }, `("salary" BETWEEN 1 AND 2)`],
    ["call", { k: "call", fn: "coalesce", args: [col("email"), text("")] }, `coalesce("email", '')`],
    // biome-ignore lint/suspicious/noThenProperty: the IR's CASE node (@steward/policy Expr) names its branch `then`
    ["case", { k: "case", when: col("a"), then: col("email"), else: text("x") }, `CASE WHEN "a" THEN "email" ELSE 'x' END`],
    ["within days", { k: "withinDays", column: "at", days: 90 }, `("at" >= now() - make_interval(days => 90))`],
    [
      "sample",
      { k: "sample", column: "salary", percent: 10 },
      `(CAST(CAST('x' || substr(md5(CAST("salary" AS text)), 1, 8) AS bit(32)) AS bigint) < 429496729)`,
    ],
  ])("%s", (_name, expr, expected) => {
    expect(sql(expr, ctx({ a: ["boolean", "boolean"], b: ["boolean", "boolean"] }))).toBe(expected);
  });
});

describe("PostgreSQL policy dialect: masks", () => {
  const mask = (m: Mask, column: string, type: ColumnType): Expr => ({ k: "mask", mask: m, arg: col(column), type });
  it.each<[string, Expr, string]>([
    ["null keeps the native type", mask({ kind: "null" }, "price", "decimal"), `CAST(NULL AS numeric(10,2))`],
    ["null on a non-built-in type emits no cast", mask({ kind: "null" }, "doc", "other"), `NULL`],
    ["constant on text", mask({ kind: "constant", value: INJECTION }, "email", "text"), `'''; DROP TABLE x; --'`],
    ["constant on integer", mask({ kind: "constant", value: "0" }, "salary", "integer"), `CAST('0' AS integer)`],
    [
      "hash reads the salt from the system table",
      mask({ kind: "hash" }, "email", "text"),
      `encode(sha256(convert_to(${SALT} || CAST("email" AS text), 'UTF8')), 'hex')`,
    ],
    [
      "regex replace, global",
      mask({ kind: "regexReplace", pattern: "[0-9]'", replacement: INJECTION }, "email", "text"),
      `regexp_replace(CAST("email" AS text), '[0-9]''', '''; DROP TABLE x; --', 'g')`,
    ],
    [
      "round integer: integer floor division",
      mask({ kind: "roundNumber", bucket: 100 }, "salary", "integer"),
      `CAST(((CAST("salary" AS bigint) / 100 - CASE WHEN CAST("salary" AS bigint) % 100 < 0 THEN 1 ELSE 0 END) * 100) AS integer)`,
    ],
    [
      "round decimal",
      mask({ kind: "roundNumber", bucket: 0.5 }, "price", "decimal"),
      `CAST((floor(CAST("price" AS numeric) / 0.5) * 0.5) AS numeric(10,2))`,
    ],
    ["round date keeps a date", mask({ kind: "roundDate", unit: "month" }, "born", "date"), `CAST(date_trunc('month', "born") AS date)`],
    ["round timestamptz: the UTC year", mask({ kind: "roundDate", unit: "year" }, "at", "timestamptz"), `date_trunc('year', "at", 'UTC')`],
    [
      "hash of a decimal reads its text form without trailing zeros",
      mask({ kind: "hash" }, "price", "decimal"),
      `encode(sha256(convert_to(${SALT} || CAST(trim_scale("price") AS text), 'UTF8')), 'hex')`,
    ],
    [
      "show last of a date: to_char, whatever the DateStyle",
      mask({ kind: "showLast", count: 2 }, "born", "date"),
      `(repeat('*', greatest(length(to_char("born", 'YYYY-MM-DD')) - 2, 0)) || right(to_char("born", 'YYYY-MM-DD'), 2))`,
    ],
    [
      "hash of a timestamptz: its UTC text form, fraction without trailing zeros",
      mask({ kind: "hash" }, "at", "timestamptz"),
      `encode(sha256(convert_to(${SALT} || regexp_replace(to_char(("at" AT TIME ZONE 'UTC'), 'YYYY-MM-DD HH24:MI:SS.US'), '\\.?0+$', ''), 'UTF8')), 'hex')`,
    ],
    [
      "a timestamptz constant without offset is UTC",
      mask({ kind: "constant", value: "2001-02-03 04:05" }, "at", "timestamptz"),
      `CAST((CAST('2001-02-03 04:05' AS timestamp) AT TIME ZONE 'UTC') AS timestamp with time zone)`,
    ],
    [
      "show last",
      mask({ kind: "showLast", count: 4 }, "email", "text"),
      `(repeat('*', greatest(length(CAST("email" AS text)) - 4, 0)) || right(CAST("email" AS text), 4))`,
    ],
  ])("%s", (_name, expr, expected) => {
    expect(sql(expr)).toBe(expected);
  });

  it("renders NULL (with a warning) for a mask the type cannot take", () => {
    const c = ctx();
    expect(sql(mask({ kind: "roundNumber", bucket: 10 }, "email", "text"), c)).toBe("CAST(NULL AS text)");
    expect(sql(mask({ kind: "constant", value: "abc" }, "salary", "integer"), c)).toBe("CAST(NULL AS integer)");
    expect(c.warnings).toHaveLength(2);
  });

  it("casts the clear branch to text when the masked branch is text (hash on an integer)", () => {
    const expr: Expr = {
      k: "case",
      when: { k: "inProfileSet", value: text("hr"), set: { k: "groups" } },
      // biome-ignore lint/suspicious/noThenProperty: the IR's CASE node (@steward/policy Expr) names its branch `then`
      then: col("salary"),
      else: mask({ kind: "hash" }, "salary", "integer"),
    };
    expect(sql(expr)).toBe(
      `CASE WHEN (SELECT ('hr' = ANY (CAST((SELECT "groups" FROM ${P}) AS text[])))) THEN CAST("salary" AS text) ELSE encode(sha256(convert_to(${SALT} || CAST("salary" AS text), 'UTF8')), 'hex') END`,
    );
  });

  it("evaluates the largest row-independent profile subtree once, and nothing that reads a column", () => {
    const groups: Expr = { k: "inProfileSet", value: text("hr"), set: { k: "groups" } };
    const purposes: Expr = { k: "inProfileSet", value: text("R"), set: { k: "purposes" } };
    const row: Expr = { k: "isNull", arg: col("email") };
    expect(sql({ k: "or", args: [{ k: "and", args: [groups, purposes] }, row] })).toBe(
      `((SELECT (('hr' = ANY (CAST((SELECT "groups" FROM ${P}) AS text[]))) AND ('R' = ANY (CAST((SELECT "purposes" FROM ${P}) AS text[]))))) OR ("email" IS NULL))`,
    );
    expect(sql({ k: "compare", op: "=", left: col("email"), right: { k: "profile", ref: { k: "username" } } })).toBe(
      `("email" = (SELECT "username" FROM ${P}))`,
    );
    expect(sql({ k: "and", args: [{ k: "compare", op: "=", left: text("a"), right: text("a") }] })).toBe(`('a' = 'a')`);
  });

  it("refuses IR that could not be valid SQL", () => {
    expect(() => sql(col("missing"))).toThrow(PolicyCompileError);
    expect(() => sql(num(Number.NaN))).toThrow(PolicyCompileError);
    expect(() => sql({ k: "literal", value: { k: "date", value: "2024-1-1'" } })).toThrow(PolicyCompileError);
    expect(() => sql({ k: "compare", op: "; DROP" as "=", left: num(1), right: num(1) })).toThrow(PolicyCompileError);
    expect(() => sql({ k: "call", fn: "pg_sleep" as "lower", args: [] })).toThrow(PolicyCompileError);
    expect(() => sql(mask({ kind: "roundNumber", bucket: 0 }, "salary", "integer"))).toThrow(PolicyCompileError);
    expect(() => sql({ k: "sample", column: "salary", percent: 0 })).toThrow(PolicyCompileError);
    expect(() => sql(text("nul\0"))).toThrow(UnsafeIdentifierError);
  });
});

describe("PostgreSQL policy view SELECT", () => {
  it("types CASE branches from the base column, not the view column a text-form mask turned into text", () => {
    // resolve.ts gives a hashed integer column `type: "text"`; its clear branch must still be cast.
    const hashed: PolicyViewSpec = {
      sourceId: "s",
      columns: [
        {
          name: "salary",
          type: "text",
          dataType: "integer",
          expr: caseOf({ k: "inProfileSet", value: text("hr"), set: { k: "groups" } }, col("salary"), {
            k: "mask",
            mask: { kind: "hash" },
            arg: col("salary"),
            type: "integer",
          }),
        },
      ],
      rowFilter: null,
      policyIds: ["p"],
      conflicts: [],
    };
    expect(compileViewSelect(hashed, { dialect: pg, base: ["s", "t"] }).select).toContain(`THEN CAST("steward_src"."salary" AS text) ELSE`);
  });

  const spec = (names: string[]): PolicyViewSpec => ({
    sourceId: "src-1",
    columns: names.map((name) => ({ name, type: "text", dataType: "text", expr: col(name) })),
    rowFilter: { k: "compare", op: "=", left: col(names[0]!), right: text(INJECTION) },
    policyIds: ["p1"],
    conflicts: [],
  });

  it("guards by the subscription, qualifies columns with the source alias", () => {
    expect(compileViewSelect(spec(["email"]), { dialect: pg, base: ["sales", "Orders"] }).select).toBe(
      [
        `SELECT`,
        `  "steward_src"."email" AS "email"`,
        `FROM "sales"."Orders" AS "steward_src"`,
        `WHERE (SELECT ('src-1' = ANY (CAST((SELECT "sources" FROM ${P}) AS text[]))))`,
        `  AND ("steward_src"."email" = '''; DROP TABLE x; --')`,
      ].join("\n"),
    );
  });

  it("quotes every hostile name", () => {
    const names = HOSTILE_NAMES.filter((n) => n !== "steward_src");
    const { select } = compileViewSelect(spec(names), { dialect: pg, base: [HOSTILE_NAMES[0]!, HOSTILE_NAMES[4]!] });
    for (const name of names) expect(select).toContain(`"steward_src".${pg.ident(name)} AS ${pg.ident(name)}`);
    expect(select).toContain(`FROM "Robert""; DROP TABLE users; --"."quote""inside""""twice"`);
  });

  it("refuses duplicate and missing columns", () => {
    expect(() => compileViewSelect(spec(["a", "a"]), { dialect: pg, base: ["s", "t"] })).toThrow(PolicyCompileError);
    expect(() => compileViewSelect({ ...spec(["a"]), columns: [] }, { dialect: pg, base: ["s", "t"] })).toThrow(PolicyCompileError);
  });
});
