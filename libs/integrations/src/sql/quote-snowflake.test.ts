import { describe, expect, it } from "vitest";
import { HOSTILE_NAMES } from "./hostile-names";
import { qualifiedSnowflake, quoteSnowflakeIdent, quoteSnowflakeLiteral, UnsafeIdentifierError } from "./quote";

/** Reads a quoted identifier back the way Snowflake's lexer does: `""` is one `"`, nothing else is special. */
function unquoteIdent(sql: string): string {
  expect(sql.startsWith('"') && sql.endsWith('"')).toBe(true);
  const inner = sql.slice(1, -1);
  expect(inner.replaceAll('""', "")).not.toContain('"');
  return inner.replaceAll('""', '"');
}

/** Reads a '…' constant back with Snowflake's escapes: `''` and `\x` sequences. */
function unquoteLiteral(sql: string): string {
  expect(sql.startsWith("'") && sql.endsWith("'")).toBe(true);
  let out = "";
  const inner = sql.slice(1, -1);
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c === "\\") out += inner[++i] ?? "";
    else if (c === "'") {
      expect(inner[i + 1]).toBe("'"); // a lone quote would end the constant early
      out += "'";
      i++;
    } else out += c;
  }
  return out;
}

describe("quoteSnowflakeIdent", () => {
  it.each([...HOSTILE_NAMES, "dotted.name", "back`tick", 'x"."y', "a".repeat(255), "名".repeat(255)])(
    "round-trips %j through Snowflake's quoting rules",
    (name) => {
      expect(unquoteIdent(quoteSnowflakeIdent(name))).toBe(name);
    },
  );

  it("keeps case and dots inside one part", () => {
    expect(quoteSnowflakeIdent("MixedCase")).toBe('"MixedCase"');
    expect(qualifiedSnowflake("DB", "a.b", 'q"t')).toBe('"DB"."a.b"."q""t"');
  });

  it.each([
    ["", "empty"],
    ["nul\0byte", "NUL"],
    ["a".repeat(256), "256 characters"],
    ["\ud800", "lone surrogate"],
  ])("rejects %j (%s)", (name) => {
    expect(() => quoteSnowflakeIdent(name)).toThrow(UnsafeIdentifierError);
  });
});

describe("quoteSnowflakeLiteral", () => {
  it.each([...HOSTILE_NAMES, "trailing\\", "\\'; DROP ROLE x; --", "line\nbreak"])("round-trips %j", (value) => {
    expect(unquoteLiteral(quoteSnowflakeLiteral(value))).toBe(value);
  });

  it("doubles backslashes, because Snowflake reads escapes inside '…'", () => {
    expect(quoteSnowflakeLiteral("a\\'b")).toBe("'a\\\\''b'");
  });

  it("refuses NUL and lone surrogates", () => {
    expect(() => quoteSnowflakeLiteral("a\0b")).toThrow(UnsafeIdentifierError);
    expect(() => quoteSnowflakeLiteral("\udc00")).toThrow(UnsafeIdentifierError);
  });
});
