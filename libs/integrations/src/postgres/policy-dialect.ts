/**
 * The PostgreSQL dialect of the data-policy IR (see sql/policy/dialect.ts for the semantics every
 * dialect shares). Identifiers and text go through the audited quoting in sql/quote.ts; numbers are
 * checked finite; native type names are only ever pasted when they match the shape `format_type`
 * prints for built-in types, otherwise no cast is emitted.
 *
 * Profile facts are uncorrelated scalar subqueries inside an expression (`= ANY (CAST((SELECT groups
 * FROM …) AS text[]))`): PostgreSQL plans each one as an InitPlan, evaluated once per query. The
 * CAST matters: `= ANY ((SELECT …))` still parses as the row-wise sub-link form (extra parentheses
 * around a SELECT are just a SELECT), which compares the value with each row's whole array.
 */

import { assertNever } from "@steward/core";
import type { AllowedFunction, ColumnType, Literal } from "@steward/policy";
import type { MaskTarget, PolicyDialect, ProfileEnv, ProfileSet } from "../sql/policy/dialect";
import { PolicyCompileError } from "../sql/policy/dialect";
import { qualified, quoteIdent, quoteLiteral } from "../sql/quote";

export const SYSTEM_SCHEMA = "steward_system";
export const VIEWS_SCHEMA = "steward_views";
export const PROFILE_TABLE = "profile";
export const PROFILE_VIEW = "user_profile";
export const SALT_TABLE = "hash_salt";

/** Built-in type names as `format_type` prints them (`numeric(10,2)`, `timestamp(3) with time zone`, `text[]`). */
const SAFE_TYPE = /^[a-z][a-z0-9_ ]{0,40}(\(\d{1,4}(,\d{1,4})?\))?( with(out)? time zone)?(\[\])?$/;

function castTo(sql: string, target: MaskTarget): string {
  return target.dataType !== null && SAFE_TYPE.test(target.dataType) ? `CAST(${sql} AS ${target.dataType})` : sql;
}

function numberLiteral(value: number, path: string): string {
  if (!Number.isFinite(value)) throw new PolicyCompileError("number must be finite", path);
  const text = String(value);
  return value < 0 ? `(${text})` : text;
}

function literal(value: Literal): string {
  switch (value.k) {
    case "text":
      return quoteLiteral(value.value);
    case "number":
      return numberLiteral(value.value, "literal");
    case "boolean":
      return value.value ? "TRUE" : "FALSE";
    case "null":
      return "NULL";
    case "date":
      if (!/^\d{4}-\d{2}-\d{2}$/.test(value.value) || Number.isNaN(Date.parse(value.value)))
        throw new PolicyCompileError(`not a date: ${JSON.stringify(value.value)}`, "literal");
      return `DATE ${quoteLiteral(value.value)}`;
    default:
      return assertNever(value, "literal");
  }
}

/**
 * The canonical text form (sql/policy/dialect.ts). Dates and timestamps go through `to_char`, so a
 * session's DateStyle cannot change what a hash or sample reads; timestamptz is rendered in UTC.
 * Floats keep `float8::text` (shortest round-trip digits with the default extra_float_digits = 1).
 */
function toText(sql: string, type?: ColumnType): string {
  const timestamp = (ts: string) => `regexp_replace(to_char(${ts}, 'YYYY-MM-DD HH24:MI:SS.US'), '\\.?0+$', '')`;
  switch (type) {
    case "decimal":
      return `CAST(trim_scale(${sql}) AS text)`;
    case "date":
      return `to_char(${sql}, 'YYYY-MM-DD')`;
    case "timestamp":
      return timestamp(sql);
    case "timestamptz":
      return timestamp(`(${sql} AT TIME ZONE 'UTC')`);
    default:
      return `CAST(${sql} AS text)`;
  }
}

/** The profile column holding each set (arrays; attributes are a jsonb object of string arrays). */
function profileSet(valueText: string, set: ProfileSet, env: ProfileEnv): string {
  switch (set.k) {
    case "groups":
    case "purposes":
    case "sources":
      return `(${valueText} = ANY (CAST((SELECT ${quoteIdent(set.k)} FROM ${env.profile}) AS text[])))`;
    case "attributeValues":
      // Unpacked to text[] once (InitPlan); per row only `= ANY` over a small array, no jsonb work.
      return `(${valueText} = ANY (ARRAY(SELECT jsonb_array_elements_text("attributes" -> ${quoteLiteral(set.key)}) FROM ${env.profile})))`;
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
      return `${fn}(${args.join(", ")})`;
    default:
      return assertNever(fn, "function");
  }
}

export const postgresDialect: PolicyDialect = {
  name: "postgres",
  ident: (name) => quoteIdent(name),
  qualified: (parts) => qualified(...parts),
  literal,
  toText,
  once: (sql) => `(SELECT ${sql})`,
  profileUsername: (env) => `(SELECT "username" FROM ${env.profile})`,
  inProfileSet: profileSet,
  // ESCAPE '' turns off PostgreSQL's default backslash escape: the IR's LIKE has no escape character.
  like: (arg, pattern, negated) => `(${arg} ${negated ? "NOT LIKE" : "LIKE"} ${quoteLiteral(pattern)} ESCAPE '')`,
  call,
  masks: {
    null: (target) => castTo("NULL", target),
    constant: (value, target) => {
      if (target.type === "text") return quoteLiteral(value);
      // A timestamptz constant without an offset is UTC (the contract), not the session's zone.
      if (target.type === "timestamptz" && !/(Z|[+-]\d{2}(:\d{2})?)$/.test(value))
        return castTo(`(CAST(${quoteLiteral(value)} AS timestamp) AT TIME ZONE 'UTC')`, target);
      return castTo(quoteLiteral(value), target);
    },
    hash: (arg, target, env) => `encode(sha256(convert_to(${env.salt} || ${toText(arg, target.type)}, 'UTF8')), 'hex')`,
    regexReplace: (arg, pattern, replacement, target) =>
      `regexp_replace(${toText(arg, target.type)}, ${quoteLiteral(pattern)}, ${quoteLiteral(replacement)}, 'g')`,
    roundNumber: (arg, bucket, target) => {
      const b = numberLiteral(bucket, "mask.bucket");
      if (target.type === "integer" && Number.isInteger(bucket)) {
        // Integer floor division (2.5× faster than numeric on a full scan): truncation, one down for negative remainders.
        const x = `CAST(${arg} AS bigint)`;
        return castTo(`((${x} / ${b} - CASE WHEN ${x} % ${b} < 0 THEN 1 ELSE 0 END) * ${b})`, target);
      }
      return castTo(`(floor(CAST(${arg} AS numeric) / ${b}) * ${b})`, target);
    },
    roundDate: (arg, unit, target) => {
      // timestamptz: the UTC month / year, whatever the session's TimeZone (the three-argument form).
      const zone = target.type === "timestamptz" ? `, 'UTC'` : "";
      const truncated = `date_trunc(${quoteLiteral(unit)}, ${arg}${zone})`;
      // date_trunc on a date returns timestamptz; keep the column a date.
      return target.type === "date" ? `CAST(${truncated} AS date)` : truncated;
    },
    showLast: (arg, count, target) => {
      const text = toText(arg, target.type);
      return `(repeat('*', greatest(length(${text}) - ${count}, 0)) || right(${text}, ${count}))`;
    },
  },
  withinDays: (column, days) => `(${column} >= now() - make_interval(days => ${days}))`,
  sample: (columnText, threshold) => `(CAST(CAST('x' || substr(md5(${columnText}), 1, 8) AS bit(32)) AS bigint) < ${threshold})`,
  systemEnv: () => ({
    profile: qualified(SYSTEM_SCHEMA, PROFILE_VIEW),
    salt: `(SELECT "salt" FROM ${qualified(SYSTEM_SCHEMA, SALT_TABLE)})`,
  }),
  createView: ({ view, select, comment }) => [
    `CREATE VIEW ${view} WITH (security_barrier = true) AS\n${select}`,
    `COMMENT ON VIEW ${view} IS ${quoteLiteral(comment)}`,
  ],
  dropView: (view) => `DROP VIEW IF EXISTS ${view}`,
};
