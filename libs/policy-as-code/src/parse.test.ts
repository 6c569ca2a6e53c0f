import { AppError } from "@steward/core";
import { describe, expect, it } from "vitest";
import { LIMITS, parsePolicyDocument } from "./parse";

function errorOf(text: string): AppError {
  try {
    parsePolicyDocument(text);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("expected the file to be rejected");
}

const valid = `apiVersion: steward/v1
purposes:
  - name: Research
    acknowledgement: I use data for research only.
subscriptionPolicies:
  - name: analysts read sales
    accessType: READ
    restriction:
      kind: conditions
      condition: { kind: group, group: analysts }
    scope:
      kind: sources
      sources:
        - { connection: warehouse, name: sales.public.orders }
`;

describe("parsePolicyDocument", () => {
  it("reads a valid YAML file and its digest", () => {
    const parsed = parsePolicyDocument(valid);
    expect(parsed.document.subscriptionPolicies?.[0]?.name).toBe("analysts read sales");
    expect(parsed.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(parsed.locate(["subscriptionPolicies", 0, "scope", "sources", 0])).toEqual({ line: 14, column: 11 });
  });

  it("reads JSON with positions too", () => {
    const json = JSON.stringify({ apiVersion: "steward/v1", tags: [{ name: "PII" }, { name: "PII", description: "x" }] }, null, 2);
    const err = errorOf(json);
    expect(err.code).toBe("BAD_USER_INPUT");
    expect(err.fields).toEqual([
      expect.objectContaining({ path: "tags[1].name", line: 8, message: expect.stringContaining("duplicate name") }),
    ]);
  });

  it("names the line and field of an invalid value", () => {
    const err = errorOf(valid.replace("accessType: READ", "accessType: OWN"));
    expect(err.fields).toEqual([expect.objectContaining({ path: "subscriptionPolicies[0].accessType", line: 7, column: 5 })]);
    expect(err.userMessage).toContain("line 7:5 subscriptionPolicies[0].accessType");
  });

  it("rejects unknown keys at their line, nested ones included", () => {
    const err = errorOf(
      valid.replace("      condition: { kind: group, group: analysts }", "      condition: { kind: group, group: analysts, grop: x }"),
    );
    expect(err.fields).toEqual([
      expect.objectContaining({ path: "subscriptionPolicies[0].restriction.condition.grop", line: 10, message: 'unknown key "grop"' }),
    ]);
    const top = errorOf(`${valid}colour: blue\n`);
    expect(top.fields).toEqual([expect.objectContaining({ path: "colour", line: 15, column: 1 })]);
  });

  it("rejects duplicate names per section and duplicate keys", () => {
    const dup = errorOf(
      `${valid}  - name: analysts read sales\n    accessType: WRITE\n    restriction: { kind: anyone }\n    scope: { kind: tag, tag: PII }\n`,
    );
    expect(dup.fields).toEqual([expect.objectContaining({ path: "subscriptionPolicies[1].name", line: 15 })]);
    const key = errorOf("apiVersion: steward/v1\napiVersion: steward/v1\n");
    expect(key.fields[0]).toEqual(expect.objectContaining({ line: 2, message: expect.stringContaining("unique") }));
  });

  it("rejects a wrong or missing apiVersion and a purpose cycle", () => {
    expect(errorOf("tags: []\n").fields[0]?.path).toBe("apiVersion");
    const cycle = errorOf(
      "apiVersion: steward/v1\npurposes:\n  - { name: A, acknowledgement: a, parent: B }\n  - { name: B, acknowledgement: b, parent: A }\n",
    );
    expect(cycle.fields.map((f) => [f.path, f.line])).toEqual([
      ["purposes[0].parent", 3],
      ["purposes[1].parent", 4],
    ]);
  });

  it("refuses deep nesting before parsing", () => {
    const deep = `apiVersion: steward/v1\ntags: ${"[".repeat(1_000_000)}`;
    const err = errorOf(deep);
    expect(err.fields[0]).toEqual(expect.objectContaining({ line: 2, message: `nested deeper than ${LIMITS.maxDepth} levels` }));
  });

  it("refuses 10 MB of nesting by its size", () => {
    expect(errorOf(`apiVersion: steward/v1\ntags: ${"[".repeat(10_000_000)}`).userMessage).toContain("bytes; at most");
  });

  it("refuses a file over the size limit", () => {
    const err = errorOf(`apiVersion: steward/v1\n#${"x".repeat(LIMITS.maxBytes)}\n`);
    expect(err.userMessage).toContain("bytes; at most");
  });

  it("refuses alias bombs (billion laughs)", () => {
    const lines = ["apiVersion: steward/v1", "a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 10; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(", ")}]`,
      );
    const err = errorOf(lines.join("\n"));
    expect(err.userMessage).toMatch(/alias/i);
  });

  it("reports YAML syntax errors with their line", () => {
    const err = errorOf("apiVersion: steward/v1\ntags:\n  - name: [unclosed\n");
    expect(err.fields[0]?.line).toBeGreaterThanOrEqual(3);
  });
});
