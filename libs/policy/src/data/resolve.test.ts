import { describe, expect, it } from "vitest";
import { evaluateExpr, type ProfileFacts, type Row, saltedHash } from "./evaluate-expr";
import { MASK_STRICTNESS, type ResolveInput, resolveDataPolicies } from "./resolve";
import type { DataColumn, DataPolicy, DataSourceInfo, PolicyViewSpec } from "./types";

const SALT = "pepper";
const NOW = new Date("2026-11-24T12:00:00Z");
const col = (name: string, type: DataColumn["type"] = "text", tags: string[] = []): DataColumn => ({ name, dataType: type, type, tags });
const customers: DataSourceInfo = {
  id: "s-cust",
  connectionId: "c1",
  location: { database: "db", schema: "crm", object: "customers" },
  tags: ["Finance.Payroll"],
  columns: [
    col("id", "integer"),
    col("email", "text", ["PII.Email"]),
    col("salary", "integer", ["PII"]),
    col("region", "text", ["PII.Region"]),
    col("born", "date"),
    col("seen", "timestamptz"),
  ],
};
const other: DataSourceInfo = { id: "s-other", connectionId: "c2", location: { schema: "x", object: "o" }, tags: [], columns: [col("k")] };
const at = (d: number) => new Date(Date.UTC(2026, 0, d));
let seq = 0;
const policy = (over: Partial<DataPolicy> & Pick<DataPolicy, "rule">): DataPolicy => ({
  id: `dp${++seq}`,
  name: `policy ${seq}`,
  scope: { kind: "all" },
  createdAt: at(seq),
  ...over,
});
const input = (policies: DataPolicy[], over: Partial<ResolveInput> = {}): ResolveInput => ({
  sources: [customers, other],
  policies,
  groupNames: new Map([["g-hr", "HR"]]),
  purposeNames: new Map([["pr-audit", "Audit"]]),
  ...over,
});
const alice: ProfileFacts = { username: "alice", groups: ["Sales"], attributes: { region: ["EU"] }, purposes: [], sources: [] };
const hr: ProfileFacts = { ...alice, username: "hana", groups: ["HR"] };
const row: Row = {
  id: 7,
  email: "alice@example.com",
  salary: 123456,
  region: "EU",
  born: new Date("1990-05-17T00:00:00Z"),
  seen: new Date("2026-11-20T00:00:00Z"),
};

/** What the view returns for `row` as `profile`: the reference semantics of the spec. */
function view(spec: PolicyViewSpec | undefined, profile: ProfileFacts, r: Row = row): Row | null {
  if (!spec) throw new Error("no spec");
  if (spec.rowFilter && evaluateExpr(spec.rowFilter, r, profile, SALT, NOW) !== true) return null;
  return Object.fromEntries(spec.columns.map((c) => [c.name, evaluateExpr(c.expr, r, profile, SALT, NOW)]));
}

describe("resolveDataPolicies: masks", () => {
  it("applies every mask kind, and clears values for users under the exception", () => {
    const cases: Array<[DataPolicy["rule"], string, unknown]> = [
      [{ kind: "mask", columns: { kind: "names", names: ["email"] }, mask: { kind: "null" } }, "email", null],
      [{ kind: "mask", columns: { kind: "names", names: ["email"] }, mask: { kind: "constant", value: "hidden" } }, "email", "hidden"],
      [
        { kind: "mask", columns: { kind: "names", names: ["email"] }, mask: { kind: "hash" } },
        "email",
        saltedHash(SALT, "alice@example.com"),
      ],
      [
        {
          kind: "mask",
          columns: { kind: "names", names: ["email"] },
          mask: { kind: "regexReplace", pattern: "^[^@]+", replacement: "***" },
        },
        "email",
        "***@example.com",
      ],
      [{ kind: "mask", columns: { kind: "names", names: ["salary"] }, mask: { kind: "roundNumber", bucket: 1000 } }, "salary", 123000],
      [
        { kind: "mask", columns: { kind: "names", names: ["born"] }, mask: { kind: "roundDate", unit: "year" } },
        "born",
        new Date("1990-01-01T00:00:00Z"),
      ],
      [
        { kind: "mask", columns: { kind: "names", names: ["born"] }, mask: { kind: "roundDate", unit: "month" } },
        "born",
        new Date("1990-05-01T00:00:00Z"),
      ],
      [
        { kind: "mask", columns: { kind: "names", names: ["email"] }, mask: { kind: "showLast", count: 4 } },
        "email",
        `${"*".repeat(13)}.com`,
      ],
    ];
    for (const [rule, column, masked] of cases) {
      const { specs } = resolveDataPolicies(input([policy({ rule, except: { kind: "group", group: "g-hr" } })]));
      const spec = specs.get("s-cust");
      expect(view(spec, alice)?.[column], `${JSON.stringify(rule)} for alice`).toEqual(masked);
      expect(view(spec, hr)?.[column], `${JSON.stringify(rule)} for HR`).toEqual(row[column]);
      expect(view(spec, alice)?.id).toBe(7);
      expect(spec?.columns.find((c) => c.name === column)?.maskedBy).toBeDefined();
    }
  });

  it("attaches globally by column tag (hierarchically) and by source scope", () => {
    const p = policy({
      rule: { kind: "mask", columns: { kind: "tagged", tag: "PII" }, mask: { kind: "null" } },
      scope: { kind: "sourceTag", tag: "Finance" },
    });
    const { specs } = resolveDataPolicies(input([p]));
    expect(specs.has("s-other")).toBe(false);
    const spec = specs.get("s-cust")!;
    expect(spec.columns.map((c) => c.name)).toEqual(["id", "email", "salary", "region", "born", "seen"]);
    expect(spec.columns.filter((c) => c.maskedBy === p.id).map((c) => c.name)).toEqual(["email", "salary", "region"]);
    expect(spec.policyIds).toEqual([p.id]);
    for (const scope of [
      { kind: "connection", connectionId: "c1" },
      { kind: "schema", connectionId: "c1", schema: "crm" },
      { kind: "sources", sourceIds: ["s-cust"] },
    ] as const) {
      expect([...resolveDataPolicies(input([{ ...p, scope }])).specs.keys()]).toEqual(["s-cust"]);
    }
    expect(resolveDataPolicies(input([{ ...p, scope: { kind: "sourceTag", tag: "Fin" } }])).specs.size).toBe(0);
  });

  it("masks only matching rows with a conditional mask", () => {
    const p = policy({
      rule: { kind: "mask", columns: { kind: "names", names: ["email"] }, mask: { kind: "null" }, when: "region = 'EU'" },
    });
    const spec = resolveDataPolicies(input([p])).specs.get("s-cust");
    expect(view(spec, alice)?.email).toBeNull();
    expect(view(spec, alice, { ...row, region: "US" })?.email).toBe("alice@example.com");
  });

  it("honours purpose and attribute exceptions, and an unknown group exempts nobody", () => {
    const byPurpose = policy({
      rule: { kind: "mask", columns: { kind: "names", names: ["email"] }, mask: { kind: "null" } },
      except: { kind: "purpose", purpose: "pr-audit" },
    });
    const spec = resolveDataPolicies(input([byPurpose])).specs.get("s-cust");
    expect(view(spec, alice)?.email).toBeNull();
    expect(view(spec, { ...alice, purposes: ["Audit"] })?.email).toBe("alice@example.com");
    const byAttr = { ...byPurpose, except: { kind: "attribute", key: "clearance", match: "allOf", values: ["pii", "hr"] } } as const;
    const spec2 = resolveDataPolicies(input([byAttr])).specs.get("s-cust");
    expect(view(spec2, { ...alice, attributes: { clearance: ["pii"] } })?.email).toBeNull();
    expect(view(spec2, { ...alice, attributes: { clearance: ["pii", "hr"] } })?.email).toBe("alice@example.com");
    const unknown = resolveDataPolicies(input([{ ...byPurpose, except: { kind: "group", group: "g-gone" } }]));
    expect(view(unknown.specs.get("s-cust"), hr)?.email).toBeNull();
    expect(unknown.warnings.map((w) => w.code)).toContain("UNKNOWN_GROUP");
  });

  it("records explicit type fallbacks", () => {
    const hash = policy({ rule: { kind: "mask", columns: { kind: "names", names: ["salary"] }, mask: { kind: "hash" } } });
    const c = resolveDataPolicies(input([hash]))
      .specs.get("s-cust")!
      .columns.find((x) => x.name === "salary")!;
    expect(c.type).toBe("text");
    expect(c.fallback).toEqual({ requested: "hash", applied: "hash", reason: "hashes the value's text form; the column becomes text" });
    expect(view(resolveDataPolicies(input([hash])).specs.get("s-cust"), alice)?.salary).toBe(saltedHash(SALT, "123456"));
    const fallbacks: Array<[DataPolicy["rule"]["kind"] extends string ? DataPolicy["rule"] : never, string, string]> = [
      [
        { kind: "mask", columns: { kind: "names", names: ["born"] }, mask: { kind: "regexReplace", pattern: "1", replacement: "x" } },
        "born",
        "hash",
      ],
      [{ kind: "mask", columns: { kind: "names", names: ["email"] }, mask: { kind: "roundNumber", bucket: 10 } }, "email", "null"],
      [{ kind: "mask", columns: { kind: "names", names: ["salary"] }, mask: { kind: "roundDate", unit: "month" } }, "salary", "null"],
      [{ kind: "mask", columns: { kind: "names", names: ["salary"] }, mask: { kind: "showLast", count: 2 } }, "salary", "showLast"],
      [{ kind: "mask", columns: { kind: "names", names: ["salary"] }, mask: { kind: "constant", value: "n/a" } }, "salary", "null"],
    ];
    for (const [rule, name, applied] of fallbacks) {
      const spec = resolveDataPolicies(input([policy({ rule })])).specs.get("s-cust")!;
      expect(spec.columns.find((x) => x.name === name)?.fallback?.applied).toBe(applied);
    }
    const showLast = resolveDataPolicies(input([policy({ rule: fallbacks[3]![0] })])).specs.get("s-cust");
    expect(view(showLast, alice)?.salary).toBe("****56");
  });
});

describe("resolveDataPolicies: conflicts", () => {
  const mask = (over: Partial<DataPolicy>, m: DataPolicy["rule"] & { kind: "mask" }) => policy({ ...over, rule: m });
  it("the deeper tag wins, a names selector is deepest", () => {
    const pii = mask({}, { kind: "mask", columns: { kind: "tagged", tag: "PII" }, mask: { kind: "null" } });
    const email = mask({}, { kind: "mask", columns: { kind: "tagged", tag: "PII.Email" }, mask: { kind: "hash" } });
    const r = resolveDataPolicies(input([pii, email]));
    expect(r.specs.get("s-cust")!.columns.find((c) => c.name === "email")?.maskedBy).toBe(email.id);
    expect(r.conflicts).toEqual([
      {
        sourceId: "s-cust",
        column: "email",
        winner: { policyId: email.id, policyName: email.name },
        losers: [{ policyId: pii.id, policyName: pii.name }],
        decidedBy: "deeperTag",
      },
    ]);
    const named = mask({}, { kind: "mask", columns: { kind: "names", names: ["email"] }, mask: { kind: "showLast", count: 3 } });
    expect(resolveDataPolicies(input([pii, email, named])).conflicts[0]).toMatchObject({
      winner: { policyId: named.id },
      decidedBy: "deeperTag",
    });
  });

  it("then the stricter mask, in the documented order", () => {
    expect(MASK_STRICTNESS).toEqual(["null", "constant", "hash", "showLast", "regexReplace", "roundDate", "roundNumber"]);
    const a = mask({}, { kind: "mask", columns: { kind: "tagged", tag: "PII.Email" }, mask: { kind: "showLast", count: 3 } });
    const b = mask({}, { kind: "mask", columns: { kind: "tagged", tag: "PII.Email" }, mask: { kind: "hash" } });
    expect(resolveDataPolicies(input([a, b])).conflicts[0]).toMatchObject({
      winner: { policyId: b.id },
      losers: [{ policyId: a.id }],
      decidedBy: "stricterMask",
    });
  });

  it("then the older policy, then the id", () => {
    const young = mask({ createdAt: at(200) }, { kind: "mask", columns: { kind: "names", names: ["email"] }, mask: { kind: "hash" } });
    const old = mask({ createdAt: at(100) }, { kind: "mask", columns: { kind: "names", names: ["email"] }, mask: { kind: "hash" } });
    expect(resolveDataPolicies(input([young, old])).conflicts[0]).toMatchObject({ winner: { policyId: old.id }, decidedBy: "olderPolicy" });
    const twin = { ...old, id: "dp0", name: "twin" };
    expect(resolveDataPolicies(input([old, twin])).conflicts[0]).toMatchObject({ winner: { policyId: "dp0" }, decidedBy: "olderPolicy" });
  });
});

describe("resolveDataPolicies: row rules", () => {
  it("matchAttribute, matchGroups, where, timeWindow and minimize filter rows; rules are ANDed; except clears them", () => {
    const eu = { ...row, region: "EU" };
    const us = { ...row, region: "US" };
    const r1 = policy({ rule: { kind: "rows", rule: { kind: "matchAttribute", column: "region", attribute: "region" } } });
    let spec = resolveDataPolicies(input([r1])).specs.get("s-cust");
    expect([view(spec, alice, eu) !== null, view(spec, alice, us) !== null]).toEqual([true, false]);

    const r2 = policy({ rule: { kind: "rows", rule: { kind: "matchGroups", column: "region" } } });
    spec = resolveDataPolicies(input([r2])).specs.get("s-cust");
    expect(view(spec, { ...alice, groups: ["US"] }, us)).not.toBeNull();
    expect(view(spec, alice, us)).toBeNull();

    const r3 = policy({ rule: { kind: "rows", rule: { kind: "where", sql: "salary < 100000 OR @groupsContains('HR')" } } });
    spec = resolveDataPolicies(input([r3])).specs.get("s-cust");
    expect([view(spec, alice), view(spec, hr)].map((v) => v !== null)).toEqual([false, true]);

    const r4 = policy({ rule: { kind: "rows", rule: { kind: "timeWindow", column: "seen", days: 3 } } });
    spec = resolveDataPolicies(input([r4])).specs.get("s-cust");
    expect(view(spec, alice)).toBeNull(); // seen 4.5 days before NOW
    expect(view(spec, alice, { ...row, seen: new Date("2026-11-23T00:00:00Z") })).not.toBeNull();

    const r5 = policy({ rule: { kind: "rows", rule: { kind: "minimize", column: "id", percent: 50 } } });
    spec = resolveDataPolicies(input([r5])).specs.get("s-cust");
    const kept = Array.from({ length: 1000 }, (_, i) => view(spec, alice, { ...row, id: i }) !== null).filter(Boolean).length;
    expect(kept).toBeGreaterThan(430);
    expect(kept).toBeLessThan(570);

    const both = resolveDataPolicies(input([r1, { ...r4, except: { kind: "group", group: "g-hr" } }])).specs.get("s-cust")!;
    expect(both.rowFilter?.k).toBe("and");
    expect(view(both, hr, us)).toBeNull(); // r1 still applies to HR
    expect(view(both, hr, eu)).not.toBeNull(); // r4 does not
    expect(view(both, alice, eu)).toBeNull();
  });

  it("fails closed where a global rule names a column the source lacks", () => {
    const p = policy({ rule: { kind: "rows", rule: { kind: "where", sql: "region = 'EU'" } } });
    const r = resolveDataPolicies(input([p]));
    expect(r.specs.get("s-other")?.rowFilter).toEqual({ k: "literal", value: { k: "boolean", value: false } });
    expect(r.warnings).toContainEqual(expect.objectContaining({ sourceId: "s-other", policyId: p.id, code: "ROW_RULE" }));
    const tagged = policy({ rule: { kind: "rows", rule: { kind: "where", sql: "@columnTagged('PII.Region') = 'EU'" } } });
    const r2 = resolveDataPolicies(input([tagged]));
    expect(view(r2.specs.get("s-cust"), alice)).not.toBeNull();
    expect(r2.specs.get("s-other")?.rowFilter).toEqual({ k: "literal", value: { k: "boolean", value: false } });
  });

  it("gives no spec to sources without data policies unless the connection wants views for everything", () => {
    expect(resolveDataPolicies(input([])).specs.size).toBe(0);
    const spec = resolveDataPolicies(input([], { viewsForEverything: new Set(["c2"]) })).specs.get("s-other");
    expect(spec).toEqual({
      sourceId: "s-other",
      columns: [{ name: "k", type: "text", dataType: "text", expr: { k: "column", name: "k" } }],
      rowFilter: null,
      policyIds: [],
      conflicts: [],
    });
  });

  it("gives no spec where a policy in scope changes nothing (a global tag mask, no column so tagged)", () => {
    const emails = policy({ rule: { kind: "mask", columns: { kind: "tagged", tag: "PII.Email" }, mask: { kind: "hash" } } });
    const { specs } = resolveDataPolicies(input([emails]));
    // `other` has no PII.Email column: it keeps its direct grants; customers gets its view.
    expect(specs.has("s-other")).toBe(false);
    expect(specs.get("s-cust")?.policyIds).toEqual([emails.id]);
    // With views for everything the source still gets its (plain) view.
    const all = resolveDataPolicies(input([emails], { viewsForEverything: new Set(["c2"]) })).specs.get("s-other");
    expect(all?.columns.map((c) => c.expr)).toEqual([{ k: "column", name: "k" }]);
    // A row rule always shapes the source, even when it hides nothing from some users.
    const rows = policy({ rule: { kind: "rows", rule: { kind: "timeWindow", column: "seen", days: 30 } } });
    expect(resolveDataPolicies(input([rows])).specs.has("s-other")).toBe(true);
  });
});
