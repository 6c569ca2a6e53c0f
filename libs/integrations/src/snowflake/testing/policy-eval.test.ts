/**
 * The emulator's policy-body evaluator must agree with the engine's own evaluator (libs/policy) on the
 * SQL the Snowflake dialect compiles, or the preview tests would check the emulator, not Steward.
 */
import { type ColumnType, type Expr, evaluateExpr, type ProfileRow } from "@steward/policy";
import { describe, expect, it } from "vitest";
import { type CompileContext, compileExpr } from "../../sql/policy/compile";
import { snowflakeDialect } from "../policy-dialect";
import { storedProfile } from "../profile";
import { lex } from "./lexer";
import { evaluate, type Value } from "./policy-eval";

const sf = snowflakeDialect("GOV");
const SALT = "s'\\alt";
const TYPES: Record<string, [ColumnType, string]> = {
  email: ["text", "TEXT"],
  region: ["text", "TEXT"],
  salary: ["integer", "NUMBER(10,0)"],
};
const col = (name: string): Expr => ({ k: "column", name });
const text = (value: string): Expr => ({ k: "literal", value: { k: "text", value } });
const num = (value: number): Expr => ({ k: "literal", value: { k: "number", value } });
const profile: ProfileRow = {
  accountName: "U",
  userId: "u",
  username: "ann",
  groups: ["hr", "it"],
  attributes: { "dept:x%": ["sales"] },
  projectId: null,
  purposes: [],
  sources: ["S"],
};

function emulated(expr: Expr, row: Record<string, Value>): Value {
  const ctx: CompileContext = {
    dialect: sf,
    env: sf.systemEnv(),
    columns: new Map(Object.entries(TYPES).map(([n, [type, dataType]]) => [n, { type, dataType }])),
    alias: null,
    warnings: [],
  };
  const stored = storedProfile(profile);
  const facts: Record<string, Value> = { ...stored, salt: SALT };
  return evaluate(lex(compileExpr(expr, ctx)), { args: new Map(Object.entries(row)), scalar: (_parts, column) => facts[column] ?? null });
}

const ROWS: Record<string, Value>[] = [
  { email: "ann@x.eu", region: "EU", salary: 5123 },
  { email: null, region: "US", salary: null },
  { email: "a_b%c!d@y", region: null, salary: 70 },
];
const mask = (m: Extract<Expr, { k: "mask" }>["mask"], arg: string, type: ColumnType): Expr => ({
  k: "mask",
  mask: m,
  arg: col(arg),
  type,
});

const CASES: [string, Expr][] = [
  ["group membership", { k: "inProfileSet", value: text("hr"), set: { k: "groups" } }],
  ["not a member", { k: "inProfileSet", value: col("region"), set: { k: "groups" } }],
  ["attribute value", { k: "inProfileSet", value: text("sales"), set: { k: "attributeValues", key: "dept:x%" } }],
  [
    "three-valued AND / OR / NOT",
    {
      k: "or",
      args: [
        { k: "not", arg: { k: "compare", op: "=", left: col("region"), right: text("EU") } },
        {
          k: "and",
          args: [
            { k: "isNull", arg: col("email") },
            { k: "compare", op: ">", left: col("salary"), right: num(100) },
          ],
        },
      ],
    },
  ],
  ["LIKE with % and _ in the data", { k: "like", arg: col("email"), pattern: "a_b%" }],
  ["IN list", { k: "inList", value: col("region"), list: [text("EU"), text("UK")] }],
  ["BETWEEN", { k: "between", arg: col("salary"), low: num(50), high: num(6000) }],
  ["hash mask", mask({ kind: "hash" }, "email", "text")],
  ["show last 3", mask({ kind: "showLast", count: 3 }, "email", "text")],
  ["regex with a back-reference", mask({ kind: "regexReplace", pattern: "^([a-z]).*@", replacement: "\\1***@" }, "email", "text")],
  ["round a number", mask({ kind: "roundNumber", bucket: 1000 }, "salary", "integer")],
  [
    "CASE on membership",
    {
      k: "case",
      when: { k: "inProfileSet", value: text("it"), set: { k: "groups" } },
      // biome-ignore lint/suspicious/noThenProperty: the IR names a CASE branch "then"
      then: col("email"),
      else: mask({ kind: "null" }, "email", "text"),
    },
  ],
  ["lower / coalesce", { k: "call", fn: "coalesce", args: [{ k: "call", fn: "lower", args: [col("region")] }, text("none")] }],
];

describe("emulator policy evaluation = the engine's evaluation", () => {
  it.each(CASES)("%s", (_name, expr) => {
    const types = new Map(Object.entries(TYPES).map(([n, [t]]) => [n, t]));
    for (const row of ROWS) {
      const reference = evaluateExpr(expr, row as never, profile, SALT, new Date(), types);
      const got = emulated(expr, row);
      expect(got === null ? null : String(got)).toBe(reference === null ? null : String(reference));
    }
  });

  it("refuses what it does not evaluate instead of guessing", () => {
    expect(() => evaluate(lex("DATE_TRUNC('MONTH', 1)"), { args: new Map(), scalar: () => null })).toThrow(/not evaluated/);
    expect(() => evaluate(lex(`"nope" = 1`), { args: new Map(), scalar: () => null })).toThrow(/invalid identifier/);
  });
});
