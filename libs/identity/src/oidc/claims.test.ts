import { describe, expect, it } from "vitest";
import { claimAt, mapClaims, usernameFromClaims } from "./claims";
import { ClaimMappingSchema } from "./settings";

const mapping = ClaimMappingSchema.parse({
  groups: { claim: "groups", rename: { "CN=Finance,OU=Groups": "finance" } },
  attributes: { department: "department", country: "address.country", level: "level" },
});

describe("claim mapping", () => {
  it("maps groups (renamed, de-duplicated, sorted) and attributes, keeping every mapped key", () => {
    const out = mapClaims(
      { groups: ["eng", "CN=Finance,OU=Groups", "eng"], department: "R&D", address: { country: "NO" }, level: 3 },
      mapping,
    );
    expect(out.groups).toEqual(["eng", "finance"]);
    expect(out.attributes).toEqual([
      { key: "department", values: ["R&D"] },
      { key: "country", values: ["NO"] },
      { key: "level", values: ["3"] },
    ]);
    expect(out.skipped).toEqual([]);
  });

  it("accepts a single string where a list is expected, and clears keys whose claim is absent", () => {
    const out = mapClaims({ groups: "eng" }, mapping);
    expect(out.groups).toEqual(["eng"]);
    expect(out.attributes.every((a) => a.values.length === 0)).toBe(true);
  });

  it("skips hostile or unusable values instead of failing the sign-in", () => {
    const out = mapClaims(
      { groups: ["ok", "", "a\u0000b", "'; DROP TABLE x; --", { nested: 1 }, "x".repeat(101)], department: ["", "  "] },
      mapping,
    );
    expect(out.groups).toEqual(["ok"]);
    expect(out.skipped.length).toBe(7); // five group values and both department values
    expect(out.attributes[0]).toEqual({ key: "department", values: [] });
  });

  it("prefers an exact claim name over a dotted path and never walks the prototype", () => {
    expect(claimAt({ "address.country": "SE", address: { country: "NO" } }, "address.country")).toBe("SE");
    expect(claimAt({}, "constructor.name")).toBeUndefined();
    expect(claimAt({ a: ["x"] }, "a.0")).toBeUndefined();
  });

  it("refuses a mapping with unknown fields or a bad attribute key", () => {
    expect(ClaimMappingSchema.safeParse({ groupz: {} }).success).toBe(false);
    expect(ClaimMappingSchema.safeParse({ attributes: { "1bad": "x" } }).success).toBe(false);
    expect(ClaimMappingSchema.parse({})).toEqual({ attributes: {}, username: ["preferred_username", "email"] });
  });
});

describe("usernames from claims", () => {
  it("derives a valid username from the first usable claim", () => {
    expect(usernameFromClaims({ preferred_username: "Ann.Lee" }, ["preferred_username"])).toBe("ann.lee");
    expect(usernameFromClaims({ email: "Bob+x@corp.example.com" }, ["preferred_username", "email"])).toBe("bob-x");
    expect(usernameFromClaims({ preferred_username: "42nd" }, ["preferred_username"])).toBe("u42nd");
    expect(usernameFromClaims({ preferred_username: "Zoë O'Brien" }, ["preferred_username"])).toBe("zoe-o-brien");
    expect(usernameFromClaims({ preferred_username: "日本" }, ["preferred_username"])).toBeNull();
    expect(usernameFromClaims({}, ["preferred_username", "email"])).toBeNull();
  });
});
