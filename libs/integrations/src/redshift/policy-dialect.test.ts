import type { ColumnType, Expr, Mask, PolicyViewSpec } from "@steward/policy";
import { describe, expect, it } from "vitest";
import { HOSTILE_NAMES } from "../sql/hostile-names";
import { type CompileContext, compileExpr, compileViewSelect } from "../sql/policy/compile";
import { UnsafeIdentifierError } from "../sql/quote";
import { redshiftDialect as rs } from "./policy-dialect";

const INJECTION = "'; DROP TABLE x; --";
const col = (name: string): Expr => ({ k: "column", name });
const text = (value: string): Expr => ({ k: "literal", value: { k: "text", value } });
const P = `"steward_system"."user_profile"`;
const SALT = `(SELECT "salt" FROM "steward_system"."hash_salt")`;

function ctx(): CompileContext {
  const cols: Record<string, [ColumnType, string]> = {
    email: ["text", "character varying(256)"],
    salary: ["integer", "integer"],
    price: ["decimal", "numeric(10,2)"],
    born: ["date", "date"],
    at: ["timestamptz", "timestamp with time zone"],
    region: ["text", "character varying(10)"],
  };
  return {
    dialect: rs,
    env: rs.systemEnv(),
    columns: new Map(Object.entries(cols).map(([n, [type, dataType]]) => [n, { type, dataType }])),
    alias: null,
    warnings: [],
  };
}
const sql = (e: Expr) => compileExpr(e, ctx());

describe("Redshift policy dialect: golden SQL per Expr kind (compared as text)", () => {
  it.each<[string, Expr, string]>([
    ["text literal: quote and backslash doubled", text("it's a \\ path"), `'it''s a \\\\ path'`],
    ["date literal", { k: "literal", value: { k: "date", value: "2024-02-29" } }, `CAST('2024-02-29' AS DATE)`],
    ["username", { k: "profile", ref: { k: "username" } }, `(SELECT "username" FROM ${P})`],
    [
      "group constant: encoded at compile time",
      { k: "inProfileSet", value: text("a,b%"), set: { k: "groups" } },
      `(STRPOS((SELECT "groups" FROM ${P}), ',a%2Cb%25,') > 0)`,
    ],
    [
      "purposes",
      { k: "inProfileSet", value: text("Research"), set: { k: "purposes" } },
      `(STRPOS((SELECT "purposes" FROM ${P}), ',Research,') > 0)`,
    ],
    [
      "column value: encoded at query time",
      { k: "inProfileSet", value: col("region"), set: { k: "groups" } },
      `(STRPOS((SELECT "groups" FROM ${P}), ',' || REPLACE(REPLACE(REPLACE("region", '%', '%25'), ',', '%2C'), ':', '%3A') || ',') > 0)`,
    ],
    [
      "non-text value is cast to VARCHAR(65535) first",
      { k: "inProfileSet", value: col("salary"), set: { k: "sources" } },
      `(STRPOS((SELECT "sources" FROM ${P}), ',' || REPLACE(REPLACE(REPLACE(CAST("salary" AS VARCHAR(65535)), '%', '%25'), ',', '%2C'), ':', '%3A') || ',') > 0)`,
    ],
    [
      "attribute with a hostile key",
      { k: "inProfileSet", value: col("region"), set: { k: "attributeValues", key: INJECTION } },
      `(STRPOS((SELECT "attributes" FROM ${P}), ',''; DROP TABLE x; --:' || REPLACE(REPLACE(REPLACE("region", '%', '%25'), ',', '%2C'), ':', '%3A') || ',') > 0)`,
    ],
    [
      "attribute constant with key and value delimiters",
      { k: "inProfileSet", value: text("EU:west"), set: { k: "attributeValues", key: "Re:gion" } },
      `(STRPOS((SELECT "attributes" FROM ${P}), ',Re%3Agion:EU%3Awest,') > 0)`,
    ],
    [
      "like: '!' is the escape character, backslash is plain",
      { k: "like", arg: col("email"), pattern: "%!a\\_%" },
      `("email" LIKE '%!!a\\\\_%' ESCAPE '!')`,
    ],
    ["not like", { k: "like", arg: col("email"), pattern: "x%", negated: true }, `("email" NOT LIKE 'x%' ESCAPE '!')`],
    ["call", { k: "call", fn: "length", args: [col("email")] }, `LENGTH("email")`],
    ["within days", { k: "withinDays", column: "at", days: 90 }, `("at" >= DATEADD(day, -90, GETDATE()))`],
    [
      "sample",
      { k: "sample", column: "email", percent: 10 },
      `(STRTOL(SUBSTRING(MD5(CAST("email" AS VARCHAR(65535))), 1, 8), 16) < 429496729)`,
    ],
  ])("%s", (_label, expr, expected) => {
    expect(sql(expr)).toBe(expected);
  });
});

describe("Redshift policy dialect: every mask kind (compared as text)", () => {
  const mask = (m: Mask, column: string, type: ColumnType): Expr => ({ k: "mask", mask: m, arg: col(column), type });
  it.each<[string, Expr, string]>([
    ["null keeps the column type", mask({ kind: "null" }, "salary", "integer"), "CAST(NULL AS integer)"],
    ["constant text with an injection", mask({ kind: "constant", value: INJECTION }, "email", "text"), `'''; DROP TABLE x; --'`],
    ["constant cast to the native type", mask({ kind: "constant", value: "0" }, "salary", "integer"), `CAST('0' AS integer)`],
    [
      "hash: SHA2 of salt || text, the salt read from the system table",
      mask({ kind: "hash" }, "salary", "integer"),
      `SHA2(${SALT} || CAST("salary" AS VARCHAR(65535)), 256)`,
    ],
    [
      "hash of a decimal: text form without trailing fractional zeros",
      mask({ kind: "hash" }, "price", "decimal"),
      `SHA2(${SALT} || (CASE WHEN STRPOS(CAST("price" AS VARCHAR(65535)), '.') > 0 THEN RTRIM(RTRIM(CAST("price" AS VARCHAR(65535)), '0'), '.') ELSE CAST("price" AS VARCHAR(65535)) END), 256)`,
    ],
    [
      "show last of a timestamptz: its UTC text form via TO_CHAR",
      mask({ kind: "showLast", count: 2 }, "at", "timestamptz"),
      `(REPEAT('*', GREATEST(LENGTH(REGEXP_REPLACE(TO_CHAR(CONVERT_TIMEZONE('UTC', "at"), 'YYYY-MM-DD HH24:MI:SS.US'), '\\\\.?0+$', '')) - 2, 0)) || RIGHT(REGEXP_REPLACE(TO_CHAR(CONVERT_TIMEZONE('UTC', "at"), 'YYYY-MM-DD HH24:MI:SS.US'), '\\\\.?0+$', ''), 2))`,
    ],
    ["hash of a date via TO_CHAR", mask({ kind: "hash" }, "born", "date"), `SHA2(${SALT} || TO_CHAR("born", 'YYYY-MM-DD'), 256)`],
    [
      "regex: backslashes doubled for Redshift literals, replaced everywhere",
      mask({ kind: "regexReplace", pattern: "\\d{3}'", replacement: "#" }, "email", "text"),
      `REGEXP_REPLACE(CAST("email" AS VARCHAR(65535)), '\\\\d{3}''', '#')`,
    ],
    [
      "round number",
      mask({ kind: "roundNumber", bucket: 1000 }, "salary", "integer"),
      `CAST((FLOOR(CAST("salary" AS DECIMAL(38,9)) / 1000) * 1000) AS integer)`,
    ],
    [
      "round decimal keeps precision",
      mask({ kind: "roundNumber", bucket: 0.5 }, "price", "decimal"),
      `CAST((FLOOR(CAST("price" AS DECIMAL(38,9)) / 0.5) * 0.5) AS numeric(10,2))`,
    ],
    ["round date stays a date", mask({ kind: "roundDate", unit: "month" }, "born", "date"), `CAST(DATE_TRUNC('month', "born") AS DATE)`],
    ["round timestamptz", mask({ kind: "roundDate", unit: "year" }, "at", "timestamptz"), `DATE_TRUNC('year', "at")`],
    [
      "show last",
      mask({ kind: "showLast", count: 4 }, "email", "text"),
      `(REPEAT('*', GREATEST(LENGTH(CAST("email" AS VARCHAR(65535))) - 4, 0)) || RIGHT(CAST("email" AS VARCHAR(65535)), 4))`,
    ],
    [
      "a mask that does not fit the type renders NULL",
      mask({ kind: "roundNumber", bucket: 10 }, "email", "text"),
      "CAST(NULL AS character varying(256))",
    ],
  ])("%s", (_label, expr, expected) => {
    expect(sql(expr)).toBe(expected);
  });

  it("refuses numbers it cannot write as a plain literal", () => {
    expect(() => sql({ k: "literal", value: { k: "number", value: 1e21 } })).toThrow(/too large/);
    expect(() => sql({ k: "literal", value: { k: "number", value: Number.NaN } })).toThrow(/finite/);
  });
});

describe("Redshift policy view (compared as text)", () => {
  const spec = (name: string): PolicyViewSpec => ({
    sourceId: `src'${name}`,
    policyIds: ["p1"],
    conflicts: [],
    columns: [
      {
        name,
        type: "text",
        dataType: "character varying(256)",
        expr: {
          k: "case",
          when: { k: "inProfileSet", value: text("hr"), set: { k: "groups" } },
          // biome-ignore lint/suspicious/noThenProperty: the IR names a CASE branch "then"
          then: col(name),
          else: { k: "mask", mask: { kind: "hash" }, arg: col(name), type: "text" },
        },
      },
    ],
    rowFilter: { k: "withinDays", column: name, days: 30 },
  });

  it("is late-binding, schema-qualified everywhere, and never names the salt", () => {
    const { select } = compileViewSelect(spec("email"), { dialect: rs, base: ["sales", "customers"] });
    const [ddl, ...rest] = rs.createView({ view: `"steward_views"."sales__customers"`, select, comment: "" });
    expect(rest).toEqual([]);
    expect(ddl).toBe(
      [
        `CREATE VIEW "steward_views"."sales__customers" AS`,
        "SELECT",
        `  CASE WHEN (STRPOS((SELECT "groups" FROM ${P}), ',hr,') > 0) THEN "steward_src"."email" ELSE SHA2(${SALT} || CAST("steward_src"."email" AS VARCHAR(65535)), 256) END AS "email"`,
        `FROM "sales"."customers" AS "steward_src"`,
        `WHERE (STRPOS((SELECT "sources" FROM ${P}), ',src''email,') > 0)`,
        `  AND ("steward_src"."email" >= DATEADD(day, -30, GETDATE()))`,
        "WITH NO SCHEMA BINDING",
      ].join("\n"),
    );
    expect(rs.dropView(`"steward_views"."x"`)).toBe(`DROP VIEW IF EXISTS "steward_views"."x"`);
  });

  it.each(HOSTILE_NAMES.filter((n) => Buffer.byteLength(n) <= 127))("quotes the hostile column %j", (name) => {
    const { select } = compileViewSelect(spec(name), { dialect: rs, base: [name, name] });
    const quoted = `"${name.replaceAll('"', '""')}"`;
    expect(select).toContain(`"steward_src".${quoted}`);
    expect(select).toContain(`FROM ${quoted}.${quoted} AS "steward_src"`);
    // Every single quote in the text is part of a doubled pair or a literal's delimiters: no breakout.
    expect(select.replaceAll("''", "").split("'").length % 2).toBe(1);
  });

  it("refuses a 128-byte identifier and NUL rather than letting Redshift truncate or cut it", () => {
    expect(() => rs.ident("a".repeat(128))).toThrow(UnsafeIdentifierError);
    expect(rs.ident("a".repeat(127))).toBe(`"${"a".repeat(127)}"`);
    expect(() => rs.literal({ k: "text", value: "a\0b" })).toThrow(UnsafeIdentifierError);
  });
});
