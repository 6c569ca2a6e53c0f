/**
 * Oracle cross-check: random data policies over a table of every column type class, resolved by the
 * engine, compiled into real policy views on the local PostgreSQL, queried by connecting AS several
 * end users — and every row and value compared with the engine's reference evaluator
 * (`evaluateExpr`). The semantics both sides must share are written at the top of
 * sql/policy/dialect.ts; a difference here is a bug on one side.
 *
 * User sessions run in TimeZone Asia/Kolkata (UTC+05:30) so anything that silently depends on the
 * session zone (text forms of timestamptz, truncating timestamptz) shows up.
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
  type ViewColumn,
} from "@steward/policy";
import { pick, prng, type Rng, some } from "@steward/policy/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessDesiredState } from "../../access-types";
import { HOSTILE_NAMES } from "../../sql/hostile-names";
import { qualified, quoteIdent } from "../../sql/quote";
import { postgresAccess } from "../access";
import { scopePrefix } from "../grants/naming";
import { cleanup, query, runId } from "../grants/testing";
import { VIEWS_SCHEMA } from "../policy-dialect";
import { policyViewName } from "./naming";

const run = runId();
const DB = `stw_oracle_it_${run}`;
const CONN = `oracle-${run}`;
const SALT = `oracle-salt-${run}-'"\\`;
const INJECTION = "'; DROP TABLE x; --";
const SESSION_TZ = "Asia/Kolkata";
const SOURCE_ID = "src-oracle";

const col = (name: string, dataType: string, type: DataColumn["type"], tags: string[] = []): DataColumn => ({ name, dataType, type, tags });
const COLUMNS: DataColumn[] = [
  col("id", "integer", "integer"),
  col("t", "text", "text", ["PII.Name"]),
  col("n", "integer", "integer", ["Finance"]),
  col("d", "numeric(10,2)", "decimal", ["Finance.Amount"]),
  col("f", "double precision", "float", ["Metric"]),
  col("dt", "date", "date", ["PII.Date"]),
  col("ts", "timestamp without time zone", "timestamp"),
  col("tz", "timestamp with time zone", "timestamptz", ["PII.Date"]),
  col("b", "boolean", "boolean"),
];
const SOURCE: DataSourceInfo = {
  id: SOURCE_ID,
  connectionId: CONN,
  location: { database: DB, schema: "oracle", object: "t" },
  tags: ["Finance"],
  columns: COLUMNS,
};

// ---------------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------------

const TEXTS = ["alpha", "Beta", "Zoë", "日本語テキスト", "emoji🙂x", INJECTION, "back\\slash", "a", "", "  padded  ", ...HOSTILE_NAMES];
const FLOATS = [0.1, -2.5, 123.456, 1e-7, 1.5e20, 6.02214, 0.0001, 1e15, 123456789012345, -0.75, 42];
const NOW = Date.now();
const DAY = 86_400_000;

function randomRow(rng: Rng, id: number): Row {
  const maybe = <T extends Value>(v: () => T): T | null => (rng() < 0.15 ? null : v());
  return {
    id,
    t: maybe(() => pick(rng, TEXTS)),
    n: maybe(() => Math.floor(rng() * 200_000) - 100_000),
    // numeric(10,2): whole cents.
    d: maybe(() => Math.round((rng() * 2_000_000 - 1_000_000) * 100) / 100),
    f: maybe(() => pick(rng, FLOATS)),
    dt: maybe(() => new Date(Date.UTC(1970 + Math.floor(rng() * 60), Math.floor(rng() * 12), 1 + Math.floor(rng() * 28)))),
    // Whole milliseconds (JS dates cannot hold microseconds); half a day off any whole-day window boundary.
    ts: maybe(() => new Date(Math.floor((NOW - (Math.floor(rng() * 60) + 0.5) * DAY) / 1000) * 1000 + Math.floor(rng() * 4) * 250)),
    tz: maybe(() => new Date(Math.floor((NOW - (Math.floor(rng() * 60) + 0.5) * DAY) / 1000) * 1000 + Math.floor(rng() * 4) * 250)),
    b: maybe(() => rng() < 0.5),
  };
}

/** Values as text parameters, cast by PostgreSQL to the column types. */
function insertParams(r: Row): (string | null)[] {
  return COLUMNS.map(({ name, type }) => {
    const v = r[name] ?? null;
    if (v === null) return null;
    // ISO with Z: timestamptz reads the zone, timestamp ignores it (the UTC wall time).
    if (v instanceof Date) return type === "date" ? v.toISOString().slice(0, 10) : v.toISOString();
    return String(v);
  });
}

// ---------------------------------------------------------------------------------------------------
// Users and policies
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
const account = (s: string) => `or${run}_${s}`;
const ROWS: Row[] = (() => {
  const rng = prng(20261201);
  return Array.from({ length: 120 }, (_, i) => randomRow(rng, i + 1));
})();
const MATCHED = ["t", "n", "d", "dt", "b", "ts"] as const;
/** The text forms of some rows' values: what match rules compare profile values with. */
const valuesOf = (from: number, to: number) =>
  Object.fromEntries(
    MATCHED.map((c) => [
      `m_${c}`,
      ROWS.slice(from, to).flatMap((r) => {
        const t = textForm(r[c] ?? null, COLUMNS.find((x) => x.name === c)!.type);
        return t === null ? [] : [t];
      }),
    ]),
  );
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
    { username: "nobody", groups: ["hr"], attributes: { region: ["alpha"] }, purposes: ["Audit"], sources: [] },
  ] satisfies Omit<ProfileRow, "accountName" | "userId" | "projectId">[] as Omit<ProfileRow, "accountName" | "userId" | "projectId">[]
).map((p, i) => ({ accountName: account(`u${i}`), userId: `u${i}`, projectId: null, ...p }));

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

const MASKS: DataPolicy["rule"] extends infer R ? (R extends { kind: "mask"; mask: infer M } ? M : never)[] : never = [
  { kind: "null" },
  { kind: "constant", value: "0" },
  { kind: "constant", value: "12.5" },
  { kind: "constant", value: "2001-02-03" },
  { kind: "constant", value: "true" },
  { kind: "constant", value: INJECTION },
  { kind: "hash" },
  { kind: "regexReplace", pattern: "[aeiouë]", replacement: "*" },
  { kind: "regexReplace", pattern: "^(.)(.*)$", replacement: "\\1…\\&" },
  { kind: "regexReplace", pattern: "[0-9]", replacement: "#" },
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
              : { kind, column: pick(rng, ["id", "t", "n", "d", "b", "dt", "ts", "tz"]), percent: pick(rng, [10, 50, 73.5, 100]) };
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
// Comparing PostgreSQL's values with the evaluator's
// ---------------------------------------------------------------------------------------------------

/** Dates and timestamps arrive as PostgreSQL prints them, numeric as text: nothing is lost in the driver. */
const RAW = new Set([pg.types.builtins.DATE, pg.types.builtins.TIMESTAMP, pg.types.builtins.TIMESTAMPTZ, pg.types.builtins.NUMERIC]);
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    RAW.has(oid) ? (v: string) => v : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * One canonical form per output type for both sides: numbers as numbers, instants as epoch ms. A view
 * column a mask turned into text shows its clear branch as the value's text form (the contract), while
 * the evaluator returns the clear value itself: it is compared through `textForm` of the base type.
 */
function canonical(v: unknown, type: ViewColumn["type"], baseType: DataColumn["type"] = type): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case "text":
      return typeof v === "string" ? v : textForm(v as Value, baseType);
    case "integer":
    case "decimal":
    case "float":
      return typeof v === "number" ? v : Number(v);
    case "date":
      return v instanceof Date ? v.toISOString().slice(0, 10) : v;
    case "timestamp":
      return v instanceof Date ? v.getTime() : Date.parse(`${String(v).replace(" ", "T")}Z`);
    case "timestamptz":
      return v instanceof Date
        ? v.getTime()
        : Date.parse(
            String(v)
              .replace(" ", "T")
              .replace(/([+-]\d\d)$/, "$1:00"),
          );
    default:
      return v;
  }
}

const COLUMN_TYPES = new Map(COLUMNS.map((c) => [c.name, c.type]));
const baseTypeOf = (name: string) => COLUMN_TYPES.get(name)!;

async function queryAs(user: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ host: "127.0.0.1", port: 5432, user, database: DB, types });
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query(`SET TimeZone = '${SESSION_TZ}'`);
    return (await client.query(sql)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

function expectedRows(spec: PolicyViewSpec, rows: readonly Row[], profile: ProfileRow, now: Date): Map<number, Record<string, unknown>> {
  const out = new Map<number, Record<string, unknown>>();
  if (!profile.sources.includes(spec.sourceId)) return out;
  for (const r of rows) {
    if (spec.rowFilter && evaluateExpr(spec.rowFilter, r, profile, SALT, now, COLUMN_TYPES) !== true) continue;
    out.set(
      r.id as number,
      Object.fromEntries(
        spec.columns.map((c) => [c.name, canonical(evaluateExpr(c.expr, r, profile, SALT, now, COLUMN_TYPES), c.type, baseTypeOf(c.name))]),
      ),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------

const access = postgresAccess(false);
const connection = { config: { host: "127.0.0.1", port: 5432, user: "postgres", databases: [DB] }, credentials: { password: "" } };
const VIEW = qualified(VIEWS_SCHEMA, policyViewName("oracle", "t"));

function desired(spec: PolicyViewSpec, version: number): AccessDesiredState {
  return {
    connectionId: CONN,
    version,
    objects: [{ id: SOURCE_ID, path: [DB, "oracle", "t"], objectType: "TABLE" }],
    accounts: PROFILES.map((p) => p.accountName),
    access: PROFILES.map((p) => ({ objectId: SOURCE_ID, accountName: p.accountName, level: "READ" as const })),
    settings: { unmanagedGrants: "REPORT" },
    dataPolicies: { viewsForEverything: false, views: [spec], profiles: PROFILES, hashSalt: SALT },
  };
}

beforeAll(async () => {
  await query(`CREATE DATABASE ${quoteIdent(DB)}`);
  await query(
    `REVOKE ALL ON DATABASE ${quoteIdent(DB)} FROM PUBLIC; CREATE SCHEMA oracle; CREATE TABLE oracle.t (${COLUMNS.map((c) => `${quoteIdent(c.name)} ${c.dataType}`).join(", ")})`,
    [],
    { database: DB },
  );
  const casts = COLUMNS.map((c, i) => `CAST($${i + 1} AS ${c.dataType})`).join(", ");
  for (const r of ROWS) await query(`INSERT INTO oracle.t VALUES (${casts})`, insertParams(r), { database: DB });
}, 60_000);

afterAll(async () => {
  await cleanup({ databases: [DB], rolePrefixes: [scopePrefix(CONN, DB)], roles: PROFILES.map((p) => p.accountName) });
});

const coverage = { masks: new Set<string>(), rows: new Set<string>(), rowsCompared: 0, maskedValues: 0 };

describe("policy views agree with the engine's reference evaluator", () => {
  const SEEDS = Array.from({ length: 16 }, (_, i) => 11 * (i + 1));
  it.each(SEEDS)(
    "seed %i: every row and value, as every user",
    async (seed) => {
      const rng = prng(seed);
      const policies = randomPolicies(rng);
      const resolved = resolveDataPolicies({ sources: [SOURCE], policies, groupNames: GROUP_NAMES, purposeNames: PURPOSE_NAMES });
      const spec = resolved.specs.get(SOURCE_ID);
      expect(spec).toBeDefined();
      if (!spec) return;
      for (const p of policies) {
        if (p.rule.kind === "mask") coverage.masks.add(p.rule.mask.kind);
        else coverage.rows.add(`${p.rule.rule.kind}${"column" in p.rule.rule ? `:${p.rule.rule.column}` : ""}`);
      }
      const applied = await access.apply(connection, desired(spec, seed));
      expect(applied.kind, JSON.stringify(applied)).toBe("applied");
      for (const profile of PROFILES) {
        const now = new Date();
        const got = await queryAs(profile.accountName, `SELECT * FROM ${VIEW}`);
        const expected = expectedRows(spec, ROWS, profile, now);
        const context = JSON.stringify({ seed, user: profile.username, policies });
        expect(
          got.map((r) => r.id as number).sort((a, b) => a - b),
          context,
        ).toEqual([...expected.keys()].sort((a, b) => a - b));
        coverage.rowsCompared += got.length;
        coverage.maskedValues += got.length * spec.columns.filter((c) => c.maskedBy !== undefined).length;
        for (const r of got) {
          const want = expected.get(r.id as number)!;
          const have = Object.fromEntries(spec.columns.map((c) => [c.name, canonical(r[c.name], c.type)]));
          expect(have, `${context}\nrow ${r.id}: ${JSON.stringify(ROWS[(r.id as number) - 1])}`).toEqual(want);
        }
      }
    },
    60_000,
  );

  it("the seeds covered every mask kind, every row rule kind and many rows", () => {
    expect([...coverage.masks].sort()).toEqual(["constant", "hash", "null", "regexReplace", "roundDate", "roundNumber", "showLast"]);
    const kinds = new Set([...coverage.rows].map((r) => r.split(":")[0]));
    expect([...kinds].sort()).toEqual(["matchAttribute", "matchGroups", "minimize", "timeWindow", "where"]);
    expect([...coverage.rows].filter((r) => /^match\w+:(n|d|dt|b|ts)$/.test(r)).length).toBeGreaterThan(2);
    expect(coverage.rowsCompared).toBeGreaterThan(1000);
    expect(coverage.maskedValues).toBeGreaterThan(5000);
  });

  it("the cross-check can fail: a view built from a different spec disagrees", async () => {
    const policies: DataPolicy[] = [
      {
        id: "h",
        name: "hash t",
        scope: { kind: "all" },
        rule: { kind: "mask", columns: { kind: "names", names: ["t"] }, mask: { kind: "hash" } },
        createdAt: new Date(0),
      },
    ];
    const spec = resolveDataPolicies({ sources: [SOURCE], policies, groupNames: GROUP_NAMES, purposeNames: PURPOSE_NAMES }).specs.get(
      SOURCE_ID,
    )!;
    const other: PolicyViewSpec = {
      ...spec,
      columns: spec.columns.map((c) => (c.name === "t" ? { ...c, expr: { k: "column", name: "t" } } : c)),
    };
    expect((await access.apply(connection, desired(other, 100))).kind).toBe("applied");
    const profile = PROFILES[0]!;
    const got = await queryAs(profile.accountName, `SELECT id, t FROM ${VIEW} WHERE t IS NOT NULL`);
    const expected = expectedRows(spec, ROWS, profile, new Date());
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((r) => expected.get(r.id as number)?.t !== r.t)).toBe(true);
  }, 60_000);
});
