import type { ColumnType, Expr, Mask } from "@steward/policy";
import { describe, expect, it } from "vitest";
import { HOSTILE_NAMES } from "../sql/hostile-names";
import { type CompileContext, compileExpr } from "../sql/policy/compile";
import { PolicyCompileError } from "../sql/policy/dialect";
import { UnsafeIdentifierError } from "../sql/quote";
import { attributeElement, snowflakeDialect } from "./policy-dialect";
import { lex } from "./testing/lexer";

const sf = snowflakeDialect("GOV");
const INJECTION = "'; DROP TABLE x; --";
const col = (name: string): Expr => ({ k: "column", name });
const text = (value: string): Expr => ({ k: "literal", value: { k: "text", value } });
const P = `"GOV"."STEWARD_SYSTEM"."USER_PROFILE"`;
const SALT = `(SELECT "salt" FROM "GOV"."STEWARD_SYSTEM"."HASH_SALT")`;
const has = (el: string, set: string) => `IFF(${el} IS NULL, NULL, ARRAY_CONTAINS(TO_VARIANT(${el}), (SELECT "${set}" FROM ${P})))`;

function ctx(): CompileContext {
  const cols: Record<string, [ColumnType, string]> = {
    email: ["text", "TEXT"],
    salary: ["integer", "NUMBER"],
    price: ["decimal", "NUMBER"],
    ratio: ["float", "FLOAT"],
    born: ["date", "DATE"],
    seen: ["timestamp", "TIMESTAMP_NTZ"],
    at: ["timestamptz", "TIMESTAMP_TZ"],
    active: ["boolean", "BOOLEAN"],
  };
  return {
    dialect: sf,
    env: sf.systemEnv(),
    columns: new Map(Object.entries(cols).map(([n, [type, dataType]]) => [n, { type, dataType }])),
    alias: null,
    warnings: [],
  };
}
const sql = (e: Expr) => compileExpr(e, ctx());
const TS = (x: string) => `REGEXP_REPLACE(TO_VARCHAR(${x}, 'YYYY-MM-DD HH24:MI:SS.FF6'), '[.]?0+$', '')`;

describe("Snowflake policy dialect: golden SQL per Expr kind", () => {
  it.each<[string, Expr, string]>([
    ["column", col("email"), `"email"`],
    ["text literal: quote and backslash doubled", text("it's a \\ path"), `'it''s a \\\\ path'`],
    ["negative number", { k: "literal", value: { k: "number", value: -2.5 } }, "(-2.5)"],
    ["boolean", { k: "literal", value: { k: "boolean", value: false } }, "FALSE"],
    ["null", { k: "literal", value: { k: "null" } }, "NULL"],
    ["date literal", { k: "literal", value: { k: "date", value: "2024-02-29" } }, `DATE '2024-02-29'`],
    ["username", { k: "profile", ref: { k: "username" } }, `(SELECT "username" FROM ${P})`],
    ["group constant", { k: "inProfileSet", value: text("a,b%"), set: { k: "groups" } }, has("'a,b%'", "groups")],
    ["purposes", { k: "inProfileSet", value: text("Research"), set: { k: "purposes" } }, has("'Research'", "purposes")],
    ["sources", { k: "inProfileSet", value: col("email"), set: { k: "sources" } }, has(`"email"`, "sources")],
    [
      "non-text value through its canonical text form",
      { k: "inProfileSet", value: col("born"), set: { k: "groups" } },
      has(`TO_VARCHAR("born", 'YYYY-MM-DD')`, "groups"),
    ],
    [
      "attribute with a hostile key: % and : encoded, quotes doubled",
      { k: "inProfileSet", value: col("email"), set: { k: "attributeValues", key: `${INJECTION}:%` } },
      has(`('''; DROP TABLE x; --%3A%25:' || "email")`, "attributes"),
    ],
    ["in list", { k: "inList", value: col("email"), list: [text("a"), text("b")] }, `("email" IN ('a', 'b'))`],
    ["empty not-in list", { k: "inList", value: col("email"), list: [], negated: true }, "TRUE"],
    [
      "and / or / not",
      {
        k: "and",
        args: [
          { k: "not", arg: { k: "isNull", arg: col("email") } },
          { k: "or", args: [] },
        ],
      },
      `((NOT ("email" IS NULL)) AND FALSE)`,
    ],
    [
      "compare",
      { k: "compare", op: "<>", left: col("salary"), right: { k: "literal", value: { k: "number", value: 3 } } },
      `("salary" <> 3)`,
    ],
    ["is not null", { k: "isNull", arg: col("email"), negated: true }, `("email" IS NOT NULL)`],
    [
      "between",
      {
        k: "between",
        arg: col("born"),
        low: { k: "literal", value: { k: "date", value: "2020-01-01" } },
        high: { k: "literal", value: { k: "date", value: "2020-12-31" } },
      },
      `("born" BETWEEN DATE '2020-01-01' AND DATE '2020-12-31')`,
    ],
    [
      "like: '!' is the escape, backslash plain",
      { k: "like", arg: col("email"), pattern: "%!a\\_%" },
      `("email" LIKE '%!!a\\\\_%' ESCAPE '!')`,
    ],
    ["not like", { k: "like", arg: col("email"), pattern: "x%", negated: true }, `("email" NOT LIKE 'x%' ESCAPE '!')`],
    ["call length", { k: "call", fn: "length", args: [col("email")] }, `LENGTH("email")`],
    ["call trim: spaces only", { k: "call", fn: "trim", args: [col("email")] }, `TRIM("email", ' ')`],
    ["call coalesce", { k: "call", fn: "coalesce", args: [col("email"), text("-")] }, `COALESCE("email", '-')`],
    [
      "case: integer branch turned text next to a hash",
      {
        k: "case",
        when: { k: "inProfileSet", value: text("hr"), set: { k: "groups" } },
        // biome-ignore lint/suspicious/noThenProperty: the IR names a CASE branch "then"
        then: col("salary"),
        else: { k: "mask", mask: { kind: "hash" }, arg: col("salary"), type: "integer" },
      },
      `CASE WHEN ${has("'hr'", "groups")} THEN TO_VARCHAR("salary") ELSE SHA2(${SALT} || TO_VARCHAR("salary"), 256) END`,
    ],
    ["within days", { k: "withinDays", column: "at", days: 90 }, `("at" >= DATEADD(DAY, -90, CURRENT_TIMESTAMP()))`],
    [
      "sample",
      { k: "sample", column: "email", percent: 10 },
      `COALESCE(TO_NUMBER(SUBSTR(MD5(TO_VARCHAR("email")), 1, 8), 'XXXXXXXX') < 429496729, FALSE)`,
    ],
  ])("%s", (_label, expr, expected) => {
    expect(sql(expr)).toBe(expected);
  });
});

describe("Snowflake policy dialect: canonical text forms", () => {
  it.each<[ColumnType, string]>([
    ["decimal", `REGEXP_REPLACE(REGEXP_REPLACE(TO_VARCHAR(x), '([.][0-9]*[1-9])0+$', '\\\\1'), '[.]0+$', '')`],
    ["date", `TO_VARCHAR(x, 'YYYY-MM-DD')`],
    ["timestamp", TS("x")],
    ["timestamptz", TS("CONVERT_TIMEZONE('UTC', x)")],
    ["boolean", "TO_VARCHAR(x)"],
    ["float", "TO_VARCHAR(x)"],
  ])("%s", (type, expected) => {
    expect(sf.toText("x", type)).toBe(expected);
  });
});

describe("Snowflake policy dialect: every mask kind", () => {
  const mask = (m: Mask, column: string, type: ColumnType): Expr => ({ k: "mask", mask: m, arg: col(column), type });
  it.each<[string, Expr, string]>([
    ["null of text keeps the type", mask({ kind: "null" }, "email", "text"), "CAST(NULL AS TEXT)"],
    ["null of a number: the RETURNS type coerces", mask({ kind: "null" }, "salary", "integer"), "NULL"],
    ["constant text with an injection", mask({ kind: "constant", value: INJECTION }, "email", "text"), `'''; DROP TABLE x; --'`],
    ["constant negative number", mask({ kind: "constant", value: "-1" }, "salary", "integer"), "(-1)"],
    ["constant boolean", mask({ kind: "constant", value: "false" }, "active", "boolean"), "FALSE"],
    ["constant date", mask({ kind: "constant", value: "2000-01-01" }, "born", "date"), `CAST(DATE '2000-01-01' AS DATE)`],
    [
      "constant timestamp",
      mask({ kind: "constant", value: "2000-01-01 10:00" }, "seen", "timestamp"),
      `CAST(TO_TIMESTAMP_NTZ('2000-01-01 10:00:00') AS TIMESTAMP_NTZ)`,
    ],
    [
      "constant timestamptz without offset is UTC",
      mask({ kind: "constant", value: "2000-01-01" }, "at", "timestamptz"),
      `CAST(TO_TIMESTAMP_TZ('2000-01-01 00:00:00 +00:00', 'YYYY-MM-DD HH24:MI:SS.FF TZH:TZM') AS TIMESTAMP_TZ)`,
    ],
    ["hash: SHA2 of salt || text", mask({ kind: "hash" }, "email", "text"), `SHA2(${SALT} || TO_VARCHAR("email"), 256)`],
    ["hash of a date", mask({ kind: "hash" }, "born", "date"), `SHA2(${SALT} || TO_VARCHAR("born", 'YYYY-MM-DD'), 256)`],
    [
      "regex: backslashes doubled by the quoting, replaced everywhere",
      mask({ kind: "regexReplace", pattern: "\\d{3}'", replacement: "#\\1" }, "email", "text"),
      `REGEXP_REPLACE(TO_VARCHAR("email"), '\\\\d{3}''', '#\\\\1')`,
    ],
    ["round integer", mask({ kind: "roundNumber", bucket: 1000 }, "salary", "integer"), `(FLOOR("salary" / 1000) * 1000)`],
    ["round decimal", mask({ kind: "roundNumber", bucket: 0.5 }, "price", "decimal"), `(FLOOR("price" / 0.5) * 0.5)`],
    ["round date stays a date", mask({ kind: "roundDate", unit: "month" }, "born", "date"), `CAST(DATE_TRUNC('MONTH', "born") AS DATE)`],
    [
      "round timestamptz in UTC",
      mask({ kind: "roundDate", unit: "year" }, "at", "timestamptz"),
      `CAST(DATE_TRUNC('YEAR', CONVERT_TIMEZONE('UTC', "at")) AS TIMESTAMP_TZ)`,
    ],
    [
      "show last",
      mask({ kind: "showLast", count: 4 }, "email", "text"),
      `(CASE WHEN LENGTH(TO_VARCHAR("email")) <= 4 THEN TO_VARCHAR("email") ELSE REPEAT('*', LENGTH(TO_VARCHAR("email")) - 4) || RIGHT(TO_VARCHAR("email"), 4) END)`,
    ],
    ["a mask that does not fit renders NULL", mask({ kind: "roundNumber", bucket: 10 }, "email", "text"), "CAST(NULL AS TEXT)"],
  ])("%s", (_label, expr, expected) => {
    expect(sql(expr)).toBe(expected);
  });

  it("refuses numbers it cannot write as a plain literal, and views", () => {
    expect(() => sql({ k: "literal", value: { k: "number", value: 1e21 } })).toThrow(/too large/);
    expect(() => sql({ k: "literal", value: { k: "number", value: Number.NaN } })).toThrow(/finite/);
    expect(() => sf.createView({ view: "v", select: "s", comment: "" })).toThrow(PolicyCompileError);
  });
});

describe("Snowflake policy dialect: hostile names", () => {
  it.each(HOSTILE_NAMES)("quotes the hostile column and attribute key %j", (name) => {
    const c: CompileContext = { ...ctx(), columns: new Map([[name, { type: "text", dataType: "TEXT" }]]) };
    const out = compileExpr({ k: "inProfileSet", value: col(name), set: { k: "attributeValues", key: name } }, c);
    expect(out).toContain(`"${name.replaceAll('"', '""')}"`);
    // Snowflake's own lexical rules (the emulator's lexer) read back the name and the key as one token each.
    const tokens = lex(out);
    expect(tokens).toContainEqual({ t: "word", v: name, quoted: true });
    expect(tokens).toContainEqual({ t: "str", v: `${name.replaceAll("%", "%25").replaceAll(":", "%3A")}:` });
    expect(attributeElement(name, "v").endsWith(":v")).toBe(true);
  });

  it("refuses NUL, lone surrogates and names over 255 characters", () => {
    expect(() => sf.ident("a\0b")).toThrow(UnsafeIdentifierError);
    expect(() => sf.ident("\ud800")).toThrow(UnsafeIdentifierError);
    expect(() => sf.ident("a".repeat(256))).toThrow(UnsafeIdentifierError);
    expect(sf.ident("a".repeat(255))).toBe(`"${"a".repeat(255)}"`);
    expect(() => sf.literal({ k: "text", value: "a\0b" })).toThrow(UnsafeIdentifierError);
    expect(() => snowflakeDialect('x"\0')).toThrow(UnsafeIdentifierError);
  });
});
