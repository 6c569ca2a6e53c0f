import { parseInput } from "@steward/core";
import { describe, expect, it } from "vitest";
import { createEndpointInput, eventTypeList, webhookUrl } from "./validation";

const bad = (fn: () => unknown) => expect(fn).toThrow(expect.objectContaining({ code: "BAD_USER_INPUT" }));

describe("webhook input validation", () => {
  it("accepts http(s) URLs and trims them", () => {
    expect(parseInput(webhookUrl, " https://hooks.example.com/steward?x=1 ")).toBe("https://hooks.example.com/steward?x=1");
    expect(parseInput(webhookUrl, "http://10.0.0.5:8080/in")).toBe("http://10.0.0.5:8080/in");
  });
  it.each([
    "ftp://example.com/x",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "not a url",
    "",
    "https://user:pw@example.com/",
    "https://token@example.com/",
  ])("rejects %s", (url) => bad(() => parseInput(webhookUrl, url)));
  it("rejects URLs over 2048 characters", () => {
    bad(() => parseInput(webhookUrl, `https://example.com/${"a".repeat(2048)}`));
  });
  it("canonicalises event types", () => {
    expect(parseInput(eventTypeList, ["user.updated", "user.created", "user.updated"])).toEqual(["user.created", "user.updated"]);
    expect(parseInput(eventTypeList, ["user.created", "*"])).toEqual(["*"]);
  });
  it("rejects unknown, empty and oversized event type lists", () => {
    bad(() => parseInput(eventTypeList, []));
    bad(() => parseInput(eventTypeList, ["user.exploded"]));
    bad(() => parseInput(eventTypeList, ["x".repeat(500)]));
  });
  it("reports each bad field", () => {
    try {
      parseInput(createEndpointInput, { url: "ftp://x", eventTypes: [], description: "d".repeat(2001) });
      expect.unreachable();
    } catch (err) {
      const paths = (err as { fields: { path: string }[] }).fields.map((f) => f.path).sort();
      expect(paths).toEqual(["description", "eventTypes", "url"]);
    }
  });
});
