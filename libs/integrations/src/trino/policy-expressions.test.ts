import {
  type DataColumn,
  type DataPolicy,
  type DataSourceInfo,
  type PolicyViewSpec,
  type ProfileRow,
  resolveDataPolicies,
} from "@steward/policy";
import { describe, expect, it } from "vitest";
import { UnsafeIdentifierError } from "../sql/quote";
import { trinoColumnMask, trinoRowFilter } from "./policy-expressions";

const INJECTION = "'; DROP TABLE x; --";
const HOSTILE_COLUMN = 'Robert"; DROP TABLE users; --';
const SALT = "salt'\"\\";
const SOURCE_ID = "src-trino";

const col = (name: string, dataType: string, type: DataColumn["type"], tags: string[] = []): DataColumn => ({ name, dataType, type, tags });
const SOURCE: DataSourceInfo = {
  id: SOURCE_ID,
  connectionId: "trino-1",
  location: { database: "memory", schema: "s", object: "t" },
  tags: [],
  columns: [
    col("email", "varchar(255)", "text", ["PII"]),
    col("salary", "integer", "integer"),
    col("price", "decimal(10,2)", "decimal"),
    col("born", "date", "date"),
    col("at", "timestamp(3) with time zone", "timestamptz"),
    col("region", "varchar", "text"),
    col(HOSTILE_COLUMN, "varchar", "text"),
    col("名前", "varchar", "text"),
  ],
};
const GROUP_NAMES = new Map([
  ["g-hr", "hr"],
  ["g-weird", INJECTION],
]);
const PURPOSE_NAMES = new Map([["p-audit", "Audit"]]);

const profile = (over: Partial<ProfileRow>): ProfileRow => ({
  accountName: "alice",
  userId: "u-alice",
  username: "alice",
  groups: [],
  attributes: {},
  projectId: null,
  purposes: [],
  sources: [SOURCE_ID],
  ...over,
});
const ALICE = profile({ attributes: { region: ["EU", INJECTION, "日本"] } });
const HR = profile({ username: "hana", groups: ["hr"], attributes: { region: [] } });
const WEIRD = profile({ username: "Zoë'", groups: [INJECTION] });

let seq = 0;
function policy(rule: DataPolicy["rule"], except?: DataPolicy["except"]): DataPolicy {
  seq++;
  return {
    id: `p${seq}`,
    name: `policy ${seq}`,
    scope: { kind: "sources", sourceIds: [SOURCE_ID] },
    rule,
    ...(except ? { except } : {}),
    createdAt: new Date(Date.UTC(2026, 0, seq)),
  };
}
const maskOn = (names: string[], mask: Extract<DataPolicy["rule"], { kind: "mask" }>["mask"], when?: string): DataPolicy["rule"] => ({
  kind: "mask",
  columns: { kind: "names", names },
  mask,
  ...(when ? { when } : {}),
});

function specOf(policies: DataPolicy[]): PolicyViewSpec {
  const spec = resolveDataPolicies({ sources: [SOURCE], policies, groupNames: GROUP_NAMES, purposeNames: PURPOSE_NAMES }).specs.get(
    SOURCE_ID,
  );
  if (!spec) throw new Error("no spec resolved");
  return spec;
}

const HR_EXEMPT = { kind: "group", group: "g-hr" } as const;

describe("trinoColumnMask", () => {
  const spec = specOf([
    policy(maskOn(["email"], { kind: "hash" }), HR_EXEMPT),
    policy(maskOn(["salary"], { kind: "roundNumber", bucket: 1000 })),
    policy(maskOn(["price"], { kind: "hash" })),
    policy(maskOn(["born"], { kind: "roundDate", unit: "year" }), { kind: "purpose", purpose: "p-audit" }),
    policy(maskOn(["at"], { kind: "constant", value: "2001-02-03" })),
    policy(maskOn([HOSTILE_COLUMN, "名前"], { kind: "showLast", count: 2 })),
    policy(maskOn(["region"], { kind: "regexReplace", pattern: "[aeiou]", replacement: "*" }, "salary > 100")),
  ]);

  it("an exception that applies leaves the column unmasked (null), else the mask cast to Trino's type", () => {
    expect(trinoColumnMask(spec, "email", HR, SALT, "varchar(255)")).toBeNull();
    expect(trinoColumnMask(spec, "email", ALICE, SALT, "varchar(255)")).toBe(
      `CAST(lower(to_hex(sha256(to_utf8('salt''"\\' || CAST("email" AS varchar))))) AS varchar(255))`,
    );
  });

  it("an unknown user (no profile) gets every mask: no exception applies", () => {
    expect(trinoColumnMask(spec, "email", null, SALT, "varchar(255)")).toContain("sha256");
    expect(trinoColumnMask(spec, "born", null, SALT, "date")).toBe(`CAST(CAST(date_trunc('year', "born") AS date) AS date)`);
  });

  it("purpose exceptions read the user's current project's purposes", () => {
    expect(trinoColumnMask(spec, "born", profile({ purposes: ["Audit"] }), SALT, "date")).toBeNull();
    expect(trinoColumnMask(spec, "born", ALICE, SALT, "date")).toContain("date_trunc('year'");
  });

  it("keeps the column's type: numbers round in their type, constants are of the column's type", () => {
    expect(trinoColumnMask(spec, "salary", ALICE, SALT, "integer")).toMatch(/^CAST\(CAST\(\(CAST\("salary" AS bigint\) - mod/);
    expect(trinoColumnMask(spec, "at", ALICE, SALT, "timestamp(3) with time zone")).toBe(
      `CAST(CAST(TIMESTAMP '2001-02-03 00:00:00 UTC' AS timestamp(3) with time zone) AS timestamp(3) with time zone)`,
    );
  });

  it("a text-form mask on a non-text column shows NULL of the column's type (Trino refuses a text mask there)", () => {
    expect(trinoColumnMask(spec, "price", ALICE, SALT, "decimal(10,2)")).toBe(`CAST(CAST(NULL AS decimal(10,2)) AS decimal(10,2))`);
  });

  it("conditional masks keep their row condition; hostile and unicode column names are quoted", () => {
    expect(trinoColumnMask(spec, "region", ALICE, SALT, "varchar")).toBe(
      `CAST(CASE WHEN ("salary" > 100) THEN regexp_replace(CAST("region" AS varchar), '[aeiou]', '*') ELSE "region" END AS varchar)`,
    );
    expect(trinoColumnMask(spec, HOSTILE_COLUMN, ALICE, SALT, "varchar")).toContain(`"Robert""; DROP TABLE users; --"`);
    expect(trinoColumnMask(spec, "名前", ALICE, SALT, "varchar")).toContain(`"名前"`);
  });

  it("unmasked and unknown columns: null; the cast only pastes Trino type names", () => {
    const plain = specOf([policy(maskOn(["email"], { kind: "null" }))]);
    expect(trinoColumnMask(plain, "salary", ALICE, SALT, "integer")).toBeNull();
    expect(trinoColumnMask(plain, "nope", ALICE, SALT, "integer")).toBeNull();
    expect(trinoColumnMask(plain, "email", ALICE, SALT, "varchar(3)); DROP TABLE t; --")).toBe(`CAST(NULL AS varchar(255))`);
  });

  it("refuses a salt with NUL (a typed error, no SQL)", () => {
    expect(() => trinoColumnMask(spec, "email", ALICE, "a\0b", "varchar(255)")).toThrow(UnsafeIdentifierError);
  });
});

describe("trinoRowFilter", () => {
  it("no row rules: no filter, for anyone", () => {
    expect(trinoRowFilter(specOf([policy(maskOn(["email"], { kind: "null" }))]), ALICE, SALT)).toBeNull();
    expect(trinoRowFilter(specOf([policy(maskOn(["email"], { kind: "null" }))]), null, SALT)).toBeNull();
  });

  it("an unknown user sees no row of a filtered table", () => {
    expect(trinoRowFilter(specOf([policy({ kind: "rows", rule: { kind: "matchGroups", column: "region" } })]), null, SALT)).toBe("FALSE");
  });

  it("matchAttribute: an IN list of the user's values (hostile and unicode values quoted), FALSE-or-NULL when none", () => {
    const spec = specOf([policy({ kind: "rows", rule: { kind: "matchAttribute", column: "region", attribute: "region" } })]);
    expect(trinoRowFilter(spec, ALICE, SALT)).toBe(`("region" IN ('EU', '''; DROP TABLE x; --', '日本'))`);
    expect(trinoRowFilter(spec, HR, SALT)).toBe(`CASE WHEN ("region" IS NULL) THEN NULL ELSE FALSE END`);
  });

  it("matchGroups on a non-text column compares its canonical text form", () => {
    const spec = specOf([policy({ kind: "rows", rule: { kind: "matchGroups", column: "price" } })]);
    expect(trinoRowFilter(spec, WEIRD, SALT)).toBe(
      `(regexp_replace(regexp_replace(CAST("price" AS varchar), '(\\.[0-9]*[1-9])0+$', '$1'), '\\.0+$', '') IN ('''; DROP TABLE x; --'))`,
    );
  });

  it("an exempt user has no filter; others get the rule", () => {
    const spec = specOf([policy({ kind: "rows", rule: { kind: "timeWindow", column: "at", days: 30 } }, HR_EXEMPT)]);
    expect(trinoRowFilter(spec, HR, SALT)).toBeNull();
    expect(trinoRowFilter(spec, ALICE, SALT)).toBe(`("at" >= current_timestamp - INTERVAL '30' DAY)`);
  });

  it("custom WHERE with macros: @username and set macros become constants", () => {
    const spec = specOf([
      policy({ kind: "rows", rule: { kind: "where", sql: "lower(region) = lower(@username) OR @groupsContains('hr')" } }),
      policy({ kind: "rows", rule: { kind: "minimize", column: "salary", percent: 50 } }),
    ]);
    expect(trinoRowFilter(spec, WEIRD, SALT)).toBe(
      `((lower("region") = 'zoë''') AND COALESCE(from_base(substr(to_hex(md5(to_utf8(CAST("salary" AS varchar)))), 1, 8), 16) < 2147483648, FALSE))`,
    );
    expect(trinoRowFilter(spec, HR, SALT)).toBe(
      `COALESCE(from_base(substr(to_hex(md5(to_utf8(CAST("salary" AS varchar)))), 1, 8), 16) < 2147483648, FALSE)`,
    );
  });

  it("a rule the user can never satisfy: FALSE", () => {
    const spec = specOf([policy({ kind: "rows", rule: { kind: "where", sql: "@purposesContain('Audit')" } })]);
    expect(trinoRowFilter(spec, ALICE, SALT)).toBe("FALSE");
    expect(trinoRowFilter(spec, profile({ purposes: ["Audit"] }), SALT)).toBeNull();
  });

  it("refuses a profile value with NUL (a typed error, no SQL)", () => {
    const spec = specOf([policy({ kind: "rows", rule: { kind: "matchGroups", column: "region" } })]);
    expect(() => trinoRowFilter(spec, profile({ groups: ["a\0b"] }), SALT)).toThrow(UnsafeIdentifierError);
  });
});
