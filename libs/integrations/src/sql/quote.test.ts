import { describe, expect, it } from "vitest";
import { qualified, qualifiedTrino, quoteIdent, quoteLiteral, quoteTrinoIdent, quoteTrinoLiteral, UnsafeIdentifierError } from "./quote";

describe("quoteIdent", () => {
  it("doubles embedded quotes and wraps the name", () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(qualified("sales", "Orders")).toBe('"sales"."Orders"');
  });

  it.each([
    ["", "empty"],
    ["nul\0byte", "NUL"],
    ["a".repeat(64), "64 bytes"],
    ["é".repeat(32), "64 UTF-8 bytes"],
    ["\ud800", "lone surrogate"],
  ])("rejects %j (%s)", (name) => {
    expect(() => quoteIdent(name)).toThrow(UnsafeIdentifierError);
  });

  it("quotes literals and refuses NUL", () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(() => quoteLiteral("a\0b")).toThrow(UnsafeIdentifierError);
  });
});

describe("quoteTrinoIdent / quoteTrinoLiteral", () => {
  it("doubles embedded quotes, keeps unicode and case", () => {
    expect(quoteTrinoIdent('Robert"; DROP TABLE users; --')).toBe('"Robert""; DROP TABLE users; --"');
    expect(quoteTrinoIdent("ünïcødé_名前")).toBe('"ünïcødé_名前"');
    expect(quoteTrinoIdent("UPPER Case")).toBe('"UPPER Case"');
    expect(qualifiedTrino("memory", "it's", 'a"b')).toBe(`"memory"."it's"."a""b"`);
  });

  it("accepts 255 characters (not bytes) and refuses 256", () => {
    expect(quoteTrinoIdent("é".repeat(255))).toBe(`"${"é".repeat(255)}"`);
    expect(quoteTrinoIdent("😀".repeat(255))).toHaveLength(255 * 2 + 2);
    expect(() => quoteTrinoIdent("a".repeat(256))).toThrow(UnsafeIdentifierError);
  });

  it.each([
    ["", "empty"],
    ["nul\0byte", "NUL"],
    ["\ud800x", "lone surrogate"],
  ])("refuses the identifier %j (%s)", (name) => {
    expect(() => quoteTrinoIdent(name)).toThrow(UnsafeIdentifierError);
  });

  it("refuses an empty qualified name", () => {
    expect(() => qualifiedTrino()).toThrow(UnsafeIdentifierError);
  });

  it("quotes literals: only the single quote is special, NUL and lone surrogates are refused", () => {
    expect(quoteTrinoLiteral("it's")).toBe("'it''s'");
    expect(quoteTrinoLiteral("back\\slash")).toBe("'back\\slash'");
    expect(quoteTrinoLiteral("")).toBe("''");
    expect(quoteTrinoLiteral("'; DROP TABLE x; --")).toBe("'''; DROP TABLE x; --'");
    expect(() => quoteTrinoLiteral("a\0b")).toThrow(UnsafeIdentifierError);
    expect(() => quoteTrinoLiteral("\udc00")).toThrow(UnsafeIdentifierError);
  });
});
