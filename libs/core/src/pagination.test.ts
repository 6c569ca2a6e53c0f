import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, pageSize, toPage } from "./pagination";

describe("pagination", () => {
  it("round-trips cursors", () => {
    expect(decodeCursor(encodeCursor(["b", 3]), 2)).toEqual(["b", 3]);
  });
  it("rejects forged cursors with BAD_USER_INPUT", () => {
    expect(() => decodeCursor("not-json", 1)).toThrow(expect.objectContaining({ code: "BAD_USER_INPUT" }));
    expect(() => decodeCursor(encodeCursor(["a"]), 2)).toThrow(expect.objectContaining({ code: "BAD_USER_INPUT" }));
  });
  it("bounds page sizes", () => {
    expect(pageSize(undefined)).toBe(50);
    expect(() => pageSize(0)).toThrow();
    expect(() => pageSize(10_000)).toThrow();
  });
  it("builds a page from size+1 rows", () => {
    const page = toPage([1, 2, 3], 2, (n) => [n]);
    expect(page.nodes).toEqual([1, 2]);
    expect(page.hasNextPage).toBe(true);
    expect(decodeCursor(page.endCursor, 1)).toEqual([2]);
  });
});
