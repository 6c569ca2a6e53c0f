import { describe, expect, it } from "vitest";
import { HOSTILE_NAMES } from "./hostile-names";
import { qualifiedDatabricks, quoteDatabricksIdent, quoteDatabricksLiteral, UnsafeIdentifierError } from "./quote";

/** Reads a delimited identifier back the way Databricks' lexer does: ``` `` ``` is one backtick, nothing else is special. */
function unquoteIdent(sql: string): string {
  expect(sql.startsWith("`") && sql.endsWith("`")).toBe(true);
  const inner = sql.slice(1, -1);
  expect(inner.replaceAll("``", "")).not.toContain("`");
  return inner.replaceAll("``", "`");
}

/** Reads a '…' literal back with Databricks' escapes: `\x` is x for the characters we produce. */
function unquoteLiteral(sql: string): string {
  expect(sql.startsWith("'") && sql.endsWith("'")).toBe(true);
  let out = "";
  const inner = sql.slice(1, -1);
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c === "\\") out += inner[++i] ?? "";
    else {
      expect(c).not.toBe("'"); // an unescaped quote would end the literal early
      out += c;
    }
  }
  return out;
}

describe("quoteDatabricksIdent", () => {
  it.each([...HOSTILE_NAMES, "dotted.name", "back`tick", "``double``", "x`.`y", "名前.テーブル", "a".repeat(255), "名".repeat(255)])(
    "round-trips %j through Databricks' quoting rules",
    (name) => {
      expect(unquoteIdent(quoteDatabricksIdent(name))).toBe(name);
    },
  );

  it("doubles backticks and keeps dots inside one part", () => {
    expect(quoteDatabricksIdent("back`tick")).toBe("`back``tick`");
    expect(qualifiedDatabricks("main", "a.b", "q`t")).toBe("`main`.`a.b`.`q``t`");
    expect(quoteDatabricksIdent("ünïcødé_名前")).toBe("`ünïcødé_名前`");
  });

  it.each([
    ["", "empty"],
    ["nul\0byte", "NUL"],
    ["a".repeat(256), "256 characters"],
    ["\ud800", "lone surrogate"],
  ])("rejects %j (%s)", (name) => {
    expect(() => quoteDatabricksIdent(name)).toThrow(UnsafeIdentifierError);
  });

  it("refuses an empty qualified name", () => {
    expect(() => qualifiedDatabricks()).toThrow(UnsafeIdentifierError);
  });
});

describe("quoteDatabricksLiteral", () => {
  it.each([...HOSTILE_NAMES, "trailing\\", "\\'; DROP TABLE x; --", "line\nbreak", "`tick`"])("round-trips %j", (value) => {
    expect(unquoteLiteral(quoteDatabricksLiteral(value))).toBe(value);
  });

  it("doubles backslashes and escapes quotes, because Databricks reads escapes inside '…'", () => {
    expect(quoteDatabricksLiteral("a\\'b")).toBe("'a\\\\\\'b'");
  });

  it("refuses NUL and lone surrogates", () => {
    expect(() => quoteDatabricksLiteral("a\0b")).toThrow(UnsafeIdentifierError);
    expect(() => quoteDatabricksLiteral("\udc00")).toThrow(UnsafeIdentifierError);
  });
});
