import { describe, expect, it } from "vitest";
import { HOSTILE_NAMES } from "./hostile-names";
import { qualifiedTrino, quoteTrinoIdent, quoteTrinoLiteral, UnsafeIdentifierError } from "./quote";

/** Reads a quoted identifier back the way Trino's lexer does; returns the name and what follows it. */
function unquoteTrinoIdent(sql: string): { name: string; rest: string } {
  if (!sql.startsWith('"')) throw new Error("not quoted");
  let name = "";
  for (let i = 1; i < sql.length; i++) {
    if (sql[i] === '"') {
      if (sql[i + 1] === '"') {
        name += '"';
        i++;
        continue;
      }
      return { name, rest: sql.slice(i + 1) };
    }
    name += sql[i];
  }
  throw new Error("unterminated");
}

describe("quoteTrinoIdent", () => {
  it("doubles embedded double quotes and wraps the name", () => {
    expect(quoteTrinoIdent('we"ird ü')).toBe('"we""ird ü"');
    expect(quoteTrinoIdent('""')).toBe('""""""');
    expect(qualifiedTrino("postgresql", "public", "t")).toBe('"postgresql"."public"."t"');
  });

  it.each([...HOSTILE_NAMES, "a.b", "'", "tab\there", "x\u202Ey"])("round-trips %j as exactly one identifier token", (name) => {
    const quoted = quoteTrinoIdent(name);
    expect(unquoteTrinoIdent(quoted)).toEqual({ name, rest: "" });
    // Appending SQL after it cannot end the identifier early.
    expect(unquoteTrinoIdent(`${quoted}.x`).rest).toBe(".x");
  });

  it("accepts 255 characters (code points, not UTF-16 units or bytes)", () => {
    expect(() => quoteTrinoIdent("a".repeat(255))).not.toThrow();
    expect(() => quoteTrinoIdent("😀".repeat(255))).not.toThrow();
  });

  it.each([
    ["", "empty"],
    ["nul\0byte", "NUL"],
    ["\ud800x", "lone high surrogate"],
    ["x\udc00", "lone low surrogate"],
    ["a".repeat(256), "over 255 characters"],
    ["😀".repeat(256), "over 255 code points"],
  ])("refuses %j (%s)", (name) => {
    expect(() => quoteTrinoIdent(name)).toThrow(UnsafeIdentifierError);
  });

  it("refuses non-strings and an empty qualified name", () => {
    expect(() => quoteTrinoIdent(42 as unknown as string)).toThrow(UnsafeIdentifierError);
    expect(() => qualifiedTrino()).toThrow(UnsafeIdentifierError);
    expect(() => qualifiedTrino("ok", "")).toThrow(UnsafeIdentifierError);
  });
});

describe("quoteTrinoLiteral", () => {
  it("doubles single quotes only; backslashes and double quotes are ordinary", () => {
    expect(quoteTrinoLiteral("it's")).toBe("'it''s'");
    expect(quoteTrinoLiteral("''; DROP TABLE x; --")).toBe("'''''; DROP TABLE x; --'");
    expect(quoteTrinoLiteral('back\\slash "q"')).toBe("'back\\slash \"q\"'");
    expect(quoteTrinoLiteral("")).toBe("''");
    expect(quoteTrinoLiteral("ünï 😀")).toBe("'ünï 😀'");
  });

  it.each([
    ["a\0b", "NUL"],
    ["\ud800", "lone surrogate"],
  ])("refuses %j (%s)", (value) => {
    expect(() => quoteTrinoLiteral(value)).toThrow(UnsafeIdentifierError);
  });
});
