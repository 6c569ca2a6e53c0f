/**
 * Proof in a real Trino 476: random data policies over a table of every column type class, resolved
 * by the engine, turned into Trino row filters and column masks for several users
 * (`trinoRowFilter` / `trinoColumnMask`), run as `SELECT <masks> FROM t WHERE <filter>` — and every
 * row and value compared with the engine's reference evaluator (`evaluateExpr`), as
 * postgres/views/oracle.int.test.ts does for policy views. Trino's own rules are checked on the way:
 * every filter is boolean and every mask has exactly the column's type.
 *
 * The session runs in Asia/Kolkata (UTC+05:30) so anything depending on the session zone shows up.
 * Trino is started by the test (allow-all, memory catalog); without the JDK or the Trino download the
 * test FAILS with the reason (trino/testing/trino-install.ts), it never skips.
 */
import {
  type Condition,
  type DataColumn,
  type DataPolicy,
  type DataSourceInfo,
  evaluateExpr,
  type PolicyViewSpec,
  type ProfileRow,
  type Row,
  resolveDataPolicies,
  textForm,
  type Value,
} from "@steward/policy";
import { pick, prng, type Rng, some } from "@steward/policy/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseType } from "../sql/policy/compile";
import { qualifiedTrino, quoteTrinoIdent, quoteTrinoLiteral } from "../sql/quote";
import { keepColumnTypes } from "./mask-types";
import { trinoDialect } from "./policy-dialect";
import { trinoColumnMask, trinoRowFilter } from "./policy-expressions";
import { type RunningTrino, startTrino } from "./testing/trino-runtime";

const SALT = `trino-salt-'"\\`;
const INJECTION = "'; DROP TABLE x; --";
const SESSION_TZ = "Asia/Kolkata";
const SOURCE_ID = "src-trino-oracle";
const TABLE = qualifiedTrino("memory", "default", "policy_oracle");
/** Trino folds names to lower case; the hostile part is the quotes, the comment and the unicode. */
const HOSTILE = `it's "q"; -- 名前`;

const col = (name: string, dataType: string, type: DataColumn["type"], tags: string[] = []): DataColumn => ({ name, dataType, type, tags });
const COLUMNS: DataColumn[] = [
  col("id", "integer", "integer"),
  col("t", "varchar", "text", ["PII.Name"]),
  col("n", "integer", "integer", ["Finance"]),
  col("d", "decimal(10,2)", "decimal", ["Finance.Amount"]),
  col("f", "double", "float", ["Metric"]),
  col("dt", "date", "date", ["PII.Date"]),
  col("ts", "timestamp(3)", "timestamp"),
  col("tz", "timestamp(3) with time zone", "timestamptz", ["PII.Date"]),
  col("b", "boolean", "boolean"),
  col("u", "uuid", "other", ["PII"]),
  col(HOSTILE, "varchar", "text", ["PII.Name"]),
];
const SOURCE: DataSourceInfo = {
  id: SOURCE_ID,
  connectionId: "trino-oracle",
  location: { database: "memory", schema: "default", object: "policy_oracle" },
  tags: ["Finance"],
  columns: COLUMNS,
};

// ---------------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------------

const TEXTS = [
  "alpha",
  "Beta",
  "Zoë",
  "日本語テキスト",
  "emoji🙂x",
  INJECTION,
  "back\\slash",
  "a",
  "",
  "  padded  ",
  'Robert"; DROP',
  "$1 \\1",
];
const FLOATS = [0.1, -2.5, 123.456, 1e-7, 1.5e20, 6.02214, 0.0001, 1e15, 123456789012345, -0.75, 42, 0, 0.30000000000000004, 12345678.9];
const DECIMALS = [12.5, -0.5, 0, 10, 99999999.99, -12345.67, 0.01];
const NOW = Date.now();
const DAY = 86_400_000;

function randomRow(rng: Rng, id: number): Row {
  const maybe = <T extends Value>(v: () => T): T | null => (rng() < 0.15 ? null : v());
  const instant = () => new Date(Math.floor((NOW - (Math.floor(rng() * 60) + 0.5) * DAY) / 1000) * 1000 + Math.floor(rng() * 4) * 250);
  return {
    id,
    t: maybe(() => pick(rng, TEXTS)),
    n: maybe(() => Math.floor(rng() * 200_000) - 100_000),
    d: maybe(() => (rng() < 0.4 ? pick(rng, DECIMALS) : Math.round((rng() * 2_000_000 - 1_000_000) * 100) / 100)),
    f: maybe(() => pick(rng, FLOATS)),
    dt: maybe(() => new Date(Date.UTC(1970 + Math.floor(rng() * 60), Math.floor(rng() * 12), 1 + Math.floor(rng() * 28)))),
    ts: maybe(instant),
    tz: maybe(instant),
    b: maybe(() => rng() < 0.5),
    u: maybe(() => `0000${id.toString(16).padStart(4, "0")}-0000-4000-8000-00000000000${id % 10}`),
    [HOSTILE]: maybe(() => pick(rng, TEXTS)),
  };
}

/** A row's values as Trino literals (the test's own rendering, independent of the dialect under test). */
function valuesSql(r: Row): string {
  const lit = (c: DataColumn): string => {
    const v = r[c.name] ?? null;
    if (v === null) return "NULL";
    if (v instanceof Date) {
      const iso = v.toISOString();
      const wall = `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
      if (c.type === "date") return `DATE '${iso.slice(0, 10)}'`;
      return c.type === "timestamp" ? `TIMESTAMP '${wall}'` : `TIMESTAMP '${wall} UTC'`;
    }
    if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
    if (typeof v === "number") return `CAST('${String(v)}' AS ${c.dataType})`;
    return c.type === "other" ? `CAST(${quoteTrinoLiteral(v)} AS uuid)` : quoteTrinoLiteral(v);
  };
  return `(${COLUMNS.map(lit).join(", ")})`;
}

// ---------------------------------------------------------------------------------------------------
// Users and policies (as the PostgreSQL oracle: match rules compare profile values with text forms)
// ---------------------------------------------------------------------------------------------------

const GROUP_NAMES = new Map([
  ["g-hr", "hr"],
  ["g-eng", "eng"],
  ["g-fin", "Zoë"],
]);
const PURPOSE_NAMES = new Map([
  ["pr-audit", "Audit"],
  ["pr-res", "Research"],
]);
const ROWS: Row[] = (() => {
  const rng = prng(20261201);
  return Array.from({ length: 120 }, (_, i) => randomRow(rng, i + 1));
})();
const MATCHED = ["t", "n", "d", "f", "dt", "b", "ts", "tz"] as const;
const COLUMN_TYPES = new Map(COLUMNS.map((c) => [c.name, c.type]));
const valuesOf = (from: number, to: number) =>
  Object.fromEntries(
    MATCHED.map((c) => [
      `m_${c}`,
      ROWS.slice(from, to).flatMap((r) => {
        const t = textForm(r[c] ?? null, COLUMN_TYPES.get(c)!);
        return t === null ? [] : [t];
      }),
    ]),
  );
type ProfileFacts = Omit<ProfileRow, "accountName" | "userId" | "projectId">;
const PROFILES: ProfileRow[] = (
  [
    {
      username: "alpha",
      groups: ["eng", "Beta", ...Object.values(valuesOf(0, 10)).flat()],
      attributes: { region: ["Zoë", INJECTION, "alpha"], ...valuesOf(0, 60) },
      purposes: [],
      sources: [SOURCE_ID],
    },
    {
      username: "hana",
      groups: ["hr"],
      attributes: { region: ["日本語テキスト"], ...valuesOf(40, 100) },
      purposes: ["Audit"],
      sources: [SOURCE_ID],
    },
    { username: "Zoë", groups: ["Zoë", "a"], attributes: {}, purposes: ["Research"], sources: [SOURCE_ID] },
    { username: "nobody", groups: [], attributes: {}, purposes: [], sources: [] },
  ] satisfies ProfileFacts[] as ProfileFacts[]
).map((p, i) => ({ accountName: `u${i}`, userId: `u${i}`, projectId: null, ...p }));

function randomCondition(rng: Rng, depth: number): Condition {
  const r = rng();
  if (depth > 0 && r < 0.2)
    return {
      kind: rng() < 0.5 ? "and" : "or",
      conditions: Array.from({ length: 1 + Math.floor(rng() * 2) }, () => randomCondition(rng, depth - 1)),
    };
  if (r < 0.5) return { kind: "group", group: pick(rng, ["g-hr", "g-eng", "g-fin", "g-gone"]) };
  if (r < 0.7) return { kind: "purpose", purpose: pick(rng, ["pr-audit", "pr-res"]) };
  return {
    kind: "attribute",
    key: "region",
    match: rng() < 0.7 ? "anyOf" : "allOf",
    values: some(rng, ["Zoë", "alpha", INJECTION, "日本語テキスト"], 2),
  };
}

type MaskRule = Extract<DataPolicy["rule"], { kind: "mask" }>["mask"];
const MASKS: MaskRule[] = [
  { kind: "null" },
  { kind: "constant", value: "0" },
  { kind: "constant", value: "12.5" },
  { kind: "constant", value: "2001-02-03" },
  { kind: "constant", value: "2001-02-03 04:05:06" },
  { kind: "constant", value: "true" },
  { kind: "constant", value: INJECTION },
  { kind: "hash" },
  { kind: "regexReplace", pattern: "[aeiouë]", replacement: "*" },
  { kind: "regexReplace", pattern: "^(.)(.*)$", replacement: "\\1…\\&$" },
  { kind: "regexReplace", pattern: "[0-9]", replacement: "#\\\\" },
  { kind: "regexReplace", pattern: "'", replacement: "''" },
  { kind: "roundNumber", bucket: 1000 },
  { kind: "roundNumber", bucket: 0.5 },
  { kind: "roundNumber", bucket: 3 },
  { kind: "roundNumber", bucket: 0.01 },
  { kind: "roundDate", unit: "month" },
  { kind: "roundDate", unit: "year" },
  { kind: "showLast", count: 1 },
  { kind: "showLast", count: 4 },
];
const WHENS = [
  "n > 0",
  "t LIKE '%a%'",
  "b = TRUE",
  "dt >= DATE '2000-01-01'",
  "@groupsContains('hr') OR n IS NULL",
  "d BETWEEN -1000 AND 500000",
];
const WHERES = [
  "n > -50000 OR @groupsContains('hr')",
  "t NOT LIKE '%ë%' AND @attributeValuesContains('region', 'alpha')",
  "lower(t) = lower(@username) OR @purposesContain('Research')",
  "coalesce(n, 0) < 50000",
  "t IN ('alpha', 'Zoë', '''; DROP TABLE x; --') OR b IS NULL",
  "dt BETWEEN DATE '1980-01-01' AND DATE '2010-12-31'",
  "length(trim(t)) > 3 OR upper(t) = 'A'",
  "@columnTagged('Finance.Amount') > 0",
];

function randomPolicies(rng: Rng): DataPolicy[] {
  const maskable = COLUMNS.filter((c) => c.name !== "id").map((c) => c.name);
  const policies: DataPolicy[] = [];
  const nMasks = 3 + Math.floor(rng() * 5);
  for (let i = 0; i < nMasks; i++) {
    const when = rng() < 0.25 ? pick(rng, WHENS) : undefined;
    policies.push({
      id: `m${i}`,
      name: `mask ${i}`,
      scope: rng() < 0.5 ? { kind: "all" } : { kind: "sources", sourceIds: [SOURCE_ID] },
      rule: {
        kind: "mask",
        columns:
          rng() < 0.6
            ? { kind: "names", names: some(rng, maskable, 3) }
            : { kind: "tagged", tag: pick(rng, ["PII", "PII.Date", "Finance", "Metric"]) },
        mask: pick(rng, MASKS),
        ...(when === undefined ? {} : { when }),
      },
      ...(rng() < 0.6 ? { except: randomCondition(rng, 2) } : {}),
      createdAt: new Date(Date.UTC(2026, 0, 1 + Math.floor(rng() * 10))),
    });
  }
  const nRows = Math.floor(rng() * 3);
  for (let i = 0; i < nRows; i++) {
    const kind = pick(rng, ["matchAttribute", "matchGroups", "where", "where", "timeWindow", "minimize"] as const);
    const rule =
      kind === "matchAttribute"
        ? rng() < 0.3
          ? { kind, column: "t", attribute: "region" }
          : (({ c }) => ({ kind, column: c, attribute: `m_${c}` }))({ c: pick(rng, MATCHED) })
        : kind === "matchGroups"
          ? { kind, column: pick(rng, MATCHED) }
          : kind === "where"
            ? { kind, sql: pick(rng, WHERES) }
            : kind === "timeWindow"
              ? { kind, column: pick(rng, ["ts", "tz"]), days: 1 + Math.floor(rng() * 40) }
              : { kind, column: pick(rng, ["id", "t", "n", "d", "f", "b", "dt", "ts", "tz"]), percent: pick(rng, [10, 50, 73.5, 100]) };
    policies.push({
      id: `r${i}`,
      name: `rows ${i}`,
      scope: { kind: "sourceTag", tag: "Finance" },
      rule: { kind: "rows", rule },
      ...(rng() < 0.4 ? { except: randomCondition(rng, 1) } : {}),
      createdAt: new Date(Date.UTC(2026, 1, 1)),
    });
  }
  return policies;
}

// ---------------------------------------------------------------------------------------------------
// Trino's REST protocol (POST /v1/statement, follow nextUri) and one canonical form per type
// ---------------------------------------------------------------------------------------------------

let trino: RunningTrino | null = null;

async function query(sql: string): Promise<unknown[][]> {
  if (!trino) throw new Error("Trino is not running (see beforeAll's error)");
  const headers = { "X-Trino-User": "steward-test", "X-Trino-Time-Zone": SESSION_TZ };
  let page = (await (await fetch(`${trino.url}/v1/statement`, { method: "POST", headers, body: sql })).json()) as {
    data?: unknown[][];
    nextUri?: string;
    error?: { message: string; errorName: string };
  };
  const rows: unknown[][] = [];
  for (;;) {
    if (page.data) rows.push(...page.data);
    if (page.error) throw new Error(`Trino ${page.error.errorName}: ${page.error.message}\n${sql}`);
    if (!page.nextUri) return rows;
    page = (await (await fetch(page.nextUri, { headers })).json()) as typeof page;
  }
}

/**
 * Both sides in one form per column type class: numbers as numbers (Trino sends decimals as text),
 * instants as epoch ms (timestamptz is selected as `to_unixtime` × 1000, timestamps as UTC wall time).
 */
function canonical(v: unknown, type: DataColumn["type"]): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case "integer":
    case "decimal":
    case "float":
      return typeof v === "number" ? v : Number(v);
    case "date":
      return v instanceof Date ? v.toISOString().slice(0, 10) : v;
    case "timestamp":
      return v instanceof Date ? v.getTime() : Date.parse(`${String(v).replace(" ", "T")}Z`);
    case "timestamptz":
      return v instanceof Date ? v.getTime() : Math.round(Number(v));
    default:
      return v;
  }
}

/** The SELECT list item for one column's output, comparable after `canonical`. */
const selectItem = (sql: string, c: DataColumn) => (c.type === "timestamptz" ? `round(to_unixtime(${sql}) * 1000)` : sql);

function expected(spec: PolicyViewSpec, profile: ProfileRow, now: Date): Map<number, unknown[]> {
  const out = new Map<number, unknown[]>();
  for (const r of ROWS) {
    if (spec.rowFilter && evaluateExpr(spec.rowFilter, r, profile, SALT, now, COLUMN_TYPES) !== true) continue;
    out.set(
      r.id as number,
      COLUMNS.map((c) => {
        const vc = spec.columns.find((x) => x.name === c.name)!;
        return canonical(evaluateExpr(keepColumnTypes(vc.expr), r, profile, SALT, now, COLUMN_TYPES), baseType(vc));
      }),
    );
  }
  return out;
}

const coverage = { masks: new Set<string>(), rows: new Set<string>(), rowsCompared: 0, maskedValues: 0, filters: 0 };

function specOf(policies: DataPolicy[]): PolicyViewSpec {
  const spec = resolveDataPolicies({ sources: [SOURCE], policies, groupNames: GROUP_NAMES, purposeNames: PURPOSE_NAMES }).specs.get(
    SOURCE_ID,
  );
  if (!spec) throw new Error("the engine resolved no spec");
  return spec;
}

/**
 * Runs the user's filter and masks in Trino and compares every row and value with the evaluator;
 * also checks Trino's rules (boolean filter, masks of exactly the column's type). Returns the rows
 * kept and the number of masked columns.
 */
async function compareAs(spec: PolicyViewSpec, profile: ProfileRow, label: string): Promise<{ kept: number; masked: number }> {
  const context = `${label} as ${profile.username}`;
  const filter = trinoRowFilter(spec, profile, SALT);
  const masks = COLUMNS.map((c) => trinoColumnMask(spec, c.name, profile, SALT, c.dataType));
  const exprs = COLUMNS.map((c, i) => masks[i] ?? quoteTrinoIdent(c.name));
  const [types] = (await query(
    `SELECT ${[...(filter === null ? [] : [`typeof(${filter})`]), ...exprs.map((e) => `typeof(${e})`)].join(", ")} FROM ${TABLE} LIMIT 1`,
  )) as [string[]];
  expect(types, context).toEqual([...(filter === null ? [] : ["boolean"]), ...COLUMNS.map((c) => c.dataType)]);
  if (filter !== null) coverage.filters++;
  const now = new Date();
  const got = await query(
    `SELECT ${exprs.map((e, i) => selectItem(e, COLUMNS[i]!)).join(", ")} FROM ${TABLE}${filter === null ? "" : ` WHERE ${filter}`}`,
  );
  const want = expected(spec, profile, now);
  expect(
    got.map((r) => Number(r[0])).sort((a, b) => a - b),
    `${context}\nfilter: ${filter}`,
  ).toEqual([...want.keys()].sort((a, b) => a - b));
  coverage.rowsCompared += got.length;
  coverage.maskedValues += got.length * masks.filter((m) => m !== null).length;
  for (const r of got) {
    const id = Number(r[0]);
    const have = r.map((v, i) => canonical(v, COLUMNS[i]!.type));
    expect(have, `${context}\nrow ${JSON.stringify(ROWS[id - 1])}\nmasks: ${JSON.stringify(masks)}`).toEqual(want.get(id));
  }
  return { kept: got.length, masked: masks.filter((m) => m !== null).length };
}

beforeAll(async () => {
  trino = await startTrino({ accessControl: { kind: "allow-all" } });
  await query(`CREATE TABLE ${TABLE} (${COLUMNS.map((c) => `${quoteTrinoIdent(c.name)} ${c.dataType}`).join(", ")})`);
  await query(`INSERT INTO ${TABLE} VALUES ${ROWS.map(valuesSql).join(",\n")}`);
  const [[count]] = (await query(`SELECT count(*) FROM ${TABLE}`)) as [[number]];
  expect(count).toBe(ROWS.length);
}, 300_000);

afterAll(async () => {
  await trino?.stop();
});

describe("Trino row filters and column masks agree with the engine's reference evaluator", () => {
  it("the data went in as the evaluator reads it (text forms of every type)", async () => {
    const got = await query(
      `SELECT id, ${COLUMNS.slice(1)
        .map((c) => selectItem(quoteTrinoIdent(c.name), c))
        .join(", ")} FROM ${TABLE} ORDER BY id`,
    );
    expect(got.map((r) => r.map((v, i) => canonical(v, COLUMNS[i]!.type)))).toEqual(
      ROWS.map((r) => COLUMNS.map((c) => canonical(r[c.name] ?? null, c.type))),
    );
  });

  it("text forms of every type class: the dialect's toText equals the evaluator's textForm on every row", async () => {
    const typed = COLUMNS.filter((c) => c.name !== "id");
    const got = await query(
      `SELECT id, ${typed.map((c) => trinoDialect.toText(quoteTrinoIdent(c.name), c.type)).join(", ")} FROM ${TABLE} ORDER BY id`,
    );
    expect(got).toEqual(ROWS.map((r) => [r.id, ...typed.map((c) => textForm(r[c.name] ?? null, c.type))]));
  });

  it.each(MASKS.map((m) => [JSON.stringify(m), m] as const))(
    "mask %s on every column type, with and without an exception",
    async (_name, mask) => {
      const spec = specOf([
        {
          id: "every-column",
          name: "every column",
          scope: { kind: "all" },
          rule: { kind: "mask", columns: { kind: "names", names: COLUMNS.slice(1).map((c) => c.name) }, mask },
          except: { kind: "group", group: "g-fin" },
          createdAt: new Date(0),
        },
      ]);
      // "nobody" is in no group (masked); "Zoë" is in the group Zoë (exempt: every column clear).
      expect((await compareAs(spec, PROFILES[3]!, mask.kind)).masked).toBe(COLUMNS.length - 1);
      expect((await compareAs(spec, PROFILES[2]!, mask.kind)).masked).toBe(0);
    },
  );

  it.each(["matchGroups", "matchAttribute", "minimize"] as const)("%s on every column type", async (kind) => {
    for (const c of COLUMNS) {
      const rule =
        kind === "minimize"
          ? { kind, column: c.name, percent: 50 }
          : kind === "matchGroups"
            ? { kind, column: c.name }
            : { kind, column: c.name, attribute: "every" };
      const spec = specOf([{ id: "r", name: "rows", scope: { kind: "all" }, rule: { kind: "rows", rule }, createdAt: new Date(0) }]);
      // Half the rows' text forms (every other row) in the user's groups and attribute values.
      const half = ROWS.filter((_, i) => i % 2 === 0).flatMap((r) => {
        const t = textForm(r[c.name] ?? null, c.type);
        return t === null ? [] : [t];
      });
      const { kept } = await compareAs(spec, { ...PROFILES[0]!, groups: half, attributes: { every: half } }, `${kind}:${c.name}`);
      expect(kept, `${kind} on ${c.name} keeps some rows and hides others`).toBeGreaterThan(10);
      expect(kept).toBeLessThan(ROWS.length - 10);
    }
  });

  it.each(Array.from({ length: 16 }, (_, i) => 11 * (i + 1)))(
    "seed %i: every row and value, as every user",
    async (seed) => {
      const rng = prng(seed);
      const policies = randomPolicies(rng);
      const spec = specOf(policies);
      for (const p of policies) {
        if (p.rule.kind === "mask") coverage.masks.add(p.rule.mask.kind);
        else coverage.rows.add(`${p.rule.rule.kind}${"column" in p.rule.rule ? `:${p.rule.rule.column}` : ""}`);
      }
      for (const profile of PROFILES) await compareAs(spec, profile, JSON.stringify({ seed, policies }));
    },
    120_000,
  );

  it("the seeds covered every mask kind, every row rule kind and many rows", () => {
    expect([...coverage.masks].sort()).toEqual(["constant", "hash", "null", "regexReplace", "roundDate", "roundNumber", "showLast"]);
    const kinds = new Set([...coverage.rows].map((r) => r.split(":")[0]));
    expect([...kinds].sort()).toEqual(["matchAttribute", "matchGroups", "minimize", "timeWindow", "where"]);
    expect([...coverage.rows].filter((r) => /^match\w+:(n|d|f|dt|b|ts|tz)$/.test(r)).length).toBeGreaterThan(2);
    expect(coverage.filters).toBeGreaterThan(10);
    expect(coverage.rowsCompared).toBeGreaterThan(1000);
    expect(coverage.maskedValues).toBeGreaterThan(3000);
  });

  it("the cross-check can fail: a mask compiled for another user disagrees", async () => {
    const policies: DataPolicy[] = [
      {
        id: "h",
        name: "hash t unless hr",
        scope: { kind: "all" },
        rule: { kind: "mask", columns: { kind: "names", names: ["t"] }, mask: { kind: "hash" } },
        except: { kind: "group", group: "g-hr" },
        createdAt: new Date(0),
      },
    ];
    const spec = resolveDataPolicies({ sources: [SOURCE], policies, groupNames: GROUP_NAMES, purposeNames: PURPOSE_NAMES }).specs.get(
      SOURCE_ID,
    )!;
    const hana = PROFILES[1]!;
    expect(trinoColumnMask(spec, "t", hana, SALT, "varchar")).toBeNull();
    const wrong = trinoColumnMask(spec, "t", PROFILES[0]!, SALT, "varchar")!;
    const got = await query(`SELECT id, ${wrong} FROM ${TABLE} WHERE t IS NOT NULL`);
    const want = expected(spec, hana, new Date());
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((r) => (want.get(Number(r[0])) ?? [])[1] !== r[1])).toBe(true);
  });
});
