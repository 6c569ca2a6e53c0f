import type { ColumnType, Expr, Mask } from "@steward/policy";
import { describe, expect, it } from "vitest";
import { HOSTILE_NAMES } from "../sql/hostile-names";
import { type CompileContext, compileExpr } from "../sql/policy/compile";
import { PolicyCompileError } from "../sql/policy/dialect";
import { UnsafeIdentifierError } from "../sql/quote";
import { attributeElement, databricksDialect } from "./policy-dialect";
import { lexDatabricks } from "./testing/databricks-lexer";

const dbx = databricksDialect("gov");
const INJECTION = "'; DROP TABLE x; --";
const col = (name: string): Expr => ({ k: "column", name });
const text = (value: string): Expr => ({ k: "literal", value: { k: "text", value } });
const PROFILE =
  "(SELECT * FROM `gov`.`steward_system`.`profile` AS `steward_profile` WHERE `steward_profile`.`account` = current_user()) AS `steward_profile`";
const pcol = (c: string) => `(SELECT \`steward_profile\`.\`${c}\` FROM ${PROFILE})`;
const SALT = "(SELECT `salt` FROM `gov`.`steward_system`.`hash_salt`)";
const has = (el: string, set: string) => `CASE WHEN ${el} IS NULL THEN NULL ELSE array_contains(${pcol(set)}, ${el}) END`;

function ctx(): CompileContext {
  const cols: Record<string, [ColumnType, string]> = {
    email: ["text", "STRING"],
    salary: ["integer", "INT"],
    price: ["decimal", "DECIMAL(10,2)"],
    ratio: ["float", "DOUBLE"],
    born: ["date", "DATE"],
    seen: ["timestamp", "TIMESTAMP_NTZ"],
    at: ["timestamptz", "TIMESTAMP"],
    active: ["boolean", "BOOLEAN"],
  };
  return {
    dialect: dbx,
    env: dbx.systemEnv(),
    columns: new Map(Object.entries(cols).map(([n, [type, dataType]]) => [n, { type, dataType }])),
    alias: null,
    warnings: [],
  };
}
const sql = (e: Expr) => compileExpr(e, ctx());
const TS = (x: string) => `regexp_replace(date_format(${x}, 'yyyy-MM-dd HH:mm:ss.SSSSSS'), '[.]?0+$', '')`;
const UTC = (x: string) => `to_utc_timestamp(${x}, current_timezone())`;

describe("Databricks policy dialect: golden SQL per Expr kind", () => {
  it.each<[string, Expr, string]>([
    ["column", col("email"), "`email`"],
    ["text literal: quote and backslash escaped", text("it's a \\ path"), "'it\\'s a \\\\ path'"],
    ["negative number", { k: "literal", value: { k: "number", value: -2.5 } }, "(-2.5)"],
    ["boolean", { k: "literal", value: { k: "boolean", value: false } }, "FALSE"],
    ["null", { k: "literal", value: { k: "null" } }, "NULL"],
    ["date literal", { k: "literal", value: { k: "date", value: "2024-02-29" } }, "DATE '2024-02-29'"],
    ["username via current_user()", { k: "profile", ref: { k: "username" } }, pcol("username")],
    ["group constant", { k: "inProfileSet", value: text("a,b%"), set: { k: "groups" } }, has("'a,b%'", "groups")],
    ["purposes", { k: "inProfileSet", value: text("Research"), set: { k: "purposes" } }, has("'Research'", "purposes")],
    ["sources", { k: "inProfileSet", value: col("email"), set: { k: "sources" } }, has("`email`", "sources")],
    [
      "non-text value through its canonical text form",
      { k: "inProfileSet", value: col("born"), set: { k: "groups" } },
      has("date_format(`born`, 'yyyy-MM-dd')", "groups"),
    ],
    [
      "attribute with a hostile key: % and : encoded, quote escaped",
      { k: "inProfileSet", value: col("email"), set: { k: "attributeValues", key: `${INJECTION}:%` } },
      has("concat('\\'; DROP TABLE x; --%3A%25:', `email`)", "attributes"),
    ],
    [
      "like: ! is the escape and is doubled",
      { k: "like", arg: col("email"), pattern: "50%!_x\\" },
      "(`email` LIKE '50%!!_x\\\\' ESCAPE '!')",
    ],
    ["not like", { k: "like", arg: col("email"), pattern: "a%", negated: true }, "(`email` NOT LIKE 'a%' ESCAPE '!')"],
    ["length counts characters", { k: "call", fn: "length", args: [col("email")] }, "char_length(`email`)"],
    ["trim spaces only", { k: "call", fn: "trim", args: [col("email")] }, "trim(BOTH ' ' FROM `email`)"],
    ["lower", { k: "call", fn: "lower", args: [col("email")] }, "lower(`email`)"],
    ["within days", { k: "withinDays", column: "seen", days: 30 }, "(`seen` >= current_timestamp() - INTERVAL 30 DAYS)"],
    [
      "sample: md5 prefix as an unsigned 32-bit number",
      { k: "sample", column: "salary", percent: 25 },
      "coalesce(CAST(conv(substr(md5(CAST(`salary` AS STRING)), 1, 8), 16, 10) AS BIGINT) < 1073741824, FALSE)",
    ],
    ["in list", { k: "inList", value: col("email"), list: [text("a"), text("b")], negated: true }, "(`email` NOT IN ('a', 'b'))"],
  ])("%s", (_name, expr, expected) => {
    expect(sql(expr)).toBe(expected);
  });
});

describe("Databricks policy dialect: every mask kind (golden)", () => {
  const mask = (m: Mask, arg: string, type: ColumnType): Expr => ({ k: "mask", mask: m, arg: col(arg), type });
  it.each<[string, Expr, string]>([
    ["null keeps the column type", mask({ kind: "null" }, "salary", "integer"), "CAST(NULL AS INT)"],
    ["constant text", mask({ kind: "constant", value: "it's" }, "email", "text"), "'it\\'s'"],
    ["constant number", mask({ kind: "constant", value: "-1" }, "salary", "integer"), "CAST((-1) AS INT)"],
    ["constant boolean", mask({ kind: "constant", value: "true" }, "active", "boolean"), "TRUE"],
    ["constant date", mask({ kind: "constant", value: "2000-01-01" }, "born", "date"), "DATE '2000-01-01'"],
    [
      "constant timestamp_ntz",
      mask({ kind: "constant", value: "2000-01-01T10:00" }, "seen", "timestamp"),
      "TIMESTAMP_NTZ '2000-01-01 10:00:00'",
    ],
    [
      "constant timestamp: UTC when no offset",
      mask({ kind: "constant", value: "2000-01-01 10:00:05" }, "at", "timestamptz"),
      "TIMESTAMP '2000-01-01 10:00:05+00:00'",
    ],
    [
      "constant timestamp with offset",
      mask({ kind: "constant", value: "2000-01-01 10:00+02:00" }, "at", "timestamptz"),
      "TIMESTAMP '2000-01-01 10:00:00+02:00'",
    ],
    [
      "hash: salted sha2 of the text form",
      mask({ kind: "hash" }, "email", "text"),
      `sha2(concat(${SALT}, CAST(\`email\` AS STRING)), 256)`,
    ],
    [
      "hash of a decimal uses the trimmed text form",
      mask({ kind: "hash" }, "price", "decimal"),
      `sha2(concat(${SALT}, regexp_replace(regexp_replace(CAST(\`price\` AS STRING), '([.][0-9]*[1-9])0+$', '$1'), '[.]0+$', '')), 256)`,
    ],
    [
      "regexReplace: pattern escaped by the quoting, Java replacement as authored",
      mask({ kind: "regexReplace", pattern: "\\d{3}'", replacement: "$1-x" }, "email", "text"),
      "regexp_replace(CAST(`email` AS STRING), '\\\\d{3}\\'', '$1-x')",
    ],
    ["roundNumber", mask({ kind: "roundNumber", bucket: 1000 }, "salary", "integer"), "CAST((floor(`salary` / 1000) * 1000) AS INT)"],
    [
      "roundNumber on a decimal",
      mask({ kind: "roundNumber", bucket: 0.5 }, "price", "decimal"),
      "CAST((floor(`price` / 0.5) * 0.5) AS DECIMAL(10,2))",
    ],
    ["roundDate on a date", mask({ kind: "roundDate", unit: "month" }, "born", "date"), "trunc(`born`, 'MONTH')"],
    [
      "roundDate on a timestamp_ntz",
      mask({ kind: "roundDate", unit: "year" }, "seen", "timestamp"),
      "CAST(date_trunc('YEAR', `seen`) AS TIMESTAMP_NTZ)",
    ],
    [
      "roundDate on a timestamp: the UTC month",
      mask({ kind: "roundDate", unit: "month" }, "at", "timestamptz"),
      `from_utc_timestamp(date_trunc('MONTH', ${UTC("`at`")}), current_timezone())`,
    ],
    [
      "showLast",
      mask({ kind: "showLast", count: 4 }, "email", "text"),
      "(CASE WHEN char_length(CAST(`email` AS STRING)) <= 4 THEN CAST(`email` AS STRING) ELSE concat(repeat('*', char_length(CAST(`email` AS STRING)) - 4), right(CAST(`email` AS STRING), 4)) END)",
    ],
    [
      "showLast of a timestamp uses its UTC text",
      mask({ kind: "showLast", count: 2 }, "at", "timestamptz"),
      `(CASE WHEN char_length(${TS(UTC("`at`"))}) <= 2 THEN ${TS(UTC("`at`"))} ELSE concat(repeat('*', char_length(${TS(UTC("`at`"))}) - 2), right(${TS(UTC("`at`"))}, 2)) END)`,
    ],
  ])("%s", (_name, expr, expected) => {
    expect(sql(expr)).toBe(expected);
  });

  it("a mask that does not fit the type renders NULL with a warning", () => {
    const c = ctx();
    expect(compileExpr(mask({ kind: "roundNumber", bucket: 10 }, "email", "text"), c)).toBe("CAST(NULL AS STRING)");
    expect(c.warnings).toHaveLength(1);
  });
});

describe("Databricks policy dialect: refusals and hostile input", () => {
  it("has no policy views", () => {
    expect(() => dbx.createView({ view: "`v`", select: "SELECT 1", comment: "" })).toThrow(PolicyCompileError);
    expect(() => dbx.dropView("`v`")).toThrow(PolicyCompileError);
  });

  it("refuses numbers it cannot write and names it cannot quote", () => {
    expect(() => sql({ k: "literal", value: { k: "number", value: 1e21 } })).toThrow(PolicyCompileError);
    expect(() => sql({ k: "literal", value: { k: "date", value: "2024-13-45" } })).toThrow(PolicyCompileError);
    expect(() => databricksDialect("bad\0catalog")).toThrow(UnsafeIdentifierError);
    expect(() => sql(text("nul\0"))).toThrow(UnsafeIdentifierError);
  });

  it("encodes attribute elements the way the profile table stores them", () => {
    expect(attributeElement("a:b%c", "x:y")).toBe("a%3Ab%25c:x:y");
  });

  it.each([...HOSTILE_NAMES, "back`tick", "dotted.name", "名前"])("keeps the hostile catalog and literal %j inert", (name) => {
    const d = databricksDialect(name);
    const body = compileExpr(
      { k: "inProfileSet", value: text(name), set: { k: "attributeValues", key: name } },
      { ...ctx(), dialect: d, env: d.systemEnv() },
    );
    const tokens = lexDatabricks(body);
    expect(tokens).toContainEqual({ t: "word", v: name, quoted: true });
    expect(tokens.filter((t) => t.t === "word" && !t.quoted).map((t) => t.v)).not.toContain("DROP");
  });
});
