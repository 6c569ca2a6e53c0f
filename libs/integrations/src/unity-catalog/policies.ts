/**
 * Pure: Databricks row filters and column masks compiled from the data-policy view specs, and the
 * statements that take the Steward UDFs of a metastore from what is attached now to what is wanted.
 * Golden-tested, and run by data-policies.ts against a local Statement Execution API emulator; nothing
 * here has met a real warehouse (the OSS Unity Catalog server has no SQL).
 *
 * Design (docs/platforms/unity-catalog.md): one mask UDF per masked column and one row-filter UDF per
 * filtered table, created in `<policy catalog>.steward_system`. The body is the column's (or the row
 * filter's) IR compiled with the Databricks dialect; its parameters are named after the columns it
 * reads, the masked column first (`SET MASK … USING COLUMNS (…)` passes the others). A UDF's name is
 * `<prefix>m_<source/column hash>_<body hash>` (`rf_` for rows), so an unchanged spec yields the name
 * that already exists and nothing is issued; a changed one yields a new UDF, swapped in with one
 * `SET MASK` / `SET ROW FILTER` (which replace what is there, so the column is never unmasked in
 * between), and the old UDF is dropped once nothing references it.
 */

import { createHash } from "node:crypto";
import type { Expr, PolicyViewSpec } from "@steward/policy";
import { isClearColumn, RecordingColumns, sameTypeMasks } from "../sql/policy/column-policies";
import { baseType, type CompileContext, compileExpr } from "../sql/policy/compile";
import { PolicyCompileError, type PolicyDialect } from "../sql/policy/dialect";
import { qualifiedDatabricks, quoteDatabricksIdent, quoteDatabricksLiteral } from "../sql/quote";
import { POLICY_SCHEMA, safeDatabricksType } from "./policy-dialect";

export const MANAGED_COMMENT = "managed by steward";

export type UdfKind = "COLUMN_MASK" | "ROW_FILTER";

/** One UDF Steward wants, attached to one column (mask) or one table (row filter). */
export type DesiredUdf = {
  kind: UdfKind;
  name: string;
  sourceId: string;
  /** catalog, schema, table. */
  table: readonly string[];
  /** Mask: the masked column. Row filter: null. */
  column: string | null;
  /** Parameter columns in signature order (mask: the masked column first). */
  args: readonly string[];
  create: string;
};

/** A Steward UDF attached somewhere now (DESCRIBE TABLE EXTENDED / information_schema). */
export type UdfAttachment = { kind: UdfKind; udf: string; table: readonly string[]; column: string | null };

export type UdfState = {
  /** Steward's UDFs (prefix + managed comment) in the policy schema, by name. */
  udfs: ReadonlyMap<string, UdfKind>;
  attachments: readonly UdfAttachment[];
};

export type UdfSource = { spec: PolicyViewSpec; table: readonly string[] };

const hex = (s: string, len: number) => createHash("sha256").update(s).digest("hex").slice(0, len);

/** UC folds names to lower case, so Steward's names are lower case from the start: what it sends is what it reads back. */
const PREFIX = /^[a-z][a-z0-9_]{0,40}_$/;

/** `stw_<8 hex of the connection id>_`: two connections to one metastore never touch each other's UDFs. */
export const udfPrefix = (connectionId: string) => `stw_${hex(connectionId, 8)}_`;

/** Column names the compiled SQL read, in first-use order (the map is asked for each reference). */

export type CompiledUdfs = { udfs: DesiredUdf[]; warnings: string[] };

/** Every UDF the specs need. A column or table whose type Databricks cannot name is skipped with a warning. */
export function desiredUdfs(
  sources: readonly UdfSource[],
  opts: { dialect: PolicyDialect; prefix: string; policyCatalog: string },
): CompiledUdfs {
  const { dialect, prefix } = opts;
  if (!PREFIX.test(prefix)) throw new PolicyCompileError(`prefix must match ${PREFIX}`, "prefix");
  const out: DesiredUdf[] = [];
  const warnings: string[] = [];
  const comment = `COMMENT ${quoteDatabricksLiteral(MANAGED_COMMENT)}`;
  const qualifiedUdf = (name: string) => qualifiedDatabricks(opts.policyCatalog, POLICY_SCHEMA, name);
  for (const [s, { spec, table }] of sources.entries()) {
    if (table.length !== 3) throw new PolicyCompileError("a table is catalog.schema.table", `sources[${s}].table`);
    const infos = new Map(spec.columns.map((c) => [c.name, { type: baseType(c), dataType: c.dataType || null }] as const));
    const typeOf = (column: string) => safeDatabricksType(infos.get(column)?.dataType);
    const where = `source ${spec.sourceId}`;
    const compile = (expr: Expr, path: string) => {
      const columns = new RecordingColumns(infos);
      const ctx: CompileContext = { dialect, env: dialect.systemEnv(), columns, alias: null, warnings: [] };
      const body = compileExpr(expr, ctx, path);
      for (const w of ctx.warnings) warnings.push(`${where}: ${w}`);
      return { body, used: columns.used };
    };
    const signature = (args: readonly string[]) => {
      const untyped = args.filter((a) => typeOf(a) === null);
      if (untyped.length) {
        warnings.push(`${where}: column ${JSON.stringify(untyped[0])} has no type a Databricks UDF can name; its policy is skipped`);
        return null;
      }
      return args.map((a) => `${quoteDatabricksIdent(a)} ${typeOf(a)}`).join(", ");
    };
    const create = (name: string, sig: string, returns: string, body: string) =>
      `CREATE OR REPLACE FUNCTION ${qualifiedUdf(name)}(${sig})\nRETURNS ${returns}\n${comment}\nRETURN ${body}`;

    for (const [i, c] of spec.columns.entries()) {
      if (isClearColumn(c)) continue;
      const expr = sameTypeMasks(
        c.expr,
        infos.get(c.name)!.type,
        (m) => warnings.push(`${where}, column ${c.name}: ${m}`),
        "Databricks column mask",
      );
      const { body, used } = compile(expr, `columns[${i}].expr`);
      const args = [c.name, ...used.filter((u) => u !== c.name)];
      const sig = signature(args);
      if (sig === null) continue;
      const returns = typeOf(c.name)!;
      const name = `${prefix}m_${hex(`${spec.sourceId}\n${c.name}`, 8)}_${hex(`${sig}\n${returns}\n${body}`, 10)}`;
      out.push({
        kind: "COLUMN_MASK",
        name,
        sourceId: spec.sourceId,
        table,
        column: c.name,
        args,
        create: create(name, sig, returns, body),
      });
    }
    if (spec.rowFilter) {
      // Zero parameters are allowed (`ON ()`): a filter reading only the profile needs no column.
      const { body, used } = compile(spec.rowFilter, "rowFilter");
      const sig = signature(used);
      if (sig === null) continue;
      const name = `${prefix}rf_${hex(spec.sourceId, 8)}_${hex(`${sig}\n${body}`, 10)}`;
      out.push({
        kind: "ROW_FILTER",
        name,
        sourceId: spec.sourceId,
        table,
        column: null,
        args: used,
        create: create(name, sig, "BOOLEAN", body),
      });
    }
  }
  return { udfs: out, warnings };
}

const slotKey = (kind: UdfKind, table: readonly string[], column: string | null) =>
  // UC names are case-insensitive: `Orders` read back as `orders` is the same slot.
  JSON.stringify([kind, table.map((p) => p.toLowerCase()), column?.toLowerCase() ?? null]);

export type UdfPlan = { statements: string[]; created: number; attached: number; detached: number; dropped: number };

/**
 * Creates, then attaches (replacing in place), then detaches, then drops: each UDF exists before it
 * is attached and is detached before it is dropped (a table whose filter or mask UDF is gone fails
 * every query).
 */
export function planUdfs(desired: readonly DesiredUdf[], state: UdfState, policyCatalog: string): UdfPlan {
  const plan: UdfPlan = { statements: [], created: 0, attached: 0, detached: 0, dropped: 0 };
  const creates: string[] = [];
  const attaches: string[] = [];
  const detaches: string[] = [];
  const drops: string[] = [];
  const q = (name: string) => qualifiedDatabricks(policyCatalog, POLICY_SCHEMA, name);
  const current = new Map(state.attachments.map((a) => [slotKey(a.kind, a.table, a.column), a]));
  const wanted = new Set<string>();
  const used = new Set<string>();

  for (const u of desired) {
    used.add(u.name);
    if (!state.udfs.has(u.name) && !creates.includes(u.create)) {
      creates.push(u.create);
      plan.created++;
    }
    const key = slotKey(u.kind, u.table, u.column);
    wanted.add(key);
    if (current.get(key)?.udf === u.name) continue;
    const table = qualifiedDatabricks(...u.table);
    if (u.kind === "COLUMN_MASK") {
      const extra = u.args.slice(1).map(quoteDatabricksIdent).join(", ");
      const using = extra ? ` USING COLUMNS (${extra})` : "";
      attaches.push(`ALTER TABLE ${table} ALTER COLUMN ${quoteDatabricksIdent(u.column!)} SET MASK ${q(u.name)}${using}`);
    } else {
      attaches.push(`ALTER TABLE ${table} SET ROW FILTER ${q(u.name)} ON (${u.args.map(quoteDatabricksIdent).join(", ")})`);
    }
    plan.attached++;
  }
  for (const a of state.attachments) {
    if (wanted.has(slotKey(a.kind, a.table, a.column))) continue;
    const table = qualifiedDatabricks(...a.table);
    detaches.push(
      a.kind === "COLUMN_MASK"
        ? `ALTER TABLE ${table} ALTER COLUMN ${quoteDatabricksIdent(a.column!)} DROP MASK`
        : `ALTER TABLE ${table} DROP ROW FILTER`,
    );
    plan.detached++;
  }
  for (const name of [...state.udfs.keys()].sort()) {
    if (used.has(name)) continue;
    drops.push(`DROP FUNCTION IF EXISTS ${q(name)}`);
    plan.dropped++;
  }
  plan.statements.push(...creates, ...attaches, ...detaches, ...drops);
  return plan;
}
