import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SCHEMA_FILE, schemaText } from "./write-schema";

describe("published JSON Schema", () => {
  it("is what the zod document model generates (run `npm run -w @steward/policy-as-code schema` when this fails)", () => {
    expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(schemaText());
  });

  it("closes every object, so editors flag unknown keys", () => {
    const schema = JSON.parse(schemaText());
    const open: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (Array.isArray(node)) {
        for (const [i, n] of node.entries()) walk(n, `${path}[${i}]`);
      } else if (node && typeof node === "object") {
        const o = node as Record<string, unknown>;
        if (o.type === "object" && o.properties && o.additionalProperties !== false) open.push(path);
        for (const [k, v] of Object.entries(o)) walk(v, `${path}.${k}`);
      }
    };
    walk(schema, "$");
    expect(open).toEqual([]);
    expect(schema.properties.apiVersion.const).toBe("steward/v1");
  });
});
