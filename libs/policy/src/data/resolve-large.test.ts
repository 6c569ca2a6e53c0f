import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { pick, prng, some } from "../testing";
import { resolveDataPolicies } from "./resolve";
import type { ColumnType, DataPolicy, DataSourceInfo } from "./types";

/**
 * resolveDataPolicies is optimised for 10,000 sources × 50 columns × 200 policies (sharing expression
 * objects, caching per-policy work across sources). This pins its complete output — specs, conflicts
 * and warnings, in order — on a large seeded input against the digest the straightforward
 * implementation produced before those optimisations, so a restructuring cannot change a result.
 * A deliberate change of semantics updates the digest (and says why in the commit).
 */
const TAGS = ["PII", "PII.Email", "PII.Phone", "PII.Region", "Finance", "Finance.Salary", "Public"];
const TYPES: ColumnType[] = ["text", "text", "integer", "decimal", "float", "date", "timestamp", "timestamptz", "boolean", "other"];
const WHERES = [
  "region IN ('EU', 'US') OR @groupsContains('Auditors') OR @columnTagged('PII.Region') = 'EU'",
  "@columnTagged('PII.Email') LIKE '%@x.com' AND @columnTagged('Finance') > 10",
  "col3 > 5 OR @attributeValuesContains('region', 'EU')",
  "lower(region) = @username AND @purposesContain('Audit')",
  "region = 'EU' AND (",
];

function largeInput(seed: number, nSources: number, nColumns: number, nPolicies: number) {
  const rng = prng(seed);
  const int = (n: number) => Math.floor(rng() * n);
  const connections = ["c0", "c1", "c2", "c3"];
  const sources: DataSourceInfo[] = Array.from({ length: nSources }, (_, s) => ({
    id: `s${s}`,
    connectionId: pick(rng, connections),
    location: { ...(rng() < 0.8 ? { database: pick(rng, ["db1", "db2"]) } : {}), schema: `schema${int(6)}`, object: `t${s}` },
    tags: some(rng, TAGS, 2),
    columns: Array.from({ length: nColumns - int(4) }, (_, c) => {
      const type = c === 0 ? "integer" : c === 1 ? "text" : c === 2 ? pick(rng, ["timestamptz", "text"] as const) : pick(rng, TYPES);
      return {
        name: c === 0 ? "id" : c === 1 ? "region" : c === 2 ? "seen" : `col${c}`,
        dataType: type,
        type,
        tags: rng() < 0.2 ? some(rng, TAGS, 2) : [],
      };
    }),
  }));
  const maskRules: DataPolicy["rule"][] = [
    { kind: "mask", columns: { kind: "tagged", tag: "PII" }, mask: { kind: "hash" } },
    { kind: "mask", columns: { kind: "tagged", tag: "PII.Email" }, mask: { kind: "regexReplace", pattern: "^[^@]+", replacement: "***" } },
    { kind: "mask", columns: { kind: "tagged", tag: "Finance.Salary" }, mask: { kind: "roundNumber", bucket: 1000 } },
    { kind: "mask", columns: { kind: "tagged", tag: "Finance" }, mask: { kind: "roundDate", unit: "year" } },
    { kind: "mask", columns: { kind: "tagged", tag: "PII.Phone" }, mask: { kind: "showLast", count: 4 }, when: "region = 'EU'" },
    {
      kind: "mask",
      columns: { kind: "tagged", tag: "Public" },
      mask: { kind: "constant", value: "0" },
      when: "@columnTagged('PII') IS NULL",
    },
    { kind: "mask", columns: { kind: "names", names: ["col7", "col8", "nope"] }, mask: { kind: "null" } },
    { kind: "mask", columns: { kind: "names", names: ["col5"] }, mask: { kind: "constant", value: "2020-01-01" }, when: "missing = 1" },
    { kind: "mask", columns: { kind: "names", names: ["region", "col4"] }, mask: { kind: "hash" }, when: "region = ') broken" },
  ];
  const rowRules: DataPolicy["rule"][] = [
    { kind: "rows", rule: { kind: "matchAttribute", column: "region", attribute: "region" } },
    { kind: "rows", rule: { kind: "matchGroups", column: "col9" } },
    { kind: "rows", rule: { kind: "timeWindow", column: "seen", days: 90 } },
    { kind: "rows", rule: { kind: "minimize", column: "id", percent: 10 } },
    ...WHERES.map((sql): DataPolicy["rule"] => ({ kind: "rows", rule: { kind: "where", sql } })),
  ];
  const policies: DataPolicy[] = Array.from({ length: nPolicies }, (_, i) => {
    const r = rng();
    const scope: DataPolicy["scope"] =
      r < 0.15
        ? { kind: "all" }
        : r < 0.45
          ? { kind: "sourceTag", tag: pick(rng, TAGS) }
          : r < 0.6
            ? { kind: "connection", connectionId: pick(rng, connections) }
            : r < 0.8
              ? {
                  kind: "schema",
                  connectionId: pick(rng, connections),
                  ...(rng() < 0.5 ? { database: "db1" } : {}),
                  schema: `schema${int(6)}`,
                }
              : { kind: "sources", sourceIds: Array.from({ length: 5 }, () => `s${int(nSources + 3)}`) };
    const e = rng();
    return {
      id: `dp${String(i).padStart(3, "0")}`,
      name: `policy ${i}`,
      scope,
      rule: rng() < 0.65 ? pick(rng, maskRules) : pick(rng, rowRules),
      ...(e < 0.3
        ? {
            except: {
              kind: "or",
              conditions: [
                { kind: "group", group: pick(rng, ["g1", "g-gone"]) },
                { kind: "purpose", purpose: "p1" },
              ],
            },
          }
        : e < 0.5
          ? {
              except: {
                kind: "attribute",
                key: "region",
                match: pick(rng, ["anyOf", "allOf"] as const),
                values: some(rng, ["EU", "US"], 2),
              },
            }
          : {}),
      // Few distinct dates, so ties go to the id.
      createdAt: new Date(Date.UTC(2026, 0, 1 + int(5))),
    };
  });
  return { sources, policies, groupNames: new Map([["g1", "HR"]]), purposeNames: new Map([["p1", "Audit"]]) };
}

function digest(result: ReturnType<typeof resolveDataPolicies>): string {
  const json = JSON.stringify({ specs: [...result.specs], conflicts: result.conflicts, warnings: result.warnings });
  return createHash("sha256").update(json).digest("hex");
}

// Generating and digesting the input dominates (not resolving); on a loaded CI machine that can pass
// vitest's 5 s default, which would fail the test for the wrong reason.
describe("resolveDataPolicies on a large random input", { timeout: 60_000 }, () => {
  it("resolves exactly as the reference implementation did", () => {
    const result = resolveDataPolicies(largeInput(8, 600, 40, 120));
    expect(result.specs.size).toBeGreaterThan(500);
    expect(result.conflicts.length).toBeGreaterThan(100);
    expect(new Set(result.warnings.map((w) => w.code))).toEqual(
      new Set(["UNKNOWN_GROUP", "INVALID_WHERE", "UNKNOWN_COLUMN", "MASK_CONDITION", "ROW_RULE"]),
    );
    expect(digest(result)).toBe("de063f586e58b9c44687392a26a7294dd7c046406e484672417bfc95b88bff8a");
  });

  it("views for everything and an empty policy list resolve identically too", () => {
    const input = largeInput(9, 200, 20, 0);
    const result = resolveDataPolicies({ ...input, viewsForEverything: new Set(["c1"]) });
    expect(result.specs.size).toBeGreaterThan(20);
    expect(digest(result)).toBe("dfc53d7648d5f2910c0b33f0431b1ec3a1f5a2a31a8114353c383befb050b17f");
  });
});
