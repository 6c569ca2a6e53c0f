/**
 * The Databricks SQL dialect of the data-policy IR (semantics every dialect shares:
 * sql/policy/dialect.ts). Databricks enforces with row filters and column masks, which are SQL UDFs
 * (policies.ts) whose bodies are compiled with this dialect; there are no policy views, so
 * `createView` / `dropView` refuse.
 *
 * Profile facts come from Steward's profile table in `<policy catalog>.steward_system`: the row whose
 * `account` is current_user(), which inside a row filter or mask is the querying user (an email, or
 * a service principal's application id). Every reference to a profile column is qualified with the
 * profile alias, so a table column (= a UDF parameter) of the same name is never captured.
 * Where Databricks differs from PostgreSQL:
 * - profile sets are ARRAY<STRING> columns and membership is array_contains; a NULL array (no profile
 *   row) gives NULL, and a NULL value is made NULL explicitly. Attribute values are one array of
 *   `<key>:<value>` with `%` and `:` of the key percent-encoded, so the first `:` always separates;
 * - every string constant goes through quoteDatabricksLiteral (backslash escapes are live in '…'), so
 *   regex patterns are written as authored and escaped by the quoting, never by hand;
 * - regexp_replace is Java regex and replaces every match; back-references in the replacement are
 *   `$1`, not `\1` (authored in the platform's syntax, docs/platforms/unity-catalog.md);
 * - LIKE's default escape is `\`, so it is given `!` as its escape with every `!` doubled: no
 *   character of the pattern escapes anything (the IR's LIKE has no escape);
 * - sha2(…, 256) and md5 return lower-case hex; conv reads the md5 prefix as base 16;
 * - TIMESTAMP is an instant rendered in the session time zone: text forms and month/year truncation
 *   shift it to UTC first (to_utc_timestamp / from_utc_timestamp with current_timezone()), so the
 *   result does not depend on the session; TIMESTAMP_NTZ (`timestamp`) has no zone;
 * - floats keep Databricks' own CAST text, which is not PostgreSQL's shortest form.
 */

import { assertNever } from "@steward/core";
import type { AllowedFunction, ColumnType, Literal } from "@steward/policy";
import { safeTypeName } from "../sql/policy/column-policies";
import type { MaskTarget, PolicyDialect, ProfileEnv, ProfileSet } from "../sql/policy/dialect";
import { PolicyCompileError } from "../sql/policy/dialect";
import { qualifiedDatabricks, quoteDatabricksIdent, quoteDatabricksLiteral } from "../sql/quote";

export const POLICY_SCHEMA = "steward_system";
export const PROFILE_TABLE = "profile";
export const SALT_TABLE = "hash_salt";
/** The alias of the profile row inside a UDF body; no spec column can reach it (always quoted and qualified). */
export const PROFILE_ALIAS = "steward_profile";

/**
 * Type names as UC reports them (`STRING`, `INT`, `DECIMAL(10,2)`, `TIMESTAMP_NTZ`), optionally with
 * precision. Only these are ever pasted into SQL (casts, UDF signatures); complex types are refused.
 */
export const safeDatabricksType = safeTypeName;

/** Casts back to the native type (a mask UDF returns its column's type), when that type is known. */
function castTo(sql: string, target: MaskTarget): string {
  const t = safeDatabricksType(target.dataType);
  return t === null ? sql : `CAST(${sql} AS ${t})`;
}

function numberLiteral(value: number, path: string): string {
  if (!Number.isFinite(value)) throw new PolicyCompileError("number must be finite", path);
  const text = String(value);
  if (/e/i.test(text)) throw new PolicyCompileError("number is too large or too small for a SQL literal", path);
  return value < 0 ? `(${text})` : text;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const lit = quoteDatabricksLiteral;

function literal(value: Literal): string {
  switch (value.k) {
    case "text":
      return lit(value.value);
    case "number":
      return numberLiteral(value.value, "literal");
    case "boolean":
      return value.value ? "TRUE" : "FALSE";
    case "null":
      return "NULL";
    case "date":
      if (!DATE.test(value.value) || Number.isNaN(Date.parse(value.value)))
        throw new PolicyCompileError(`not a date: ${JSON.stringify(value.value)}`, "literal");
      return `DATE ${lit(value.value)}`;
    default:
      return assertNever(value, "literal");
  }
}

/** An instant's UTC wall-clock time, whatever the session's zone. */
const toUtc = (ts: string) => `to_utc_timestamp(${ts}, current_timezone())`;

/** Drops trailing fractional zeros (and a bare point) of a plain decimal rendering. */
const trimFraction = (text: string) =>
  `regexp_replace(regexp_replace(${text}, ${lit("([.][0-9]*[1-9])0+$")}, ${lit("$1")}), ${lit("[.]0+$")}, '')`;

/** `YYYY-MM-DD HH:MM:SS[.ffffff]`, explicit pattern (never the session's defaults). */
const timestampText = (ts: string) => `regexp_replace(date_format(${ts}, 'yyyy-MM-dd HH:mm:ss.SSSSSS'), ${lit("[.]?0+$")}, '')`;

/** The canonical text form, independent of the session's time zone. */
function toText(sql: string, type?: ColumnType): string {
  switch (type) {
    case "decimal":
      return trimFraction(`CAST(${sql} AS STRING)`);
    case "date":
      return `date_format(${sql}, 'yyyy-MM-dd')`;
    case "timestamp":
      return timestampText(sql);
    case "timestamptz":
      return timestampText(toUtc(sql));
    case "boolean":
    case "integer":
    case "float":
    case "text":
    case "other":
    case undefined:
      return `CAST(${sql} AS STRING)`;
    default:
      return assertNever(type, "column type");
  }
}

/** `%` and `:` of an attribute key percent-encoded: the first `:` of an element is the separator. */
export const encodeAttributeKey = (key: string) => key.replaceAll("%", "%25").replaceAll(":", "%3A");
export const attributeElement = (key: string, value: string) => `${encodeAttributeKey(key)}:${value}`;

const profileColumn = (column: string, env: ProfileEnv) =>
  `(SELECT ${quoteDatabricksIdent(PROFILE_ALIAS)}.${quoteDatabricksIdent(column)} FROM ${env.profile})`;

function inProfileSet(valueText: string, set: ProfileSet, env: ProfileEnv): string {
  const contains = (element: string, column: string) =>
    `CASE WHEN ${element} IS NULL THEN NULL ELSE array_contains(${profileColumn(column, env)}, ${element}) END`;
  switch (set.k) {
    case "groups":
    case "purposes":
    case "sources":
      return contains(valueText, set.k);
    case "attributeValues":
      return contains(`concat(${lit(`${encodeAttributeKey(set.key)}:`)}, ${valueText})`, "attributes");
    default:
      return assertNever(set, "profile set");
  }
}

function call(fn: AllowedFunction, args: readonly string[]): string {
  switch (fn) {
    case "lower":
    case "upper":
    case "coalesce":
      return `${fn}(${args.join(", ")})`;
    case "length":
      // char_length counts characters (not bytes), as the reference evaluator does.
      return `char_length(${args.join(", ")})`;
    case "trim":
      return `trim(BOTH ' ' FROM ${args.join(", ")})`;
    default:
      return assertNever(fn, "function");
  }
}

const CONSTANT_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2})(:\d{2}(?:\.\d{1,6})?)?)?(Z|[+-]\d{2}(?::\d{2})?)?$/;

/** A constant mask as a value of the column's type (the compiler checked `constantFits`). */
function constantSql(value: string, target: MaskTarget): string {
  switch (target.type) {
    case "text":
    case "other":
      return lit(value);
    case "integer":
    case "decimal":
    case "float":
      return castTo(value.startsWith("-") ? `(${value})` : value, target);
    case "boolean":
      return value === "true" ? "TRUE" : "FALSE";
    case "date":
      return literal({ k: "date", value });
    case "timestamp":
    case "timestamptz": {
      const m = CONSTANT_TIMESTAMP.exec(value);
      if (m === null) throw new PolicyCompileError(`not a timestamp: ${JSON.stringify(value)}`, "mask.value");
      const [, day, hm = "00:00", sec = ":00", zone = "Z"] = m;
      // Without an offset a timestamptz constant is UTC (never the session's zone); a timestamp ignores it.
      if (target.type === "timestamp") return `TIMESTAMP_NTZ ${lit(`${day} ${hm}${sec}`)}`;
      const offset = zone === "Z" ? "+00:00" : zone.length === 3 ? `${zone}:00` : zone;
      return `TIMESTAMP ${lit(`${day} ${hm}${sec}${offset}`)}`;
    }
    default:
      return assertNever(target.type, "column type");
  }
}

function roundDate(arg: string, unit: "month" | "year", target: MaskTarget): string {
  const u = lit(unit.toUpperCase());
  switch (target.type) {
    case "date":
      return `trunc(${arg}, ${u})`;
    case "timestamptz":
      // Truncated on the UTC wall clock, then turned back into the instant it names.
      return `from_utc_timestamp(date_trunc(${u}, ${toUtc(arg)}), current_timezone())`;
    default:
      return castTo(`date_trunc(${u}, ${arg})`, target);
  }
}

function refuse(what: string): never {
  throw new PolicyCompileError(
    `${what} does not exist in the Databricks dialect: Databricks enforces with row filters and column masks`,
    "databricks",
  );
}

/** The dialect reading the profile and salt from `<policy catalog>.steward_system`. */
export function databricksDialect(policyCatalog: string): PolicyDialect {
  // Throws here, once, for a catalog name that cannot be sent.
  const table = qualifiedDatabricks(policyCatalog, POLICY_SCHEMA, PROFILE_TABLE);
  const alias = quoteDatabricksIdent(PROFILE_ALIAS);
  const profile = `(SELECT * FROM ${table} AS ${alias} WHERE ${alias}.${quoteDatabricksIdent("account")} = current_user()) AS ${alias}`;
  const salt = `(SELECT ${quoteDatabricksIdent("salt")} FROM ${qualifiedDatabricks(policyCatalog, POLICY_SCHEMA, SALT_TABLE)})`;
  return {
    name: "databricks",
    ident: quoteDatabricksIdent,
    qualified: (parts) => qualifiedDatabricks(...parts),
    literal,
    toText,
    profileUsername: (env) => profileColumn("username", env),
    // Uncorrelated scalar subqueries are evaluated once per query already; no wrapper needed.
    once: (sql) => sql,
    inProfileSet,
    like: (arg, pattern, negated) => `(${arg} ${negated ? "NOT LIKE" : "LIKE"} ${lit(pattern.replaceAll("!", "!!"))} ESCAPE '!')`,
    call,
    masks: {
      null: (target) => castTo("NULL", target),
      constant: constantSql,
      hash: (arg, target, env) => `sha2(concat(${env.salt}, ${toText(arg, target.type)}), 256)`,
      regexReplace: (arg, pattern, replacement, target) =>
        `regexp_replace(${toText(arg, target.type)}, ${lit(pattern)}, ${lit(replacement)})`,
      roundNumber: (arg, bucket, target) => {
        const b = numberLiteral(bucket, "mask.bucket");
        return castTo(`(floor(${arg} / ${b}) * ${b})`, target);
      },
      roundDate,
      showLast: (arg, count, target) => {
        const text = toText(arg, target.type);
        return `(CASE WHEN char_length(${text}) <= ${count} THEN ${text} ELSE concat(repeat('*', char_length(${text}) - ${count}), right(${text}, ${count})) END)`;
      },
    },
    withinDays: (column, days) => `(${column} >= current_timestamp() - INTERVAL ${numberLiteral(days, "withinDays.days")} DAYS)`,
    // coalesce: a NULL key is not in the sample (FALSE, as the evaluator says), not unknown.
    sample: (columnText, threshold) =>
      `coalesce(CAST(conv(substr(md5(${columnText}), 1, 8), 16, 10) AS BIGINT) < ${numberLiteral(threshold, "sample.threshold")}, FALSE)`,
    systemEnv: () => ({ profile, salt }),
    createView: () => refuse("a policy view"),
    dropView: () => refuse("a policy view"),
  };
}
