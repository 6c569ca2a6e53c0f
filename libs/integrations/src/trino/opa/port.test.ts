import { describe, expect, it } from "vitest";
import { opaPropertiesFor, trinoDecisions } from "./port";

describe("Trino decisions port", () => {
  it("routes exactly Trino's five endpoints", () => {
    expect([...trinoDecisions.endpoints]).toEqual(["allow", "batch", "row-filters", "column-mask", "batch-column-masks"]);
  });

  it("writes access-control.properties pointing every opa uri at the connection's endpoints", () => {
    const files = trinoDecisions.clientConfig({ baseUrl: "https://steward.example.com/", connectionId: "c-1", token: "t/ok+en" });
    expect(files).toHaveLength(1);
    expect(files[0]!.fileName).toBe("access-control.properties");
    const base = "https://steward.example.com/decisions/TRINO/c-1/t%2Fok%2Ben";
    const props = Object.fromEntries(
      files[0]!.content
        .split("\n")
        .filter((l) => l && !l.startsWith("#"))
        .map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
    );
    expect(props).toEqual({
      "access-control.name": "opa",
      "opa.policy.uri": `${base}/allow`,
      "opa.policy.batched-uri": `${base}/batch`,
      "opa.policy.row-filters-uri": `${base}/row-filters`,
      "opa.policy.batch-column-masking-uri": `${base}/batch-column-masks`,
      "opa.policy.column-masking-uri": `${base}/column-mask`,
    });
    expect(opaPropertiesFor(`${base}/`)).toBe(files[0]!.content);
  });
});
