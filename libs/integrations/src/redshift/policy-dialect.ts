/**
 * The Redshift dialect of the data-policy IR (semantics shared by every dialect: sql/policy/dialect.ts).
 * Where Redshift lacks what the PostgreSQL dialect uses, the equivalent rendered here:
 * - no arrays / jsonb: profile sets are delimited VARCHARs (profile.ts) and membership is
 *   `STRPOS(set, ',element,') > 0`, the element percent-encoded exactly as the profile row was
 *   (constants are encoded here, column values by REPLACE at query time). STRPOS of a NULL set (no
 *   profile row) is NULL, so row filters and exceptions fail closed as on PostgreSQL;
 * - `sha2(x, 256)` instead of sha256()/encode(); `STRTOL(…, 16)` instead of a bit(32) cast;
 *   `DATEADD(day, -N, GETDATE())` instead of make_interval;
 * - LIKE's default escape is a backslash on Redshift and `ESCAPE ''` is not documented there, so
 *   `!` is declared the escape character and every `!` of the pattern doubled;
 * - VARCHAR without a length means VARCHAR(256) on Redshift, so text forms are VARCHAR(65535);
 * - no `security_barrier` (the option does not exist); views are late-binding.
 * Which of these PostgreSQL also runs, and which are compared as text only: docs/platforms/redshift.md.
 */
import { assertNever } from "@steward/core";
import type { AllowedFunction, ColumnType, Literal } from "@steward/policy";
import type { MaskTarget, PolicyDialect, ProfileEnv, ProfileSet } from "../sql/policy/dialect";
import { PolicyCompileError } from "../sql/policy/dialect";
import { SYSTEM_SCHEMA } from "./config";
import { encodeElement, encodeSql } from "./profile";
import { rsIdent, rsLiteral, rsQualified } from "./sql";
import { SALT_TABLE, USER_PROFILE_VIEW } from "./system";

export const LATE_BINDING = "WITH NO SCHEMA BINDING";
const TEXT = "VARCHAR(65535)";

/** Type names as Redshift's format_type prints them (`numeric(10,2)`, `character varying(256)`, `timestamp with time zone`). */
const SAFE_TYPE = /^[a-z][a-z0-9_ ]{0,40}(\(\d{1,5}(,\d{1,4})?\))?( with(out)? time zone)?$/;

const castTo = (sql: string, target: MaskTarget) =>
  target.dataType !== null && SAFE_TYPE.test(target.dataType) ? `CAST(${sql} AS ${target.dataType})` : sql;

function numberLiteral(value: number, path: string): string {
  if (!Number.isFinite(value)) throw new PolicyCompileError("number must be finite", path);
  const text = String(value);
  if (/e/i.test(text)) throw new PolicyCompileError("number is too large or too small for a SQL literal", path);
  return value < 0 ? `(${text})` : text;
}

function literal(value: Literal): string {
  switch (value.k) {
    case "text":
      return rsLiteral(value.value);
    case "number":
      return numberLiteral(value.value, "literal");
    case "boolean":
      return value.value ? "TRUE" : "FALSE";
    case "null":
      return "NULL";
    case "date":
      if (!/^\d{4}-\d{2}-\d{2}$/.test(value.value) || Number.isNaN(Date.parse(value.value)))
        throw new PolicyCompileError(`not a date: ${JSON.stringify(value.value)}`, "literal");
      return `CAST(${rsLiteral(value.value)} AS DATE)`;
    default:
      return assertNever(value, "literal");
  }
}

/**
 * The canonical text form (sql/policy/dialect.ts) where Redshift can render it: dates and timestamps
 * through TO_CHAR (timestamptz converted to UTC first), fraction without trailing zeros; decimals
 * without trailing fractional zeros (no trim_scale on Redshift: RTRIM when there is a point). Floats
 * keep Redshift's own float text, which is not PostgreSQL's shortest form (docs/platforms/redshift.md).
 */
function toText(sql: string, type?: ColumnType): string {
  const timestamp = (ts: string) => `REGEXP_REPLACE(TO_CHAR(${ts}, 'YYYY-MM-DD HH24:MI:SS.US'), ${rsLiteral("\\.?0+$")}, '')`;
  switch (type) {
    case "decimal": {
      const text = `CAST(${sql} AS ${TEXT})`;
      return `(CASE WHEN STRPOS(${text}, '.') > 0 THEN RTRIM(RTRIM(${text}, '0'), '.') ELSE ${text} END)`;
    }
    case "date":
      return `TO_CHAR(${sql}, 'YYYY-MM-DD')`;
    case "timestamp":
      return timestamp(sql);
    case "timestamptz":
      return timestamp(`CONVERT_TIMEZONE('UTC', ${sql})`);
    default:
      return `CAST(${sql} AS ${TEXT})`;
  }
}

/** The value of a literal rsLiteral produced, or null when `sql` is any other expression. */
function literalValue(sql: string): string | null {
  const m = /^'((?:[^'\\]|''|\\\\)*)'$/.exec(sql);
  return m ? m[1]!.replaceAll("''", "'").replaceAll("\\\\", "\\") : null;
}

/** `,<prefix><encoded value>,` — computed here for constants, by REPLACE at query time for anything else. */
function needle(valueText: string, prefix: string): string {
  const constant = literalValue(valueText);
  if (constant !== null) return rsLiteral(`,${prefix}${encodeElement(constant)},`);
  return `${rsLiteral(`,${prefix}`)} || ${encodeSql(valueText)} || ','`;
}

function inProfileSet(valueText: string, set: ProfileSet, env: ProfileEnv): string {
  switch (set.k) {
    case "groups":
    case "purposes":
    case "sources":
      return `(STRPOS((SELECT ${rsIdent(set.k)} FROM ${env.profile}), ${needle(valueText, "")}) > 0)`;
    case "attributeValues":
      return `(STRPOS((SELECT "attributes" FROM ${env.profile}), ${needle(valueText, `${encodeElement(set.key)}:`)}) > 0)`;
    default:
      return assertNever(set, "profile set");
  }
}

function call(fn: AllowedFunction, args: readonly string[]): string {
  switch (fn) {
    case "lower":
    case "upper":
    case "length":
    case "trim":
    case "coalesce":
      return `${fn.toUpperCase()}(${args.join(", ")})`;
    default:
      return assertNever(fn, "function");
  }
}

export const redshiftDialect: PolicyDialect = {
  name: "redshift",
  ident: rsIdent,
  qualified: (parts) => rsQualified(...parts),
  literal,
  toText,
  profileUsername: (env) => `(SELECT "username" FROM ${env.profile})`,
  // Redshift's planner already evaluates uncorrelated scalar subqueries once per query, and a
  // FROM-less `(SELECT …)` around them would add a leader-node step for nothing: left as it is.
  once: (sql) => sql,
  inProfileSet,
  like: (arg, pattern, negated) => `(${arg} ${negated ? "NOT LIKE" : "LIKE"} ${rsLiteral(pattern.replaceAll("!", "!!"))} ESCAPE '!')`,
  call,
  masks: {
    null: (target) => castTo("NULL", target),
    constant: (value, target) => (target.type === "text" ? rsLiteral(value) : castTo(rsLiteral(value), target)),
    hash: (arg, target, env) => `SHA2(${env.salt} || ${toText(arg, target.type)}, 256)`,
    // Redshift's REGEXP_REPLACE replaces every match by default (PostgreSQL needs the 'g' flag).
    regexReplace: (arg, pattern, replacement, target) =>
      `REGEXP_REPLACE(${toText(arg, target.type)}, ${rsLiteral(pattern)}, ${rsLiteral(replacement)})`,
    roundNumber: (arg, bucket, target) => {
      const b = numberLiteral(bucket, "mask.bucket");
      // DECIMAL(38,9): Redshift's widest exact numeric; PostgreSQL's unbounded numeric does not exist.
      return castTo(`(FLOOR(CAST(${arg} AS DECIMAL(38,9)) / ${b}) * ${b})`, target);
    },
    roundDate: (arg, unit, target) => {
      const truncated = `DATE_TRUNC(${rsLiteral(unit)}, ${arg})`;
      return target.type === "date" ? `CAST(${truncated} AS DATE)` : truncated;
    },
    showLast: (arg, count, target) => {
      const text = toText(arg, target.type);
      return `(REPEAT('*', GREATEST(LENGTH(${text}) - ${count}, 0)) || RIGHT(${text}, ${count}))`;
    },
  },
  withinDays: (column, days) => `(${column} >= DATEADD(day, ${-days}, GETDATE()))`,
  sample: (columnText, threshold) => `(STRTOL(SUBSTRING(MD5(${columnText}), 1, 8), 16) < ${threshold})`,
  systemEnv: () => ({
    profile: rsQualified(SYSTEM_SCHEMA, USER_PROFILE_VIEW),
    salt: `(SELECT "salt" FROM ${rsQualified(SYSTEM_SCHEMA, SALT_TABLE)})`,
  }),
  // The comment is not used: Redshift views are fingerprinted in steward_system.managed_view (planner.ts),
  // because the definition hash can only be read after the view exists.
  createView: ({ view, select }) => [`CREATE VIEW ${view} AS\n${select}\n${LATE_BINDING}`],
  dropView: (view) => `DROP VIEW IF EXISTS ${view}`,
};
