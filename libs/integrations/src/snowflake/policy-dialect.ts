/**
 * The Snowflake dialect of the data-policy IR (semantics every dialect shares: sql/policy/dialect.ts).
 * Snowflake enforces with its own masking and row access policies (policies.ts), whose bodies are
 * compiled with this dialect; there are no policy views, so `createView` / `dropView` refuse.
 *
 * Profile facts come from Steward's profile table in `<policy database>.STEWARD_SYSTEM`, through the
 * `USER_PROFILE` view (the row whose account is CURRENT_USER(), which inside a policy body is the
 * querying user). Subqueries in a policy body run with the policy owner's rights, so the salt table
 * and the profile stay unreadable to everyone else. Where Snowflake differs from PostgreSQL:
 * - profile sets are ARRAYs and membership is ARRAY_CONTAINS; a NULL array (no profile row) gives
 *   NULL, and a NULL value is NULL explicitly (ARRAY_CONTAINS' own NULL handling changed in a
 *   behaviour bundle, so it is not relied on). Attribute values are one array of `<key>:<value>`
 *   with `%` and `:` of the key percent-encoded, so the first `:` always separates;
 * - every string constant goes through quoteSnowflakeLiteral (backslash escapes are live in '…'), so
 *   regex patterns are written as authored and doubled by the quoting, never by hand;
 * - REGEXP_REPLACE replaces every match by default; `\1`…`\9` back-references work as in
 *   PostgreSQL, `\&` (the whole match) does not exist (docs/platforms/snowflake.md);
 * - LIKE is given `!` as its escape character with every `!` doubled, so no character of the pattern
 *   escapes anything (the IR's LIKE has no escape);
 * - TRIM's default is a single space, written out anyway; SHA2(…, 256) and MD5 return lower-case hex;
 * - floats keep Snowflake's own TO_VARCHAR text, which is not PostgreSQL's shortest form.
 */

import { assertNever } from "@steward/core";
import type { AllowedFunction, ColumnType, Literal } from "@steward/policy";
import { safeTypeName } from "../sql/policy/column-policies";
import type { MaskTarget, PolicyDialect, ProfileEnv, ProfileSet } from "../sql/policy/dialect";
import { PolicyCompileError } from "../sql/policy/dialect";
import { qualifiedSnowflake, quoteSnowflakeIdent, quoteSnowflakeLiteral } from "../sql/quote";

export const POLICY_SCHEMA = "STEWARD_SYSTEM";
export const PROFILE_TABLE = "PROFILE";
export const USER_PROFILE_VIEW = "USER_PROFILE";
export const SALT_TABLE = "HASH_SALT";

/**
 * Type names as the crawl records them (`TEXT`, `NUMBER(10,2)`, `VARCHAR(40)`, `TIMESTAMP_TZ`,
 * snowflake.connector.ts). Only these are ever pasted into SQL (casts, policy signatures).
 */
export const safeSnowflakeType = safeTypeName;

const TEXT_TYPE = /^(VARCHAR|TEXT|STRING|CHAR|CHARACTER|NCHAR|NVARCHAR|NVARCHAR2|CHAR VARYING|NCHAR VARYING)\b/;

/**
 * The type a policy names for a column: its exact type, except that text loses its length
 * (`TEXT(40)` → `TEXT`, which is VARCHAR of the maximum length). A
 * masking policy must return the column's type, and Snowflake fits a number's mask to the column's
 * precision and scale (BCR 2024_04), so `NUMBER(p,s)` is kept; a string mask is not bound to the
 * column's length, and a hash (64 characters) must stay returnable on a VARCHAR(10).
 */
export function policyType(dataType: string | null | undefined): string | null {
  const t = safeSnowflakeType(dataType);
  if (t === null) return null;
  return TEXT_TYPE.test(t) ? t.replace(/ ?\(.*\)$/, "") : t;
}

/**
 * Casts back to the native type. A number is cast only when its type carries precision and scale
 * (`NUMBER(p,s)` from the crawl): a bare `NUMBER` is NUMBER(38,0) and would cut a decimal's scale,
 * so without them the value is left to the policy's RETURNS type, which Snowflake coerces to.
 */
function castTo(sql: string, target: MaskTarget): string {
  const t = policyType(target.dataType);
  if (t === null || target.type === "float") return sql;
  if ((target.type === "integer" || target.type === "decimal") && !/\(/.test(t)) return sql;
  return `CAST(${sql} AS ${t})`;
}

function numberLiteral(value: number, path: string): string {
  if (!Number.isFinite(value)) throw new PolicyCompileError("number must be finite", path);
  const text = String(value);
  if (/e/i.test(text)) throw new PolicyCompileError("number is too large or too small for a SQL literal", path);
  return value < 0 ? `(${text})` : text;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function literal(value: Literal): string {
  switch (value.k) {
    case "text":
      return quoteSnowflakeLiteral(value.value);
    case "number":
      return numberLiteral(value.value, "literal");
    case "boolean":
      return value.value ? "TRUE" : "FALSE";
    case "null":
      return "NULL";
    case "date":
      if (!DATE.test(value.value) || Number.isNaN(Date.parse(value.value)))
        throw new PolicyCompileError(`not a date: ${JSON.stringify(value.value)}`, "literal");
      return `DATE ${quoteSnowflakeLiteral(value.value)}`;
    default:
      return assertNever(value, "literal");
  }
}

const lit = quoteSnowflakeLiteral;

/** Drops trailing fractional zeros (and a bare point) of a plain decimal rendering. */
const trimFraction = (text: string) =>
  `REGEXP_REPLACE(REGEXP_REPLACE(${text}, ${lit("([.][0-9]*[1-9])0+$")}, ${lit("\\1")}), ${lit("[.]0+$")}, '')`;

/** `YYYY-MM-DD HH:MM:SS[.ffffff]`, explicit format (never the session's TIMESTAMP_OUTPUT_FORMAT). */
const timestampText = (ts: string) => `REGEXP_REPLACE(TO_VARCHAR(${ts}, 'YYYY-MM-DD HH24:MI:SS.FF6'), ${lit("[.]?0+$")}, '')`;

/** The canonical text form, independent of the session's output formats and time zone. */
function toText(sql: string, type?: ColumnType): string {
  switch (type) {
    case "decimal":
      return trimFraction(`TO_VARCHAR(${sql})`);
    case "date":
      return `TO_VARCHAR(${sql}, 'YYYY-MM-DD')`;
    case "timestamp":
      return timestampText(sql);
    case "timestamptz":
      return timestampText(`CONVERT_TIMEZONE('UTC', ${sql})`);
    case "boolean":
    case "integer":
    case "float":
    case "text":
    case "other":
    case undefined:
      return `TO_VARCHAR(${sql})`;
    default:
      return assertNever(type, "column type");
  }
}

/** `%` and `:` of an attribute key percent-encoded: the first `:` of an element is the separator. */
export const encodeAttributeKey = (key: string) => key.replaceAll("%", "%25").replaceAll(":", "%3A");
export const attributeElement = (key: string, value: string) => `${encodeAttributeKey(key)}:${value}`;

function inProfileSet(valueText: string, set: ProfileSet, env: ProfileEnv): string {
  const contains = (element: string, column: string) =>
    `IFF(${element} IS NULL, NULL, ARRAY_CONTAINS(TO_VARIANT(${element}), (SELECT ${quoteSnowflakeIdent(column)} FROM ${env.profile})))`;
  switch (set.k) {
    case "groups":
    case "purposes":
    case "sources":
      return contains(valueText, set.k);
    case "attributeValues":
      return contains(`(${lit(`${encodeAttributeKey(set.key)}:`)} || ${valueText})`, "attributes");
    default:
      return assertNever(set, "profile set");
  }
}

function call(fn: AllowedFunction, args: readonly string[]): string {
  switch (fn) {
    case "lower":
    case "upper":
    case "length":
    case "coalesce":
      return `${fn.toUpperCase()}(${args.join(", ")})`;
    case "trim":
      return `TRIM(${args.join(", ")}, ' ')`;
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
      return value.startsWith("-") ? `(${value})` : value;
    case "boolean":
      return value === "true" ? "TRUE" : "FALSE";
    case "date":
      return castTo(literal({ k: "date", value }), target);
    case "timestamp":
    case "timestamptz": {
      const m = CONSTANT_TIMESTAMP.exec(value);
      if (m === null) throw new PolicyCompileError(`not a timestamp: ${JSON.stringify(value)}`, "mask.value");
      const [, day, hm = "00:00", sec = ":00", zone = "Z"] = m;
      // Without an offset a timestamptz constant is UTC (never the session's zone); a timestamp ignores it.
      if (target.type === "timestamp") return castTo(`TO_TIMESTAMP_NTZ(${lit(`${day} ${hm}${sec}`)})`, target);
      const offset = zone === "Z" ? "+00:00" : zone.length === 3 ? `${zone}:00` : zone;
      return castTo(`TO_TIMESTAMP_TZ(${lit(`${day} ${hm}${sec} ${offset}`)}, 'YYYY-MM-DD HH24:MI:SS.FF TZH:TZM')`, target);
    }
    default:
      return assertNever(target.type, "column type");
  }
}

function refuse(what: string): never {
  throw new PolicyCompileError(
    `${what} does not exist in the Snowflake dialect: Snowflake enforces with masking and row access policies`,
    "snowflake",
  );
}

/** The dialect reading the profile and salt from `<database>.STEWARD_SYSTEM`. */
export function snowflakeDialect(policyDatabase: string): PolicyDialect {
  // Throws here, once, for a database name that cannot be sent.
  const profile = qualifiedSnowflake(policyDatabase, POLICY_SCHEMA, USER_PROFILE_VIEW);
  const salt = `(SELECT "salt" FROM ${qualifiedSnowflake(policyDatabase, POLICY_SCHEMA, SALT_TABLE)})`;
  return {
    name: "snowflake",
    ident: quoteSnowflakeIdent,
    qualified: (parts) => qualifiedSnowflake(...parts),
    literal,
    toText,
    profileUsername: (env) => `(SELECT "username" FROM ${env.profile})`,
    // Uncorrelated scalar subqueries are evaluated once per query already; no wrapper needed.
    once: (sql) => sql,
    inProfileSet,
    like: (arg, pattern, negated) => `(${arg} ${negated ? "NOT LIKE" : "LIKE"} ${lit(pattern.replaceAll("!", "!!"))} ESCAPE '!')`,
    call,
    masks: {
      null: (target) => castTo("NULL", target),
      constant: constantSql,
      hash: (arg, target, env) => `SHA2(${env.salt} || ${toText(arg, target.type)}, 256)`,
      regexReplace: (arg, pattern, replacement, target) =>
        `REGEXP_REPLACE(${toText(arg, target.type)}, ${lit(pattern)}, ${lit(replacement)})`,
      roundNumber: (arg, bucket, target) => {
        const b = numberLiteral(bucket, "mask.bucket");
        return castTo(`(FLOOR(${arg} / ${b}) * ${b})`, target);
      },
      roundDate: (arg, unit, target) => {
        const value = target.type === "timestamptz" ? `CONVERT_TIMEZONE('UTC', ${arg})` : arg;
        return castTo(`DATE_TRUNC(${lit(unit.toUpperCase())}, ${value})`, target);
      },
      showLast: (arg, count, target) => {
        const text = toText(arg, target.type);
        return `(CASE WHEN LENGTH(${text}) <= ${count} THEN ${text} ELSE REPEAT('*', LENGTH(${text}) - ${count}) || RIGHT(${text}, ${count}) END)`;
      },
    },
    withinDays: (column, days) => `(${column} >= DATEADD(DAY, ${-days}, CURRENT_TIMESTAMP()))`,
    // COALESCE: a NULL key is not in the sample (FALSE, as the evaluator says), not unknown.
    sample: (columnText, threshold) =>
      `COALESCE(TO_NUMBER(SUBSTR(MD5(${columnText}), 1, 8), 'XXXXXXXX') < ${numberLiteral(threshold, "sample.threshold")}, FALSE)`,
    systemEnv: () => ({ profile, salt }),
    createView: () => refuse("a policy view"),
    dropView: () => refuse("a policy view"),
  };
}
