import { describe, expect, it } from "vitest";
import { pick, prng, type Rng, some } from "../testing";
import type { Condition } from "../types";
import { applyMask, evaluateExpr, type ProfileFacts, type Row } from "./evaluate-expr";
import { type ExplainDataPoliciesInput, explainDataPolicies } from "./explain";
import { describeMask, describeTrace, type ExplainProfile, traceException } from "./explain-trace";
import { exceptExpr, resolveDataPolicies } from "./resolve";
import type { DataColumn, DataPolicy, DataSourceInfo, Mask } from "./types";

const col = (name: string, type: DataColumn["type"] = "text", tags: string[] = []): DataColumn => ({ name, dataType: type, type, tags });
const customers: DataSourceInfo = {
  id: "s-cust",
  connectionId: "c1",
  location: { database: "db", schema: "crm", object: "customers" },
  tags: ["Finance"],
  columns: [
    col("id", "integer"),
    col("email", "text", ["PII.Email"]),
    col("salary", "integer", ["PII"]),
    col("region", "text"),
    col("seen", "timestamptz"),
  ],
};
let seq = 0;
const policy = (over: Partial<DataPolicy> & Pick<DataPolicy, "rule">): DataPolicy => ({
  id: `dp${String(++seq).padStart(3, "0")}`,
  name: `policy ${seq}`,
  scope: { kind: "all" },
  createdAt: new Date(Date.UTC(2026, 0, seq)),
  ...over,
});
const maskRule = (names: string[], mask: Mask, when?: string): DataPolicy["rule"] => ({
  kind: "mask",
  columns: { kind: "names", names },
  mask,
  ...(when === undefined ? {} : { when }),
});
const alice: ExplainProfile = { username: "alice", groups: ["Sales"], attributes: { region: ["EU"] }, purposes: [] };
const hana: ExplainProfile = { ...alice, username: "hana", groups: ["HR"] };
const names = { groupNames: new Map([["g-hr", "HR"]]), purposeNames: new Map([["pr-audit", "Audit"]]) };
const explain = (policies: DataPolicy[], profile: ExplainProfile = alice, over: Partial<ExplainDataPoliciesInput> = {}) =>
  explainDataPolicies({ source: customers, policies, ...names, profile, ...over });
const column = (e: ReturnType<typeof explain>, name: string) => e.columns.find((c) => c.column === name)!;

describe("explainDataPolicies: columns", () => {
  it("says a source without data policies is shown as stored", () => {
    const e = explain([policy({ rule: maskRule(["email"], { kind: "null" }), scope: { kind: "connection", connectionId: "other" } })]);
    expect(e.governed).toBe(false);
    expect(e.policies).toEqual([]);
    expect(e.columns.every((c) => c.status === "clear" && c.policy === null)).toBe(true);
    expect(e.reasons).toEqual(["no data policy applies to this source: you see it as stored"]);
    const views = explain([], alice, { viewsForEverything: true });
    expect(views.governed).toBe(true);
    expect(views.reasons).toEqual(["data policies apply to this source, but none masks a column or hides a row for you"]);
  });

  it("says whether the subscription guard lets the user see any row", () => {
    const p = policy({ rule: maskRule(["email"], { kind: "null" }) });
    expect(explain([p]).subscribed).toBeNull();
    expect(explain([p], { ...alice, sources: [customers.id] })).toMatchObject({ subscribed: true });
    const none = explain([p], { ...alice, sources: ["other"] });
    expect(none.subscribed).toBe(false);
    expect(none.reasons[0]).toBe("you have no subscription to this source: it shows you no rows at all");
  });

  it("names the policy and mask of a masked column without exception", () => {
    const p = policy({ rule: maskRule(["email"], { kind: "hash" }) });
    const e = explain([p]);
    expect(column(e, "email")).toMatchObject({
      status: "masked",
      policy: { policyId: p.id, policyName: p.name },
      mask: { kind: "hash" },
      applied: { kind: "hash" },
      fallback: null,
      when: null,
      exception: null,
      overridden: [],
      decidedBy: null,
    });
    expect(column(e, "email").reason).toBe(`email: hashed (salted SHA-256) by policy "${p.name}"; the policy has no exception`);
    expect(column(e, "id").status).toBe("clear");
    expect(e.reasons).toEqual([column(e, "email").reason]);
  });

  it("traces a group exception: exempt when in the group, masked with the missing group otherwise", () => {
    const p = policy({ rule: maskRule(["salary"], { kind: "roundNumber", bucket: 1000 }), except: { kind: "group", group: "g-hr" } });
    const hr = column(explain([p], hana), "salary");
    expect(hr.status).toBe("exempt");
    expect(hr.exception).toEqual({ kind: "group", groupId: "g-hr", groupName: "HR", satisfied: true });
    expect(hr.reason).toContain("you are in group HR");
    const other = column(explain([p]), "salary");
    expect(other.status).toBe("masked");
    expect(other.reason).toBe(
      `salary: rounded down to a multiple of 1000 by policy "${p.name}"; you are not exempt: you are not in group HR`,
    );
    const gone = column(explain([{ ...p, except: { kind: "group", group: "g-gone" } }], hana), "salary");
    expect(gone.status).toBe("masked");
    expect(gone.exception).toEqual({ kind: "group", groupId: "g-gone", groupName: null, satisfied: false });
    expect(gone.reason).toContain("group g-gone no longer exists");
  });

  it("traces purpose and attribute exceptions, naming what is missing", () => {
    const byPurpose = policy({ rule: maskRule(["email"], { kind: "null" }), except: { kind: "purpose", purpose: "pr-audit" } });
    expect(column(explain([byPurpose], { ...alice, purposes: ["Audit"] }), "email").status).toBe("exempt");
    const miss = column(explain([byPurpose], { ...alice, purposes: ["Research"] }), "email");
    expect(miss.exception).toEqual({
      kind: "purpose",
      purposeId: "pr-audit",
      purposeName: "Audit",
      userPurposes: ["Research"],
      satisfied: false,
    });
    expect(miss.reason).toContain("your current project acts under Research, not purpose Audit");
    expect(column(explain([byPurpose]), "email").reason).toContain("acts under no purpose, not purpose Audit");
    const gone = column(
      explain([{ ...byPurpose, except: { kind: "purpose", purpose: "pr-x" } }], { ...alice, purposes: ["pr-x"] }),
      "email",
    );
    expect(gone).toMatchObject({ status: "masked", exception: { purposeName: null, satisfied: false } });

    const allOf = policy({
      rule: maskRule(["email"], { kind: "null" }),
      except: { kind: "attribute", key: "clearance", match: "allOf", values: ["pii", "hr"] },
    });
    const partial = column(explain([allOf], { ...alice, attributes: { clearance: ["pii"] } }), "email");
    expect(partial.exception).toMatchObject({ kind: "attribute", missing: ["hr"], satisfied: false });
    expect(partial.reason).toContain("your clearance lacks hr");
    expect(column(explain([allOf], { ...alice, attributes: { clearance: ["hr", "pii"] } }), "email").status).toBe("exempt");
    const anyOf = { ...allOf, except: { kind: "attribute", key: "region", match: "anyOf", values: ["US", "APAC"] } } as const;
    expect(column(explain([anyOf]), "email").reason).toContain("your region is EU, not any of US, APAC");
    expect(column(explain([anyOf], { ...alice, attributes: {} }), "email").reason).toContain("your region is none, not any of US, APAC");
    const held = column(explain([anyOf], { ...alice, attributes: { region: ["US"] } }), "email");
    expect(held).toMatchObject({ status: "exempt", exception: { missing: [], satisfied: true } });
    expect(held.reason).toContain("your region is US");
  });

  it("explains nested and / or exceptions by their decisive parts", () => {
    const except: Condition = {
      kind: "or",
      conditions: [
        { kind: "group", group: "g-hr" },
        {
          kind: "and",
          conditions: [
            { kind: "purpose", purpose: "pr-audit" },
            { kind: "attribute", key: "region", match: "anyOf", values: ["EU"] },
          ],
        },
      ],
    };
    const p = policy({ rule: maskRule(["email"], { kind: "null" }), except });
    const masked = column(explain([p]), "email");
    expect(masked.status).toBe("masked");
    expect(masked.reason).toContain("you are not in group HR and your current project acts under no purpose, not purpose Audit");
    const auditor = column(explain([p], { ...alice, purposes: ["Audit"] }), "email");
    expect(auditor.status).toBe("exempt");
    expect(auditor.reason).toContain("your current project acts under purpose Audit and your region is EU");
    expect(describeTrace(traceException({ kind: "and", conditions: [] }, alice, names))).toBe("an empty AND condition is never satisfied");
  });

  it("explains conditional masks, and a condition that fails closed", () => {
    const p = policy({ rule: maskRule(["email"], { kind: "null" }, "region = 'EU'"), except: { kind: "group", group: "g-hr" } });
    const c = column(explain([p]), "email");
    expect(c).toMatchObject({ status: "maskedWhen", when: { sql: "region = 'EU'", failsClosed: false } });
    expect(c.reason).toBe(
      `email: replaced by NULL by policy "${p.name}" in rows where region = 'EU'; you are not exempt: you are not in group HR`,
    );
    expect(column(explain([p], hana), "email").status).toBe("exempt");
    const closed = policy({ rule: maskRule(["email"], { kind: "null" }, "country = 'EU'") });
    const d = column(explain([closed]), "email");
    expect(d).toMatchObject({ status: "masked", when: { sql: "country = 'EU'", failsClosed: true } });
    expect(d.reason).toContain("does not fit this source, so every row is masked");
    expect(explain([closed]).warnings).toContainEqual(expect.objectContaining({ policyId: closed.id, code: "MASK_CONDITION" }));
  });

  it("shows the type fallback and the mask actually applied", () => {
    const p = policy({ rule: maskRule(["salary"], { kind: "regexReplace", pattern: "1", replacement: "x" }) });
    const c = column(explain([p]), "salary");
    expect(c.mask).toEqual({ kind: "regexReplace", pattern: "1", replacement: "x" });
    expect(c.applied).toEqual({ kind: "hash" });
    expect(c.fallback?.requested).toBe("regexReplace");
    expect(c.reason).toContain("hashed (salted SHA-256) (regexReplace does not fit this column: a regex needs text");
  });

  it("reports the conflict: the winner applies, the losers and the deciding rule are named", () => {
    const pii = policy({ rule: { kind: "mask", columns: { kind: "tagged", tag: "PII" }, mask: { kind: "null" } } });
    const email = policy({ rule: { kind: "mask", columns: { kind: "tagged", tag: "PII.Email" }, mask: { kind: "showLast", count: 4 } } });
    const e = explain([pii, email]);
    expect(column(e, "email")).toMatchObject({
      status: "masked",
      policy: { policyId: email.id },
      overridden: [{ policyId: pii.id, policyName: pii.name }],
      decidedBy: "deeperTag",
    });
    expect(column(e, "salary")).toMatchObject({ policy: { policyId: pii.id }, overridden: [], decidedBy: null });
    expect(e.conflicts).toHaveLength(1);
    expect(e.reasons).toContain(`email: 2 masks match; "${email.name}" wins by the deeper tag over "${pii.name}"`);
    expect(e.policies.map((p) => p.policyId)).toEqual([pii.id, email.id].sort());
  });
});

describe("explainDataPolicies: row rules", () => {
  const rows = (rule: Extract<DataPolicy["rule"], { kind: "rows" }>["rule"], over: Partial<DataPolicy> = {}) =>
    policy({ rule: { kind: "rows", rule }, ...over });

  it("matchAttribute and matchGroups list the user's values, and none means no rows", () => {
    const p = rows({ kind: "matchAttribute", column: "region", attribute: "region" });
    const [r] = explain([p]).rowRules;
    expect(r).toMatchObject({ exempt: false, failsClosed: false, matchedValues: ["EU"], exception: null });
    expect(r!.reason).toBe(`policy "${p.name}": only rows whose region is one of your values of region (yours: EU)`);
    expect(explain([p], { ...alice, attributes: {} }).rowRules[0]!.reason).toContain("you have none, so no rows are shown");
    const g = rows({ kind: "matchGroups", column: "region" }, { except: { kind: "group", group: "g-hr" } });
    expect(explain([g]).rowRules[0]).toMatchObject({ matchedValues: ["Sales"] });
    expect(explain([g]).rowRules[0]!.reason).toContain("; you are not exempt: you are not in group HR");
  });

  it("an exempt user is told the rule hides nothing from them, and why", () => {
    const p = rows({ kind: "timeWindow", column: "seen", days: 30 }, { except: { kind: "group", group: "g-hr" } });
    const [r] = explain([p], hana).rowRules;
    expect(r).toMatchObject({ exempt: true, summary: "only rows whose seen is within the last 30 days" });
    expect(r!.reason).toBe(
      `policy "${p.name}" (only rows whose seen is within the last 30 days) hides nothing from you: you are in group HR`,
    );
  });

  it("a custom WHERE lists its macros evaluated for the user", () => {
    const p = rows({
      kind: "where",
      sql: "@groupsContains('HR') OR (@attributeValuesContains('region','EU') AND @purposesContain('Audit')) OR email = @username",
    });
    const [r] = explain([p]).rowRules;
    expect(r!.profileFacts).toEqual([
      { kind: "groups", value: "HR", holds: false },
      { kind: "attributeValues", key: "region", value: "EU", holds: true },
      { kind: "purposes", value: "Audit", holds: false },
      { kind: "username", username: "alice" },
    ]);
    expect(r!.reason).toContain(
      "(you are not in group HR; your region includes EU; your current project is not under purpose Audit; @username is alice)",
    );
    expect(explain([p], { ...hana, purposes: ["Audit"] }).rowRules[0]!.reason).toContain("you are in group HR");
  });

  it("rules that cannot apply to the source hide every row (fail closed)", () => {
    const cases = [
      rows({ kind: "where", sql: "country = 'EU'" }),
      rows({ kind: "timeWindow", column: "region", days: 3 }),
      rows({ kind: "matchGroups", column: "nope" }),
      rows({ kind: "minimize", column: "nope", percent: 10 }),
      rows({ kind: "where", sql: "region = 'EU'; DROP TABLE x" }),
    ];
    for (const p of cases) {
      const e = explain([p]);
      expect(e.rowRules[0], JSON.stringify(p.rule)).toMatchObject({ failsClosed: true, profileFacts: [] });
      expect(e.rowRules[0]!.reason).toContain("hides every row");
      expect(e.warnings.length).toBeGreaterThan(0);
    }
    const ok = explain([rows({ kind: "minimize", column: "id", percent: 10 })]).rowRules[0]!;
    expect(ok).toMatchObject({ failsClosed: false, matchedValues: null });
    expect(ok.reason).toContain("a deterministic 10 % sample of the rows (by id)");
  });
});

describe("explainDataPolicies agrees with the policy view", () => {
  const GROUPS = new Map([
    ["g1", "HR"],
    ["g2", "Sales"],
    ["g3", "Ops"],
  ]);
  const PURPOSES = new Map([
    ["p1", "Audit"],
    ["p2", "Research"],
  ]);
  const randomCondition = (rng: Rng, depth: number): Condition => {
    const r = rng();
    if (depth > 0 && r < 0.25)
      return {
        kind: rng() < 0.5 ? "and" : "or",
        conditions: Array.from({ length: Math.floor(rng() * 3) }, () => randomCondition(rng, depth - 1)),
      };
    if (r < 0.5) return { kind: "group", group: pick(rng, ["g1", "g2", "g3", "g-gone"]) };
    if (r < 0.7) return { kind: "purpose", purpose: pick(rng, ["p1", "p2", "p-gone"]) };
    return { kind: "attribute", key: "region", match: rng() < 0.5 ? "anyOf" : "allOf", values: some(rng, ["EU", "US", "APAC"], 2) };
  };
  const randomProfile = (rng: Rng): ExplainProfile & ProfileFacts => ({
    username: "u",
    groups: some(rng, ["HR", "Sales", "Ops", "g1"], 2),
    attributes: { region: some(rng, ["EU", "US", "APAC"], 2) },
    purposes: some(rng, ["Audit", "Research", "p1"], 2),
    sources: [],
  });

  it("traces exceptions exactly as the view evaluates them (random conditions and profiles)", () => {
    const rng = prng(8);
    for (let i = 0; i < 2000; i++) {
      const c = randomCondition(rng, 3);
      const profile = randomProfile(rng);
      const maps = { groupNames: GROUPS, purposeNames: PURPOSES };
      const expected = evaluateExpr(exceptExpr(c, maps, "p", []), {}, profile, "salt") === true;
      expect(traceException(c, profile, maps).satisfied, JSON.stringify({ c, profile })).toBe(expected);
    }
  });

  it("a clear or exempt column shows the stored value, a masked one the applied mask (random policies)", () => {
    const rng = prng(88);
    const MASKS: Mask[] = [{ kind: "null" }, { kind: "hash" }, { kind: "showLast", count: 2 }, { kind: "roundNumber", bucket: 10 }];
    const row: Row = { id: 1234, email: "a@b.c", salary: 98765, region: "EU", seen: new Date("2026-01-02T03:04:05Z") };
    for (let i = 0; i < 300; i++) {
      const policies = Array.from({ length: 1 + Math.floor(rng() * 4) }, () =>
        policy({
          rule: {
            kind: "mask",
            columns:
              rng() < 0.5
                ? { kind: "tagged", tag: pick(rng, ["PII", "PII.Email"]) }
                : { kind: "names", names: some(rng, ["id", "email", "salary"], 2) },
            mask: pick(rng, MASKS),
          },
          ...(rng() < 0.7 ? { except: randomCondition(rng, 2) } : {}),
        }),
      );
      const profile = randomProfile(rng);
      const e = explainDataPolicies({ source: customers, policies, groupNames: GROUPS, purposeNames: PURPOSES, profile });
      const spec = resolveDataPolicies({ sources: [customers], policies, groupNames: GROUPS, purposeNames: PURPOSES }).specs.get(
        customers.id,
      );
      for (const c of e.columns) {
        const viewCol = spec?.columns.find((v) => v.name === c.column);
        const shown = viewCol ? evaluateExpr(viewCol.expr, row, profile, "salt") : row[c.column];
        const raw = row[c.column] ?? null;
        if (c.status === "clear" || c.status === "exempt") expect(shown, JSON.stringify(c)).toEqual(raw);
        else {
          expect(c.status).toBe("masked");
          const type = customers.columns.find((x) => x.name === c.column)!.type;
          expect(shown, JSON.stringify(c)).toEqual(applyMask(c.applied!, raw, type, "salt"));
        }
      }
    }
  });

  it("describes every mask kind", () => {
    const all: Mask[] = [
      { kind: "null" },
      { kind: "constant", value: "x" },
      { kind: "hash" },
      { kind: "regexReplace", pattern: "a", replacement: "b" },
      { kind: "roundNumber", bucket: 5 },
      { kind: "roundDate", unit: "year" },
      { kind: "showLast", count: 3 },
    ];
    expect(all.map(describeMask)).toEqual([
      "replaced by NULL",
      'replaced by the constant "x"',
      "hashed (salted SHA-256)",
      'every match of /a/ replaced by "b"',
      "rounded down to a multiple of 5",
      "truncated to the year",
      "all but the last 3 characters replaced by *",
    ]);
  });
});
