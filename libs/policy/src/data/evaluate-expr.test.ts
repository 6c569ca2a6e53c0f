import { describe, expect, it } from "vitest";
import { evaluateExpr, type ProfileFacts, postgresReplacement, saltedHash, sampleKeeps, textForm } from "./evaluate-expr";
import { caseOf, column, FALSE, TRUE, text } from "./expr";
import type { Expr } from "./types";

const P: ProfileFacts = { username: "alice", groups: ["HR"], attributes: { region: ["EU"] }, purposes: ["Audit"], sources: ["s1"] };
const NULL: Expr = { k: "literal", value: { k: "null" } };
const ev = (e: Expr, row = {}) => evaluateExpr(e, row, P, "salt", new Date("2026-01-10T00:00:00Z"));

describe("evaluateExpr (the reference semantics)", () => {
  it("follows SQL three-valued logic", () => {
    const unknown: Expr = { k: "compare", op: "=", left: column("x"), right: text("a") };
    expect(ev(unknown)).toBeNull();
    expect(ev({ k: "and", args: [unknown, FALSE] })).toBe(false);
    expect(ev({ k: "and", args: [unknown, TRUE] })).toBeNull();
    expect(ev({ k: "or", args: [unknown, TRUE] })).toBe(true);
    expect(ev({ k: "not", arg: unknown })).toBeNull();
    expect(ev({ k: "inList", value: text("b"), list: [text("a"), NULL], negated: true })).toBeNull();
    expect(ev({ k: "isNull", arg: column("x") })).toBe(true);
    // A NULL exception means "not exempt": the CASE takes the masked branch.
    expect(ev(caseOf(unknown, text("clear"), text("masked")))).toBe("masked");
  });

  it("reads the profile", () => {
    expect(ev({ k: "compare", op: "=", left: { k: "profile", ref: { k: "username" } }, right: column("owner") }, { owner: "alice" })).toBe(
      true,
    );
    expect(ev({ k: "inProfileSet", value: text("EU"), set: { k: "attributeValues", key: "region" } })).toBe(true);
    expect(ev({ k: "inProfileSet", value: text("EU"), set: { k: "attributeValues", key: "dept" } })).toBe(false);
    expect(ev({ k: "inProfileSet", value: text("Audit"), set: { k: "purposes" } })).toBe(true);
    expect(ev({ k: "inProfileSet", value: column("n"), set: { k: "groups" } })).toBeNull();
  });

  it("implements LIKE, BETWEEN, functions, dates, time windows", () => {
    expect(ev({ k: "like", arg: text("a.c"), pattern: "a_c" })).toBe(true);
    expect(ev({ k: "like", arg: text("abc"), pattern: "a.c" })).toBe(false);
    expect(ev({ k: "like", arg: text("x%y"), pattern: "x%" })).toBe(true);
    expect(
      ev({
        k: "between",
        arg: { k: "literal", value: { k: "number", value: 5 } },
        low: { k: "literal", value: { k: "number", value: 1 } },
        high: NULL,
      }),
    ).toBeNull();
    expect(ev({ k: "call", fn: "length", args: [text("名前😀")] })).toBe(3);
    expect(ev({ k: "call", fn: "coalesce", args: [NULL, text("z")] })).toBe("z");
    expect(
      ev(
        { k: "compare", op: "<", left: column("d"), right: { k: "literal", value: { k: "date", value: "2025-01-01" } } },
        { d: new Date("2024-12-31T00:00:00Z") },
      ),
    ).toBe(true);
    expect(ev({ k: "withinDays", column: "t", days: 1 }, { t: new Date("2026-01-09T00:00:00Z") })).toBe(true);
    expect(ev({ k: "withinDays", column: "t", days: 1 }, { t: new Date("2026-01-08T23:59:59Z") })).toBe(false);
  });

  it("hashes and samples deterministically", () => {
    expect(saltedHash("salt", "x")).toMatch(/^[0-9a-f]{64}$/);
    expect(saltedHash("salt", "x")).not.toBe(saltedHash("pepper", "x"));
    expect(ev({ k: "mask", mask: { kind: "hash" }, arg: column("n"), type: "integer" }, { n: 42 })).toBe(saltedHash("salt", "42"));
    // md5("1") = c4ca4238…: 0xc4ca4238 / 2^32 ≈ 76.87 %, kept from that percentage on.
    expect([sampleKeeps("1", 76.87), sampleKeeps("1", 76.88)]).toEqual([false, true]);
    expect(ev({ k: "sample", column: "id", percent: 100 }, { id: 1 })).toBe(true);
    expect(ev({ k: "sample", column: "id", percent: 100 }, {})).toBe(false);
  });

  it("renders text forms like PostgreSQL and reads PostgreSQL replacement syntax", () => {
    expect(textForm(new Date("2026-01-02T03:04:05Z"), "timestamptz")).toBe("2026-01-02 03:04:05");
    expect(textForm(new Date("2026-01-02T03:04:05.120Z"), "timestamp")).toBe("2026-01-02 03:04:05.12");
    expect(textForm(new Date("2026-01-02T03:04:05.500Z"), "timestamptz")).toBe("2026-01-02 03:04:05.5");
    expect([12.5, 10, -0.05, 1e-7].map((v) => textForm(v, "decimal"))).toEqual(["12.5", "10", "-0.05", "0.0000001"]);
    expect([0.1, 1e15, 123456789012345, 1e-5, 1.5e-5, 0.0001, -2.5e20, 1e21].map((v) => textForm(v, "float"))).toEqual([
      "0.1",
      "1e+15",
      "123456789012345",
      "1e-05",
      "1.5e-05",
      "0.0001",
      "-2.5e+20",
      "1e+21",
    ]);
    expect(textForm(new Date("2026-01-02T00:00:00Z"), "date")).toBe("2026-01-02");
    expect(textForm(true)).toBe("true");
    expect("john@x.org".replace(/(\w+)@/gu, postgresReplacement("\\1 at $1 \\& \\\\"))).toBe("john at $1 john@ \\x.org");
    expect(ev({ k: "mask", mask: { kind: "roundNumber", bucket: 0.1 }, arg: column("v"), type: "decimal" }, { v: 0.35 })).toBe(0.3);
    expect(ev({ k: "mask", mask: { kind: "roundNumber", bucket: 0.1 }, arg: column("v"), type: "decimal" }, { v: 12.3 })).toBe(12.3);
    expect(ev({ k: "mask", mask: { kind: "roundNumber", bucket: 0.5 }, arg: column("v"), type: "decimal" }, { v: -0.75 })).toBe(-1);
    expect(ev({ k: "mask", mask: { kind: "constant", value: "x" }, arg: column("v"), type: "text" }, { v: null })).toBe("x");
    expect(ev({ k: "mask", mask: { kind: "showLast", count: 10 }, arg: column("v"), type: "text" }, { v: "abc" })).toBe("abc");
  });
});
