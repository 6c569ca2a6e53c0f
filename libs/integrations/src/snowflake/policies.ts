/**
 * Pure: Snowflake masking and row access policies compiled from the data-policy view specs, and the
 * statements that take the account's Steward policies from what is attached now to what is wanted.
 *
 * Design (docs/platforms/snowflake.md): one masking policy per masked column and one row access
 * policy per filtered table, created in `<policy database>.STEWARD_SYSTEM`. The body is the column's
 * (or the row filter's) IR compiled with the Snowflake dialect; its arguments are the masked column
 * followed by every other column the body reads (conditional masking, `USING (…)`). A policy's name
 * is `<prefix>M_<source/column hash>_<body hash>` (`RAP_` for rows), so an unchanged spec yields the
 * name that already exists and nothing is issued; a changed one yields a new policy, swapped in with
 * one statement (`SET MASKING POLICY … FORCE`; `DROP …, ADD ROW ACCESS POLICY …`) so the column is
 * never unmasked in between, and the old policy is dropped once nothing references it.
 */

import { createHash } from "node:crypto";
import type { Expr, PolicyViewSpec } from "@steward/policy";
import { isClearColumn, RecordingColumns, sameTypeMasks } from "../sql/policy/column-policies";
import { baseType, type CompileContext, compileExpr } from "../sql/policy/compile";
import type { PolicyDialect } from "../sql/policy/dialect";
import { qualifiedSnowflake, quoteSnowflakeIdent, quoteSnowflakeLiteral } from "../sql/quote";
import { MANAGED_COMMENT } from "./naming";
import { POLICY_SCHEMA, policyType } from "./policy-dialect";

export type PolicyKind = "MASKING_POLICY" | "ROW_ACCESS_POLICY";

/** One policy Steward wants, attached to one column (masking) or one table (row access). */
export type DesiredPolicy = {
  kind: PolicyKind;
  name: string;
  sourceId: string;
  table: readonly string[];
  /** Masking: the masked column. Row access: null. */
  column: string | null;
  /** Argument columns in signature order (masking: the masked column first). */
  args: readonly string[];
  create: string;
};

/** A Steward policy attached somewhere now (POLICY_REFERENCES). */
export type Attachment = { kind: PolicyKind; policy: string; table: readonly string[]; column: string | null };

export type PolicyState = {
  /** Steward's policies (prefix + managed comment) in the policy schema, by name. */
  policies: ReadonlyMap<string, PolicyKind>;
  attachments: readonly Attachment[];
};

export type PolicySource = { spec: PolicyViewSpec; table: readonly string[] };

const hex = (s: string, len: number) => createHash("sha256").update(s).digest("hex").slice(0, len).toUpperCase();

/** Column names the compiled SQL read, in first-use order (the map is asked for each reference). */

export type CompiledPolicies = { policies: DesiredPolicy[]; warnings: string[] };

/** Every policy the specs need. A column or table Snowflake cannot type is skipped with a warning. */
export function desiredPolicies(
  sources: readonly PolicySource[],
  opts: { dialect: PolicyDialect; prefix: string; policyDatabase: string },
): CompiledPolicies {
  const { dialect, prefix } = opts;
  const out: DesiredPolicy[] = [];
  const warnings: string[] = [];
  const qualifiedPolicy = (name: string) => qualifiedSnowflake(opts.policyDatabase, POLICY_SCHEMA, name);
  for (const { spec, table } of sources) {
    const infos = new Map(spec.columns.map((c) => [c.name, { type: baseType(c), dataType: c.dataType || null }] as const));
    const typeOf = (column: string) => policyType(infos.get(column)?.dataType);
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
        warnings.push(`${where}: column ${JSON.stringify(untyped[0])} has no type Snowflake policies can name; its policy is skipped`);
        return null;
      }
      return args.map((a) => `${quoteSnowflakeIdent(a)} ${typeOf(a)}`).join(", ");
    };
    const comment = `COMMENT = ${quoteSnowflakeLiteral(MANAGED_COMMENT)}`;

    for (const [i, c] of spec.columns.entries()) {
      if (isClearColumn(c)) continue;
      const expr = sameTypeMasks(
        c.expr,
        infos.get(c.name)!.type,
        (m) => warnings.push(`${where}, column ${c.name}: ${m}`),
        "Snowflake masking policy",
      );
      const { body, used } = compile(expr, `columns[${i}].expr`);
      const args = [c.name, ...used.filter((u) => u !== c.name)];
      const sig = signature(args);
      if (sig === null) continue;
      const create = (name: string) =>
        `CREATE OR REPLACE MASKING POLICY ${qualifiedPolicy(name)} AS (${sig}) RETURNS ${typeOf(c.name)} ->\n${body}\n${comment}`;
      const name = `${prefix}M_${hex(`${spec.sourceId}\n${c.name}`, 8)}_${hex(`${sig}\n${body}`, 10)}`;
      out.push({ kind: "MASKING_POLICY", name, sourceId: spec.sourceId, table, column: c.name, args, create: create(name) });
    }
    if (spec.rowFilter) {
      const { body, used } = compile(spec.rowFilter, "rowFilter");
      // A row access policy needs at least one argument, even when the filter reads only the profile.
      const args = used.length ? used : spec.columns.slice(0, 1).map((c) => c.name);
      const sig = signature(args);
      if (sig === null) continue;
      const create = (name: string) =>
        `CREATE OR REPLACE ROW ACCESS POLICY ${qualifiedPolicy(name)} AS (${sig}) RETURNS BOOLEAN ->\n${body}\n${comment}`;
      const name = `${prefix}RAP_${hex(spec.sourceId, 8)}_${hex(`${sig}\n${body}`, 10)}`;
      out.push({ kind: "ROW_ACCESS_POLICY", name, sourceId: spec.sourceId, table, column: null, args, create: create(name) });
    }
  }
  return { policies: out, warnings };
}

const slotKey = (kind: PolicyKind, table: readonly string[], column: string | null) => JSON.stringify([kind, table, column]);

export type PolicyPlan = { statements: string[]; created: number; attached: number; detached: number; dropped: number };

/**
 * Creates, then attaches (swapping in place), then detaches, then drops: each policy exists before it
 * is attached and is detached before it is dropped (Snowflake refuses to drop an attached policy).
 */
export function planPolicies(desired: readonly DesiredPolicy[], state: PolicyState, policyDatabase: string): PolicyPlan {
  const plan: PolicyPlan = { statements: [], created: 0, attached: 0, detached: 0, dropped: 0 };
  const creates: string[] = [];
  const attaches: string[] = [];
  const detaches: string[] = [];
  const drops: string[] = [];
  const q = (name: string) => qualifiedSnowflake(policyDatabase, POLICY_SCHEMA, name);
  const current = new Map(state.attachments.map((a) => [slotKey(a.kind, a.table, a.column), a]));
  const wanted = new Set<string>();
  const used = new Set<string>();

  for (const p of desired) {
    used.add(p.name);
    if (!state.policies.has(p.name) && !creates.includes(p.create)) {
      creates.push(p.create);
      plan.created++;
    }
    const key = slotKey(p.kind, p.table, p.column);
    wanted.add(key);
    const now = current.get(key);
    if (now?.policy === p.name) continue;
    const table = qualifiedSnowflake(...p.table);
    const args = p.args.map(quoteSnowflakeIdent).join(", ");
    if (p.kind === "MASKING_POLICY") {
      const using = p.args.length > 1 ? ` USING (${args})` : "";
      attaches.push(
        `ALTER TABLE ${table} MODIFY COLUMN ${quoteSnowflakeIdent(p.column!)} SET MASKING POLICY ${q(p.name)}${using}${now ? " FORCE" : ""}`,
      );
    } else {
      const drop = now ? `DROP ROW ACCESS POLICY ${q(now.policy)}, ` : "";
      attaches.push(`ALTER TABLE ${table} ${drop}ADD ROW ACCESS POLICY ${q(p.name)} ON (${args})`);
    }
    plan.attached++;
  }
  for (const a of state.attachments) {
    if (wanted.has(slotKey(a.kind, a.table, a.column))) continue;
    const table = qualifiedSnowflake(...a.table);
    detaches.push(
      a.kind === "MASKING_POLICY"
        ? `ALTER TABLE ${table} MODIFY COLUMN ${quoteSnowflakeIdent(a.column!)} UNSET MASKING POLICY`
        : `ALTER TABLE ${table} DROP ROW ACCESS POLICY ${q(a.policy)}`,
    );
    plan.detached++;
  }
  for (const [name, kind] of [...state.policies].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (used.has(name)) continue;
    drops.push(`DROP ${kind === "MASKING_POLICY" ? "MASKING" : "ROW ACCESS"} POLICY IF EXISTS ${q(name)}`);
    plan.dropped++;
  }
  plan.statements.push(...creates, ...attaches, ...detaches, ...drops);
  return plan;
}
