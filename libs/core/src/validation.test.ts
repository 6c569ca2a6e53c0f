import { describe, expect, it } from "vitest";
import { z } from "zod";
import { fields, parseInput } from "./validation";

describe("shared field rules", () => {
  it("normalises usernames and emails to lower case", () => {
    expect(parseInput(fields.username, "  Alice.B ")).toBe("alice.b");
    expect(parseInput(fields.email, "Alice@Example.COM")).toBe("alice@example.com");
  });

  it.each(["a", "1abc", "robert'); drop table users;--", "x".repeat(64), "名前"])("rejects the username %j", (name) => {
    expect(() => parseInput(fields.username, name)).toThrow(expect.objectContaining({ code: "BAD_USER_INPUT" }));
  });

  it("reports every failing field with its path", () => {
    const schema = z.object({ username: fields.username, email: fields.email });
    try {
      parseInput(schema, { username: "!", email: "nope" });
      expect.unreachable();
    } catch (err) {
      expect([...new Set((err as { fields: { path: string }[] }).fields.map((f) => f.path))].sort()).toEqual(["email", "username"]);
    }
  });

  it("accepts unicode group names but not control characters or leading punctuation", () => {
    expect(parseInput(fields.name, "Données RH")).toBe("Données RH");
    expect(() => parseInput(fields.name, "-leading")).toThrow();
    expect(() => parseInput(fields.name, "bad\u0000name")).toThrow();
  });
});

describe("parseInput refuses NUL bytes", () => {
  it("names the field holding one, however deep", () => {
    const schema = z.object({ a: z.object({ b: z.array(z.string()) }) });
    try {
      parseInput(schema, { a: { b: ["ok", "bad\u0000"] } });
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "a.b.1", message: "contains a NUL character" }] });
    }
    expect(parseInput(schema, { a: { b: ["fine"] } })).toEqual({ a: { b: ["fine"] } });
  });
});
