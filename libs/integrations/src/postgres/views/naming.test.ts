import { describe, expect, it } from "vitest";
import { HOSTILE_NAMES } from "../../sql/hostile-names";
import { quoteIdent } from "../../sql/quote";
import { policyViewName } from "./naming";

describe("policyViewName", () => {
  it("is readable and stable", () => {
    expect(policyViewName("sales", "orders")).toMatch(/^sales__orders_[0-9a-f]{10}$/);
    expect(policyViewName("sales", "orders")).toBe(policyViewName("sales", "orders"));
  });

  it("keeps separator-ambiguous and long names apart", () => {
    expect(policyViewName("a__b", "c")).not.toBe(policyViewName("a", "b__c"));
    const long = "x".repeat(63);
    expect(policyViewName(long, `${long}1`)).not.toBe(policyViewName(long, `${long}2`));
  });

  it("fits 63 bytes for every hostile name pair and never splits a character", () => {
    for (const s of HOSTILE_NAMES)
      for (const t of HOSTILE_NAMES) {
        const name = policyViewName(s, t);
        expect(Buffer.byteLength(name, "utf8")).toBeLessThanOrEqual(63);
        expect(name.isWellFormed()).toBe(true);
        expect(() => quoteIdent(name)).not.toThrow();
      }
  });

  it("keeps a short schema whole when the table is long", () => {
    expect(policyViewName("hr", "t".repeat(63))).toMatch(/^hr__t+_[0-9a-f]{10}$/);
  });
});
