import { describe, expect, it } from "vitest";
import { operatorRequestAllowed, parseAddressList } from "./address-list";

describe("parseAddressList", () => {
  it("matches nothing when empty or 'none'", () => {
    for (const spec of ["", " ", "none"]) {
      const list = parseAddressList(spec);
      expect(list.contains("127.0.0.1")).toBe(false);
      expect(list.entries).toEqual([]);
    }
  });

  it("matches loopback in IPv4, IPv6 and IPv4-mapped forms", () => {
    const list = parseAddressList("loopback");
    for (const a of ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"]) expect(list.contains(a)).toBe(true);
    for (const a of ["10.0.0.1", "::2", "::ffff:10.0.0.1", "", undefined, "not-an-ip"]) expect(list.contains(a)).toBe(false);
  });

  it("matches CIDR ranges and single addresses", () => {
    const list = parseAddressList("10.1.0.0/16, 192.0.2.7, fd00::/8");
    expect(list.contains("10.1.200.3")).toBe(true);
    expect(list.contains("10.2.0.1")).toBe(false);
    expect(list.contains("192.0.2.7")).toBe(true);
    expect(list.contains("192.0.2.8")).toBe(false);
    expect(list.contains("fd12::1")).toBe(true);
    expect(list.contains("fe80::1")).toBe(false);
  });

  it("rejects what it cannot read", () => {
    for (const bad of ["10.0.0.0/33", "example.com", "10.0.0.0/8/1", "::1/129", "10.0.0.0/x"]) {
      expect(() => parseAddressList(bad)).toThrow();
    }
  });
});

describe("operatorRequestAllowed", () => {
  const opts = { allow: parseAddressList("loopback"), token: "t".repeat(40) };
  it("allows listed addresses and the exact bearer token only", () => {
    expect(operatorRequestAllowed(opts, "127.0.0.1", undefined)).toBe(true);
    expect(operatorRequestAllowed(opts, "10.0.0.1", undefined)).toBe(false);
    expect(operatorRequestAllowed(opts, "10.0.0.1", `Bearer ${"t".repeat(40)}`)).toBe(true);
    expect(operatorRequestAllowed(opts, "10.0.0.1", `Bearer ${"t".repeat(39)}`)).toBe(false);
    expect(operatorRequestAllowed({ allow: parseAddressList("") }, "10.0.0.1", "Bearer ")).toBe(false);
  });
});
