import type { Expr, PolicyViewSpec } from "@steward/policy";
import { describe, expect, it } from "vitest";
import { HOSTILE_NAMES } from "../sql/hostile-names";
import { type Attachment, desiredPolicies, type PolicyState, planPolicies } from "./policies";
import { snowflakeDialect } from "./policy-dialect";
import { lex } from "./testing/lexer";

const PREFIX = "STW_0A1B2C3D_";
const opts = { dialect: snowflakeDialect("GOV"), prefix: PREFIX, policyDatabase: "GOV" };
const P = `"GOV"."STEWARD_SYSTEM"."USER_PROFILE"`;
const SALT = `(SELECT "salt" FROM "GOV"."STEWARD_SYSTEM"."HASH_SALT")`;
const col = (name: string): Expr => ({ k: "column", name });
const inGroup = (g: string): Expr => ({ k: "inProfileSet", value: { k: "literal", value: { k: "text", value: g } }, set: { k: "groups" } });
const has = (el: string, set: string) => `IFF(${el} IS NULL, NULL, ARRAY_CONTAINS(TO_VARIANT(${el}), (SELECT "${set}" FROM ${P})))`;

function spec(
  email = "email",
  rowFilter: Expr | null = { k: "compare", op: "=", left: col("region"), right: { k: "literal", value: { k: "text", value: "EU" } } },
): PolicyViewSpec {
  return {
    sourceId: "src-1",
    policyIds: ["p1"],
    conflicts: [],
    columns: [
      {
        name: email,
        type: "text",
        dataType: "TEXT",
        expr: {
          k: "case",
          when: inGroup("hr"),
          // biome-ignore lint/suspicious/noThenProperty: the IR names a CASE branch "then"
          then: col(email),
          else: { k: "mask", mask: { kind: "hash" }, arg: col(email), type: "text" },
        },
      },
      { name: "region", type: "text", dataType: "TEXT", expr: col("region") },
      {
        name: "salary",
        type: "integer",
        dataType: "NUMBER",
        expr: {
          k: "case",
          when: { k: "compare", op: "=", left: col("region"), right: { k: "literal", value: { k: "text", value: "US" } } },
          // biome-ignore lint/suspicious/noThenProperty: the IR names a CASE branch "then"
          then: col("salary"),
          else: { k: "mask", mask: { kind: "roundNumber", bucket: 1000 }, arg: col("salary"), type: "integer" },
        },
      },
    ],
    rowFilter,
  };
}
const TABLE = ["SALES", "PUBLIC", "CUSTOMERS"];
const EMPTY: PolicyState = { policies: new Map(), attachments: [] };

describe("Snowflake policies from a view spec (golden)", () => {
  const { policies, warnings } = desiredPolicies([{ spec: spec(), table: TABLE }], opts);
  const [email, salary, rows] = policies;

  it("one masking policy per masked column, one row access policy per filtered table", () => {
    expect(warnings).toEqual([]);
    expect(policies.map((p) => [p.kind, p.column, p.args])).toEqual([
      ["MASKING_POLICY", "email", ["email"]],
      ["MASKING_POLICY", "salary", ["salary", "region"]],
      ["ROW_ACCESS_POLICY", null, ["region"]],
    ]);
    expect(email!.name).toMatch(/^STW_0A1B2C3D_M_[0-9A-F]{8}_[0-9A-F]{10}$/);
    expect(rows!.name).toMatch(/^STW_0A1B2C3D_RAP_[0-9A-F]{8}_[0-9A-F]{10}$/);
    expect(email!.create).toBe(
      [
        `CREATE OR REPLACE MASKING POLICY "GOV"."STEWARD_SYSTEM"."${email!.name}" AS ("email" TEXT) RETURNS TEXT ->`,
        `CASE WHEN ${has("'hr'", "groups")} THEN "email" ELSE SHA2(${SALT} || TO_VARCHAR("email"), 256) END`,
        `COMMENT = 'managed by steward'`,
      ].join("\n"),
    );
    expect(salary!.create).toContain(
      `AS ("salary" NUMBER, "region" TEXT) RETURNS NUMBER ->\nCASE WHEN ("region" = 'US') THEN "salary" ELSE (FLOOR("salary" / 1000) * 1000) END`,
    );
    expect(rows!.create).toBe(
      `CREATE OR REPLACE ROW ACCESS POLICY "GOV"."STEWARD_SYSTEM"."${rows!.name}" AS ("region" TEXT) RETURNS BOOLEAN ->\n("region" = 'EU')\nCOMMENT = 'managed by steward'`,
    );
  });

  it("first apply: create, then attach (USING for conditional masks, ON for rows)", () => {
    const plan = planPolicies(policies, EMPTY, "GOV");
    const q = (n: string) => `"GOV"."STEWARD_SYSTEM"."${n}"`;
    expect(plan.statements).toEqual([
      email!.create,
      salary!.create,
      rows!.create,
      `ALTER TABLE "SALES"."PUBLIC"."CUSTOMERS" MODIFY COLUMN "email" SET MASKING POLICY ${q(email!.name)}`,
      `ALTER TABLE "SALES"."PUBLIC"."CUSTOMERS" MODIFY COLUMN "salary" SET MASKING POLICY ${q(salary!.name)} USING ("salary", "region")`,
      `ALTER TABLE "SALES"."PUBLIC"."CUSTOMERS" ADD ROW ACCESS POLICY ${q(rows!.name)} ON ("region")`,
    ]);
    expect(plan).toMatchObject({ created: 3, attached: 3, detached: 0, dropped: 0 });
  });

  it("no change: nothing at all", () => {
    const state: PolicyState = {
      policies: new Map(policies.map((p) => [p.name, p.kind])),
      attachments: policies.map((p) => ({ kind: p.kind, policy: p.name, table: TABLE, column: p.column })),
    };
    expect(planPolicies(desiredPolicies([{ spec: spec(), table: TABLE }], opts).policies, state, "GOV").statements).toEqual([]);
  });

  it("a changed spec swaps in place and drops the old policy; a gone spec is detached and dropped", () => {
    const state: PolicyState = {
      policies: new Map(policies.map((p) => [p.name, p.kind])),
      attachments: policies.map((p): Attachment => ({ kind: p.kind, policy: p.name, table: TABLE, column: p.column })),
    };
    const changed = desiredPolicies([{ spec: spec("email", { k: "withinDays", column: "region", days: 7 }), table: TABLE }], opts).policies;
    const newRows = changed[2]!;
    expect(changed[0]!.name).toBe(email!.name);
    expect(newRows.name).not.toBe(rows!.name);
    const q = (n: string) => `"GOV"."STEWARD_SYSTEM"."${n}"`;
    expect(planPolicies(changed, state, "GOV").statements).toEqual([
      newRows.create,
      `ALTER TABLE "SALES"."PUBLIC"."CUSTOMERS" DROP ROW ACCESS POLICY ${q(rows!.name)}, ADD ROW ACCESS POLICY ${q(newRows.name)} ON ("region")`,
      `DROP ROW ACCESS POLICY IF EXISTS ${q(rows!.name)}`,
    ]);
    const noMaskOnEmail = desiredPolicies(
      [{ spec: { ...spec(), columns: spec().columns.map((c) => (c.name === "email" ? { ...c, expr: col("email") } : c)) }, table: TABLE }],
      opts,
    ).policies;
    expect(planPolicies(noMaskOnEmail, state, "GOV").statements).toEqual([
      `ALTER TABLE "SALES"."PUBLIC"."CUSTOMERS" MODIFY COLUMN "email" UNSET MASKING POLICY`,
      `DROP MASKING POLICY IF EXISTS ${q(email!.name)}`,
    ]);
    expect(planPolicies([], state, "GOV").statements).toEqual([
      `ALTER TABLE "SALES"."PUBLIC"."CUSTOMERS" MODIFY COLUMN "email" UNSET MASKING POLICY`,
      `ALTER TABLE "SALES"."PUBLIC"."CUSTOMERS" MODIFY COLUMN "salary" UNSET MASKING POLICY`,
      `ALTER TABLE "SALES"."PUBLIC"."CUSTOMERS" DROP ROW ACCESS POLICY ${q(rows!.name)}`,
      ...[...state.policies]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([n, k]) => `DROP ${k === "MASKING_POLICY" ? "MASKING" : "ROW ACCESS"} POLICY IF EXISTS ${q(n)}`),
    ]);
  });

  it("a text-form mask on a number becomes NULL of the number (a policy returns its column's type)", () => {
    const s: PolicyViewSpec = {
      ...spec(),
      rowFilter: null,
      columns: [
        {
          name: "salary",
          type: "text",
          dataType: "NUMBER",
          expr: { k: "mask", mask: { kind: "hash" }, arg: col("salary"), type: "integer" },
        },
      ],
    };
    const out = desiredPolicies([{ spec: s, table: TABLE }], opts);
    expect(out.policies[0]!.create).toContain(`AS ("salary" NUMBER) RETURNS NUMBER ->\nNULL\n`);
    expect(out.warnings).toHaveLength(1);
  });

  it("names the column's exact NUMBER(p,s) in the signature and RETURNS, casts a rounded decimal back to it; text drops its length", () => {
    const s: PolicyViewSpec = {
      ...spec(),
      rowFilter: null,
      columns: [
        {
          name: "price",
          type: "decimal",
          dataType: "NUMBER(10,2)",
          expr: { k: "mask", mask: { kind: "roundNumber", bucket: 5 }, arg: col("price"), type: "decimal" },
        },
        {
          name: "code",
          type: "text",
          dataType: "TEXT(8)",
          expr: { k: "mask", mask: { kind: "hash" }, arg: col("code"), type: "text" },
        },
      ],
    };
    const [price, code] = desiredPolicies([{ spec: s, table: TABLE }], opts).policies;
    expect(price!.create).toContain(`AS ("price" NUMBER(10,2)) RETURNS NUMBER(10,2) ->\nCAST((FLOOR("price" / 5) * 5) AS NUMBER(10,2))\n`);
    // A 64-character hash stays returnable on an 8-character column: string masks are not bound to the length.
    expect(code!.create).toContain(`AS ("code" TEXT) RETURNS TEXT ->\nSHA2(`);
    // Another precision is another signature, so another policy (swapped in by name).
    const wider = desiredPolicies([{ spec: { ...s, columns: [{ ...s.columns[0]!, dataType: "NUMBER(12,4)" }] }, table: TABLE }], opts);
    expect(wider.policies[0]!.name).not.toBe(price!.name);
  });

  it("skips a column whose type cannot be named, with a warning", () => {
    const s: PolicyViewSpec = { ...spec(), rowFilter: null, columns: [{ ...spec().columns[0]!, dataType: "TEXT); DROP" }] };
    const out = desiredPolicies([{ spec: s, table: TABLE }], opts);
    expect(out.policies).toEqual([]);
    expect(out.warnings[0]).toMatch(/no type Snowflake policies can name/);
  });

  it.each(HOSTILE_NAMES)("quotes the hostile column and table %j", (name) => {
    const { policies: ps } = desiredPolicies([{ spec: spec(name), table: [name, name, name] }], opts);
    const plan = planPolicies(ps, EMPTY, "GOV");
    const quoted = `"${name.replaceAll('"', '""')}"`;
    expect(plan.statements[3]).toBe(
      `ALTER TABLE ${quoted}.${quoted}.${quoted} MODIFY COLUMN ${quoted} SET MASKING POLICY "GOV"."STEWARD_SYSTEM"."${ps[0]!.name}"`,
    );
    // Snowflake's own lexical rules (the emulator's lexer) read the name back as one quoted identifier, never as SQL.
    for (const s of plan.statements) {
      const tokens = lex(s);
      expect(tokens.filter((t) => t.t === "word" && !t.quoted).map((t) => t.v)).not.toContain("USERS");
    }
    for (const s of [plan.statements[0]!, plan.statements[3]!]) expect(lex(s)).toContainEqual({ t: "word", v: name, quoted: true });
  });
});
