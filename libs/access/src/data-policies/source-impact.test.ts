import type { PolicyViewSpec, ViewColumn } from "@steward/policy";
import { describe, expect, it } from "vitest";
import { sourceImpact } from "./plan-data-policy-change";
import { previewText } from "./preview-as";

const clear = (name: string): ViewColumn => ({ name, type: "text", dataType: "text", expr: { k: "column", name } });
const hashed = (name: string, policy: string): ViewColumn => ({
  ...clear(name),
  expr: { k: "mask", mask: { kind: "hash" }, arg: { k: "column", name }, type: "text" },
  maskedBy: policy,
});
const spec = (columns: ViewColumn[], over: Partial<PolicyViewSpec> = {}): PolicyViewSpec => ({
  sourceId: "s",
  columns,
  rowFilter: null,
  policyIds: ["p1"],
  conflicts: [],
  ...over,
});

describe("sourceImpact", () => {
  it("is null when the view does not change", () => {
    expect(sourceImpact("s", spec([hashed("email", "p1")]), spec([hashed("email", "p1")]))).toBeNull();
    expect(sourceImpact("s", null, null)).toBeNull();
  });

  it("names the columns whose mask or masking policy changes, and row filter changes", () => {
    const before = spec([clear("id"), hashed("email", "p1"), clear("name")]);
    const after = spec([clear("id"), hashed("email", "p2"), hashed("name", "p2")], {
      policyIds: ["p1", "p2"],
      rowFilter: { k: "literal", value: { k: "boolean", value: false } },
    });
    expect(sourceImpact("s", before, after)).toMatchObject({ changedColumns: ["email", "name"], rowFilterChanged: true });
  });

  it("reports a view appearing or disappearing, even when it masks nothing (views for everything)", () => {
    expect(sourceImpact("s", null, spec([clear("id")], { policyIds: [] }))).toMatchObject({ changedColumns: ["id"] });
    expect(sourceImpact("s", spec([hashed("email", "p1")]), null)).toMatchObject({ before: expect.any(Object), after: null });
  });
});

describe("previewText", () => {
  it("keeps null, writes timestamps in ISO, bytes as hex and structures as JSON", () => {
    expect(previewText(null)).toBeNull();
    expect(previewText(new Date("2026-01-02T03:04:05Z"))).toBe("2026-01-02T03:04:05.000Z");
    expect(previewText(Buffer.from([1, 255]))).toBe("\\x01ff");
    expect(previewText({ a: [1] })).toBe('{"a":[1]}');
    expect(previewText(12.5)).toBe("12.5");
  });
});
