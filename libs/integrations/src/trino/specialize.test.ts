import {
  type ColumnType,
  caseOf,
  type Expr,
  evaluateExpr,
  FALSE,
  type ProfileFacts,
  type Row,
  TRUE,
  text,
  type Value,
} from "@steward/policy";
import { pick, prng, type Rng } from "@steward/policy/testing";
import { describe, expect, it } from "vitest";
import { NULL_LITERAL, readsProfile, specialize } from "./specialize";

const col = (name: string): Expr => ({ k: "column", name });
const num = (value: number): Expr => ({ k: "literal", value: { k: "number", value } });
const inGroups = (value: Expr): Expr => ({ k: "inProfileSet", value, set: { k: "groups" } });
const INJECTION = "'; DROP TABLE x; --";

const TYPES = new Map<string, ColumnType>([
  ["t", "text"],
  ["n", "integer"],
  ["d", "decimal"],
  ["dt", "date"],
  ["ts", "timestamptz"],
  ["b", "boolean"],
]);

const ALICE: ProfileFacts = {
  username: "alice",
  groups: ["hr", "Zoë", INJECTION, "42", "2024-01-02"],
  attributes: { region: ["EU", "日本"], empty: [] },
  purposes: ["Research"],
  sources: ["src-1"],
};
const BOB: ProfileFacts = { username: "bob", groups: [], attributes: {}, purposes: [], sources: [] };

describe("specialize: profile facts folded in", () => {
  it("the username becomes a text literal; an unknown user's is NULL", () => {
    expect(specialize({ k: "profile", ref: { k: "username" } }, ALICE)).toEqual(text("alice"));
    expect(specialize({ k: "profile", ref: { k: "username" } }, null)).toEqual(NULL_LITERAL);
  });

  it("membership of a constant folds to TRUE / FALSE; an unknown user's to NULL", () => {
    expect(specialize(inGroups(text("hr")), ALICE)).toEqual(TRUE);
    expect(specialize(inGroups(text("eng")), ALICE)).toEqual(FALSE);
    expect(specialize(inGroups(text("hr")), null)).toEqual(NULL_LITERAL);
    expect(specialize({ k: "inProfileSet", value: text("日本"), set: { k: "attributeValues", key: "region" } }, ALICE)).toEqual(TRUE);
  });

  it("membership of a text column becomes an IN list of the user's values (hostile values kept as data)", () => {
    expect(specialize({ k: "inProfileSet", value: col("t"), set: { k: "attributeValues", key: "region" } }, ALICE, TYPES)).toEqual({
      k: "inList",
      value: col("t"),
      list: [text("EU"), text("日本")],
    });
    expect(specialize(inGroups(col("t")), ALICE, TYPES)).toMatchObject({ k: "inList", list: expect.arrayContaining([text(INJECTION)]) });
  });

  it("an empty set is FALSE for a value and NULL for a NULL, as `x IN <set>`", () => {
    expect(specialize(inGroups(col("t")), BOB, TYPES)).toEqual(caseOf({ k: "isNull", arg: col("t") }, NULL_LITERAL, FALSE));
  });

  it("a non-text column keeps its membership test, set known (compared by text form at compile time)", () => {
    const e = specialize(inGroups(col("n")), ALICE, TYPES);
    expect(e).toEqual(inGroups(col("n")));
    expect(readsProfile(e)).toBe(true);
  });

  it("exceptions disappear: CASE on a folded condition keeps only the branch that applies", () => {
    const masked: Expr = { k: "mask", mask: { kind: "hash" }, arg: col("t"), type: "text" };
    const expr = caseOf({ k: "or", args: [inGroups(text("hr")), inGroups(text("eng"))] }, col("t"), masked);
    expect(specialize(expr, ALICE)).toEqual(col("t"));
    expect(specialize(expr, BOB)).toEqual(masked);
    expect(specialize(expr, null)).toEqual(masked);
  });

  it("AND / OR / NOT fold with three-valued logic and keep what depends on the row", () => {
    const rowDependent: Expr = { k: "compare", op: ">", left: col("n"), right: num(0) };
    expect(specialize({ k: "and", args: [inGroups(text("hr")), rowDependent] }, ALICE)).toEqual(rowDependent);
    expect(specialize({ k: "and", args: [inGroups(text("eng")), rowDependent] }, ALICE)).toEqual(FALSE);
    expect(specialize({ k: "or", args: [inGroups(text("hr")), rowDependent] }, ALICE)).toEqual(TRUE);
    expect(specialize({ k: "or", args: [inGroups(text("eng")), rowDependent] }, ALICE)).toEqual(rowDependent);
    expect(specialize({ k: "or", args: [inGroups(text("eng")), rowDependent] }, null)).toEqual({
      k: "or",
      args: [NULL_LITERAL, rowDependent],
    });
    expect(specialize({ k: "not", arg: inGroups(text("hr")) }, ALICE)).toEqual(FALSE);
    expect(specialize({ k: "not", arg: inGroups(text("hr")) }, null)).toEqual(NULL_LITERAL);
    expect(specialize({ k: "and", args: [inGroups(text("hr")), { k: "not", arg: inGroups(text("x")) }] }, null)).toEqual(NULL_LITERAL);
  });

  it("functions and comparisons of constants fold (lower(@username) = 'alice')", () => {
    const e: Expr = {
      k: "compare",
      op: "=",
      left: { k: "call", fn: "lower", args: [{ k: "profile", ref: { k: "username" } }] },
      right: text("alice"),
    };
    expect(specialize(e, ALICE)).toEqual(TRUE);
    expect(specialize(e, null)).toEqual(NULL_LITERAL);
    const rowDependent: Expr = { ...e, right: col("t") };
    expect(specialize(rowDependent, ALICE)).toEqual({ ...e, left: text("alice"), right: col("t") });
  });

  it("leaves no profile reference but non-text membership", () => {
    const e: Expr = {
      k: "and",
      args: [{ k: "compare", op: "=", left: { k: "profile", ref: { k: "username" } }, right: col("t") }, inGroups(col("t"))],
    };
    expect(readsProfile(e)).toBe(true);
    expect(readsProfile(specialize(e, ALICE, TYPES))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------
// Property: the specialised tree evaluates like the original, on random trees, rows and users
// ---------------------------------------------------------------------------------------------------

const TEXTS = ["hr", "Zoë", "EU", "日本", INJECTION, "", "42", "alice", "2024-01-02"];
const PROFILES: ProfileFacts[] = [ALICE, BOB, { ...ALICE, username: "Zoë", groups: ["Zoë"], purposes: [] }];

function randomRow(rng: Rng): Row {
  const maybe = (v: () => Value): Value => (rng() < 0.2 ? null : v());
  return {
    t: maybe(() => pick(rng, TEXTS)),
    n: maybe(() => pick(rng, [42, -1, 0, 7])),
    d: maybe(() => pick(rng, [12.5, -0.25, 42])),
    dt: maybe(() => new Date(Date.UTC(2024, 0, pick(rng, [1, 2])))),
    ts: maybe(() => new Date(Date.UTC(2024, 0, 2, 10, 0, 0, pick(rng, [0, 500])))),
    b: maybe(() => rng() < 0.5),
  };
}

function randomValue(rng: Rng): Expr {
  const r = rng();
  if (r < 0.35) return col(pick(rng, [...TYPES.keys()]));
  if (r < 0.6) return text(pick(rng, TEXTS));
  if (r < 0.7) return { k: "profile", ref: { k: "username" } };
  if (r < 0.8) return { k: "call", fn: pick(rng, ["lower", "upper", "trim"] as const), args: [randomValue(rng)] };
  if (r < 0.9) return NULL_LITERAL;
  return num(pick(rng, [42, 0, -1]));
}

const SETS = [
  { k: "groups" },
  { k: "purposes" },
  { k: "sources" },
  { k: "attributeValues", key: "region" },
  { k: "attributeValues", key: "none" },
] as const;

function randomCondition(rng: Rng, depth: number): Expr {
  const r = rng();
  if (depth > 0 && r < 0.3)
    return {
      k: rng() < 0.5 ? "and" : "or",
      args: Array.from({ length: Math.floor(rng() * 3) }, () => randomCondition(rng, depth - 1)),
    };
  if (depth > 0 && r < 0.4) return { k: "not", arg: randomCondition(rng, depth - 1) };
  if (depth > 0 && r < 0.45)
    return caseOf(randomCondition(rng, depth - 1), randomCondition(rng, depth - 1), randomCondition(rng, depth - 1));
  if (r < 0.75) return { k: "inProfileSet", value: randomValue(rng), set: pick(rng, SETS) };
  if (r < 0.85) return { k: "compare", op: pick(rng, ["=", "<>", "<"] as const), left: randomValue(rng), right: randomValue(rng) };
  if (r < 0.9) return { k: "isNull", arg: randomValue(rng), negated: rng() < 0.5 };
  if (r < 0.95) return { k: "like", arg: randomValue(rng), pattern: pick(rng, ["%a%", "h_", "%"]) };
  return pick(rng, [TRUE, FALSE, NULL_LITERAL]);
}

function randomMaskColumn(rng: Rng): Expr {
  const name = pick(rng, ["t", "n", "d"]);
  const type = TYPES.get(name)!;
  const masked: Expr = {
    k: "mask",
    mask: pick(rng, [{ kind: "hash" }, { kind: "null" }, { kind: "showLast", count: 2 }] as const),
    arg: col(name),
    type,
  };
  return caseOf(randomCondition(rng, 2), col(name), masked);
}

describe("specialize: the specialised tree evaluates like the original with the profile", () => {
  it.each(Array.from({ length: 12 }, (_, i) => i + 1))("seed %i: 60 trees × rows × users", (seed) => {
    const rng = prng(seed * 7919);
    const now = new Date(Date.UTC(2024, 0, 10));
    let compared = 0;
    let folded = 0;
    for (let i = 0; i < 60; i++) {
      const tree = rng() < 0.6 ? randomCondition(rng, 3) : randomMaskColumn(rng);
      const rows = Array.from({ length: 6 }, () => randomRow(rng));
      for (const profile of PROFILES) {
        const special = specialize(tree, profile, TYPES);
        if (special.k === "literal") folded++;
        expect(readsProfile(special) && JSON.stringify(special).includes('"k":"profile"')).toBe(false);
        for (const row of rows) {
          const want = evaluateExpr(tree, row, profile, "salt", now, TYPES);
          const have = evaluateExpr(special, row, profile, "salt", now, TYPES);
          expect(have, JSON.stringify({ tree, special, row, profile: profile.username })).toEqual(want);
          compared++;
        }
      }
    }
    expect(compared).toBe(60 * 6 * PROFILES.length);
    expect(folded).toBeGreaterThan(10);
  });

  it("the property can fail: a wrong specialisation (ignoring the set) disagrees somewhere", () => {
    const tree = inGroups(col("t"));
    const wrong = specialize(inGroups(col("t")), BOB, TYPES);
    const row: Row = { t: "hr" };
    expect(evaluateExpr(wrong, row, ALICE, "s")).not.toEqual(evaluateExpr(tree, row, ALICE, "s"));
  });
});
