import { describe, expect, it } from "vitest";
import { qualified, quoteIdent, quoteLiteral, UnsafeIdentifierError } from "./quote";

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
