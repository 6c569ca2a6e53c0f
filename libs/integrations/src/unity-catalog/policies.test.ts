import type { Expr, Mask, PolicyViewSpec } from "@steward/policy";
import { describe, expect, it } from "vitest";
import { HOSTILE_NAMES } from "../sql/hostile-names";
import { PolicyCompileError } from "../sql/policy/dialect";
import { UnsafeIdentifierError } from "../sql/quote";
import { desiredUdfs, planUdfs, type UdfAttachment, type UdfState, udfPrefix } from "./policies";
import { databricksDialect } from "./policy-dialect";
import { lexDatabricks } from "./testing/databricks-lexer";

const PREFIX = "stw_0a1b2c3d_";
const opts = { dialect: databricksDialect("gov"), prefix: PREFIX, policyCatalog: "gov" };
const PROFILE =
  "(SELECT * FROM `gov`.`steward_system`.`profile` AS `steward_profile` WHERE `steward_profile`.`account` = current_user()) AS `steward_profile`";
const SALT = "(SELECT `salt` FROM `gov`.`steward_system`.`hash_salt`)";
const col = (name: string): Expr => ({ k: "column", name });
const inGroup = (g: string): Expr => ({ k: "inProfileSet", value: { k: "literal", value: { k: "text", value: g } }, set: { k: "groups" } });
const has = (el: string, set: string) =>
  `CASE WHEN ${el} IS NULL THEN NULL ELSE array_contains((SELECT \`steward_profile\`.\`${set}\` FROM ${PROFILE}), ${el}) END`;
const q = (n: string) => `\`gov\`.\`steward_system\`.\`${n}\``;
const T = "`main`.`sales`.`customers`";

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
        dataType: "STRING",
        expr: {
          k: "case",
          when: inGroup("hr"),
          // biome-ignore lint/suspicious/noThenProperty: the IR names a CASE branch "then"
          then: col(email),
          else: { k: "mask", mask: { kind: "hash" }, arg: col(email), type: "text" },
        },
      },
      { name: "region", type: "text", dataType: "STRING", expr: col("region") },
      {
        name: "salary",
        type: "integer",
        dataType: "INT",
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
const TABLE = ["main", "sales", "customers"];
const EMPTY: UdfState = { udfs: new Map(), attachments: [] };
const stateOf = (udfs: ReturnType<typeof desiredUdfs>["udfs"]): UdfState => ({
  udfs: new Map(udfs.map((u) => [u.name, u.kind])),
  attachments: udfs.map((u): UdfAttachment => ({ kind: u.kind, udf: u.name, table: TABLE, column: u.column })),
});

describe("Databricks row filters and column masks from a view spec (golden)", () => {
  const { udfs, warnings } = desiredUdfs([{ spec: spec(), table: TABLE }], opts);
  const [email, salary, rows] = udfs;

  it("one mask UDF per masked column, one row-filter UDF per filtered table", () => {
    expect(warnings).toEqual([]);
    expect(udfs.map((u) => [u.kind, u.column, u.args])).toEqual([
      ["COLUMN_MASK", "email", ["email"]],
      ["COLUMN_MASK", "salary", ["salary", "region"]],
      ["ROW_FILTER", null, ["region"]],
    ]);
    expect(email!.name).toMatch(/^stw_0a1b2c3d_m_[0-9a-f]{8}_[0-9a-f]{10}$/);
    expect(rows!.name).toMatch(/^stw_0a1b2c3d_rf_[0-9a-f]{8}_[0-9a-f]{10}$/);
    expect(email!.create).toBe(
      [
        `CREATE OR REPLACE FUNCTION ${q(email!.name)}(\`email\` STRING)`,
        "RETURNS STRING",
        "COMMENT 'managed by steward'",
        `RETURN CASE WHEN ${has("'hr'", "groups")} THEN \`email\` ELSE sha2(concat(${SALT}, CAST(\`email\` AS STRING)), 256) END`,
      ].join("\n"),
    );
    expect(salary!.create).toBe(
      [
        `CREATE OR REPLACE FUNCTION ${q(salary!.name)}(\`salary\` INT, \`region\` STRING)`,
        "RETURNS INT",
        "COMMENT 'managed by steward'",
        "RETURN CASE WHEN (`region` = 'US') THEN `salary` ELSE CAST((floor(`salary` / 1000) * 1000) AS INT) END",
      ].join("\n"),
    );
    expect(rows!.create).toBe(
      `CREATE OR REPLACE FUNCTION ${q(rows!.name)}(\`region\` STRING)\nRETURNS BOOLEAN\nCOMMENT 'managed by steward'\nRETURN (\`region\` = 'EU')`,
    );
  });

  it("first apply: create, then attach (USING COLUMNS for conditional masks, ON for the row filter)", () => {
    const plan = planUdfs(udfs, EMPTY, "gov");
    expect(plan.statements).toEqual([
      email!.create,
      salary!.create,
      rows!.create,
      `ALTER TABLE ${T} ALTER COLUMN \`email\` SET MASK ${q(email!.name)}`,
      `ALTER TABLE ${T} ALTER COLUMN \`salary\` SET MASK ${q(salary!.name)} USING COLUMNS (\`region\`)`,
      `ALTER TABLE ${T} SET ROW FILTER ${q(rows!.name)} ON (\`region\`)`,
    ]);
    expect(plan).toMatchObject({ created: 3, attached: 3, detached: 0, dropped: 0 });
  });

  it("no change: 0 statements (also when UC reads the table name back in another case)", () => {
    expect(planUdfs(desiredUdfs([{ spec: spec(), table: TABLE }], opts).udfs, stateOf(udfs), "gov").statements).toEqual([]);
    const upper = desiredUdfs([{ spec: spec(), table: ["MAIN", "Sales", "customers"] }], opts).udfs;
    expect(planUdfs(upper, stateOf(udfs), "gov")).toEqual({ statements: [], created: 0, attached: 0, detached: 0, dropped: 0 });
  });

  it("a row filter reading only the profile takes no columns", () => {
    const only = desiredUdfs([{ spec: spec("email", inGroup("eu")), table: TABLE }], opts).udfs[2]!;
    expect(only.args).toEqual([]);
    expect(only.create).toBe(
      `CREATE OR REPLACE FUNCTION ${q(only.name)}()\nRETURNS BOOLEAN\nCOMMENT 'managed by steward'\nRETURN ${has("'eu'", "groups")}`,
    );
    expect(planUdfs([only], EMPTY, "gov").statements[1]).toBe(`ALTER TABLE ${T} SET ROW FILTER ${q(only.name)} ON ()`);
  });

  it("a changed spec replaces in place and drops the old UDF; a gone spec is detached and dropped", () => {
    const state = stateOf(udfs);
    const changed = desiredUdfs([{ spec: spec("email", { k: "withinDays", column: "region", days: 7 }), table: TABLE }], opts).udfs;
    const newRows = changed[2]!;
    expect(changed[0]!.name).toBe(email!.name);
    expect(newRows.name).not.toBe(rows!.name);
    expect(planUdfs(changed, state, "gov").statements).toEqual([
      newRows.create,
      `ALTER TABLE ${T} SET ROW FILTER ${q(newRows.name)} ON (\`region\`)`,
      `DROP FUNCTION IF EXISTS ${q(rows!.name)}`,
    ]);
    const noMaskOnEmail = desiredUdfs(
      [{ spec: { ...spec(), columns: spec().columns.map((c) => (c.name === "email" ? { ...c, expr: col("email") } : c)) }, table: TABLE }],
      opts,
    ).udfs;
    expect(planUdfs(noMaskOnEmail, state, "gov").statements).toEqual([
      `ALTER TABLE ${T} ALTER COLUMN \`email\` DROP MASK`,
      `DROP FUNCTION IF EXISTS ${q(email!.name)}`,
    ]);
    expect(planUdfs([], state, "gov")).toEqual({
      statements: [
        `ALTER TABLE ${T} ALTER COLUMN \`email\` DROP MASK`,
        `ALTER TABLE ${T} ALTER COLUMN \`salary\` DROP MASK`,
        `ALTER TABLE ${T} DROP ROW FILTER`,
        ...[...state.udfs.keys()].sort().map((n) => `DROP FUNCTION IF EXISTS ${q(n)}`),
      ],
      created: 0,
      attached: 0,
      detached: 3,
      dropped: 3,
    });
  });

  it.each<[Mask, string, string, string, string]>([
    [{ kind: "null" }, "salary", "integer", "INT", "CAST(NULL AS INT)"],
    [{ kind: "constant", value: "n/a" }, "email", "text", "STRING", "'n/a'"],
    [{ kind: "hash" }, "email", "text", "STRING", `sha2(concat(${SALT}, CAST(\`email\` AS STRING)), 256)`],
    [
      { kind: "regexReplace", pattern: "@.*$", replacement: "@***" },
      "email",
      "text",
      "STRING",
      "regexp_replace(CAST(`email` AS STRING), '@.*$', '@***')",
    ],
    [{ kind: "roundNumber", bucket: 10 }, "salary", "integer", "INT", "CAST((floor(`salary` / 10) * 10) AS INT)"],
    [{ kind: "roundDate", unit: "year" }, "born", "date", "DATE", "trunc(`born`, 'YEAR')"],
    [
      { kind: "showLast", count: 4 },
      "email",
      "text",
      "STRING",
      "(CASE WHEN char_length(CAST(`email` AS STRING)) <= 4 THEN CAST(`email` AS STRING) ELSE concat(repeat('*', char_length(CAST(`email` AS STRING)) - 4), right(CAST(`email` AS STRING), 4)) END)",
    ],
  ])("mask UDF for %j", (mask, name, type, dataType, body) => {
    const s: PolicyViewSpec = {
      ...spec(),
      rowFilter: null,
      columns: [{ name, type: type as "text", dataType, expr: { k: "mask", mask, arg: col(name), type: type as "text" } }],
    };
    const [u] = desiredUdfs([{ spec: s, table: TABLE }], opts).udfs;
    expect(u!.create).toBe(
      `CREATE OR REPLACE FUNCTION ${q(u!.name)}(\`${name}\` ${dataType})\nRETURNS ${dataType}\nCOMMENT 'managed by steward'\nRETURN ${body}`,
    );
  });

  it("a text-form mask on a number becomes NULL of the number (a mask returns its column's type)", () => {
    const s: PolicyViewSpec = {
      ...spec(),
      rowFilter: null,
      columns: [
        { name: "salary", type: "text", dataType: "INT", expr: { k: "mask", mask: { kind: "hash" }, arg: col("salary"), type: "integer" } },
      ],
    };
    const out = desiredUdfs([{ spec: s, table: TABLE }], opts);
    expect(out.udfs[0]!.create).toContain("(`salary` INT)\nRETURNS INT\nCOMMENT 'managed by steward'\nRETURN CAST(NULL AS INT)");
    expect(out.warnings).toHaveLength(1);
  });

  it("skips a column whose type cannot be named, with a warning", () => {
    const s: PolicyViewSpec = { ...spec(), rowFilter: null, columns: [{ ...spec().columns[0]!, dataType: "STRING); DROP" }] };
    const out = desiredUdfs([{ spec: s, table: TABLE }], opts);
    expect(out.udfs).toEqual([]);
    expect(out.warnings[0]).toMatch(/no type a Databricks UDF can name/);
  });

  it("refuses a bad prefix or a table that is not catalog.schema.table", () => {
    expect(() => desiredUdfs([], { ...opts, prefix: "STW`; DROP" })).toThrow(PolicyCompileError);
    expect(() => desiredUdfs([{ spec: spec(), table: ["sales", "customers"] }], opts)).toThrow(PolicyCompileError);
    expect(udfPrefix("connection-1")).toMatch(/^stw_[0-9a-f]{8}_$/);
  });

  it("refuses a column or table name with NUL (UnsafeIdentifierError), building nothing", () => {
    expect(() => desiredUdfs([{ spec: spec("nul\0col"), table: TABLE }], opts)).toThrow(UnsafeIdentifierError);
    const [u] = desiredUdfs([{ spec: spec(), table: TABLE }], opts).udfs;
    expect(() => planUdfs([{ ...u!, table: ["main", "sa\0les", "t"] }], EMPTY, "gov")).toThrow(UnsafeIdentifierError);
  });

  it.each([...HOSTILE_NAMES, "back`tick", "dotted.name", "x`.`y"])("quotes the hostile column and table %j", (name) => {
    const { udfs: us } = desiredUdfs([{ spec: spec(name), table: [name, name, name] }], opts);
    const plan = planUdfs(us, EMPTY, "gov");
    const quoted = `\`${name.replaceAll("`", "``")}\``;
    expect(plan.statements[3]).toBe(`ALTER TABLE ${quoted}.${quoted}.${quoted} ALTER COLUMN ${quoted} SET MASK ${q(us[0]!.name)}`);
    // Databricks' lexical rules read the name back as one delimited identifier, never as SQL.
    for (const s of plan.statements) {
      const words = lexDatabricks(s).filter((t) => t.t === "word" && !t.quoted);
      expect(words.map((t) => t.v)).not.toContain("USERS");
    }
    for (const s of [plan.statements[0]!, plan.statements[3]!])
      expect(lexDatabricks(s)).toContainEqual({ t: "word", v: name, quoted: true });
  });
});
