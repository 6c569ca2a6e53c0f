/**
 * The Trino dialect of the data-policy IR (semantics every dialect shares: sql/policy/dialect.ts).
 * Trino asks for row filters and column masks per query, as SQL expressions evaluated in the table's
 * catalog and schema with bare column names; the user is known when we answer, so the IR is
 * specialised for that user first (specialize.ts) and no profile relation exists. The profile hooks
 * (`profileUsername`, `inProfileSet`, `once`, `systemEnv`) therefore refuse: reaching them means an
 * expression was not specialised. Views are not Trino's mechanism either (`createView` refuses).
 *
 * Where Trino differs from PostgreSQL, rendered here:
 * - text forms: decimals lose trailing zeros by regex; doubles, which Trino always prints in
 *   exponent form (`4.2E1`), are rewritten to PostgreSQL's float8 form (exponent only outside
 *   [1e-4, 1e15), `1e+15`); timestamptz is converted to UTC first;
 * - integer division truncates, and decimal division rounds to the operands' scale, so roundNumber
 *   is `x - mod(x, b)` (one bucket lower for a negative remainder): exact for integers and decimals;
 *   doubles go through decimal(38,15) within ±1e22 (the evaluator's exact decimal arithmetic);
 * - regexReplace: the pattern goes to Joni (Java syntax) unchanged — the engine already refuses the
 *   constructs that read differently (regex.ts); the replacement is translated from PostgreSQL's
 *   syntax (`\1`, `\&`, `\\`, literal `$`) to Trino's (`$1`, `$0`, `\\`, `\$`);
 * - LIKE has no escape character unless one is declared, which is what the IR means;
 * - sha256/md5 take varbinary: `to_utf8`, then `to_hex` (upper case, hence `lower`).
 */
import { assertNever } from "@steward/core";
import type { AllowedFunction, ColumnType, Literal } from "@steward/policy";
import type { MaskTarget, PolicyDialect } from "../sql/policy/dialect";
import { PolicyCompileError } from "../sql/policy/dialect";
import { qualifiedTrino, quoteTrinoIdent, quoteTrinoLiteral } from "../sql/quote";

/**
 * Type names as Trino prints them (`varchar(255)`, `decimal(10,2)`, `timestamp(3) with time zone`).
 * Parametric container types (`array(…)`, `row(…)`, `map(…)`) can carry quoted field names and are
 * never pasted: a NULL needs no cast to fit them.
 */
const SAFE_TYPE = /^[a-z][a-z0-9_ ]{0,40}(\(\d{1,5}(, ?\d{1,5})?\))?( with(out)? time zone)?$/;

/** The native type to cast to, normalised, or null when it may not be pasted into SQL. */
export function safeTrinoType(dataType: string | null | undefined): string | null {
  if (dataType === null || dataType === undefined) return null;
  const t = dataType.trim().toLowerCase();
  return SAFE_TYPE.test(t) ? t : null;
}

export function castToTrinoType(sql: string, dataType: string | null | undefined): string {
  const t = safeTrinoType(dataType);
  return t === null ? sql : `CAST(${sql} AS ${t})`;
}

const castTo = (sql: string, target: MaskTarget) => castToTrinoType(sql, target.dataType);

/** Plain decimal notation of a finite number (no exponent), for DECIMAL literals. */
export function plainDecimal(x: number): string {
  const plain = String(x);
  if (!/e/i.test(plain)) return plain;
  const [mantissa = "", expText = "0"] = x.toExponential().split("e");
  const exp = Number(expText);
  const sign = x < 0 ? "-" : "";
  const digits = mantissa.replace(/^-/, "").replace(".", "");
  if (exp >= 0)
    return sign + (digits.length <= exp + 1 ? digits.padEnd(exp + 1, "0") : `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`);
  return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
}

function numberLiteral(value: number, path: string): string {
  if (!Number.isFinite(value)) throw new PolicyCompileError("number must be finite", path);
  const text = String(value);
  return value < 0 ? `(${text})` : text;
}

/** An exact DECIMAL literal (`1e-7` would be a DOUBLE in Trino). */
function decimalLiteral(value: number, path: string): string {
  if (!Number.isFinite(value)) throw new PolicyCompileError("number must be finite", path);
  const [whole = "", fraction = ""] = plainDecimal(Math.abs(value)).split(".");
  if (whole.replace(/^0+/, "").length + fraction.length > 38)
    throw new PolicyCompileError("number needs more than 38 decimal digits", path);
  const text = `DECIMAL ${quoteTrinoLiteral(plainDecimal(value))}`;
  return value < 0 ? `(${text})` : text;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function literal(value: Literal): string {
  switch (value.k) {
    case "text":
      return quoteTrinoLiteral(value.value);
    case "number":
      return numberLiteral(value.value, "literal");
    case "boolean":
      return value.value ? "TRUE" : "FALSE";
    case "null":
      return "NULL";
    case "date":
      if (!DATE.test(value.value) || Number.isNaN(Date.parse(value.value)))
        throw new PolicyCompileError(`not a date: ${JSON.stringify(value.value)}`, "literal");
      return `DATE ${quoteTrinoLiteral(value.value)}`;
    default:
      return assertNever(value, "literal");
  }
}

/** Drops trailing fractional zeros (and a bare point) of a plain decimal rendering. */
const trimFraction = (text: string) => `regexp_replace(regexp_replace(${text}, '(\\.[0-9]*[1-9])0+$', '$1'), '\\.0+$', '')`;

/**
 * PostgreSQL's float8 text from Trino's CAST(double AS varchar), which Trino 476 always prints in
 * exponent form with the shortest digits (`4.2E1`, `1.0E15`, `-0E0`, `3.0000000000000004E-1`,
 * `NaN`, `Infinity`): the digits are kept and only the notation changes — exponent form
 * (`1.5e+20`, `1e-05`) when the exponent is < -4 or ≥ 15, plain decimal otherwise. A plain
 * rendering (no `E`) only loses a trailing `.0`. Known difference: subnormals print with two digits
 * (`4.9E-324` where PostgreSQL says `5e-324`).
 */
function floatText(sql: string): string {
  const s = `CAST(${sql} AS varchar)`;
  const mantissa = `regexp_replace(regexp_extract(${s}, '^-?[0-9]+(\\.[0-9]+)?'), '\\.0$', '')`;
  const exp = `CAST(regexp_extract(${s}, 'E(-?[0-9]+)$', 1) AS integer)`;
  const digits = `replace(replace(${mantissa}, '-', ''), '.', '')`;
  const sign = `IF(${s} LIKE '-%', '-', '')`;
  const scientific = `${mantissa} || IF(${exp} < 0, 'e-', 'e+') || IF(abs(${exp}) < 10, '0', '') || CAST(abs(${exp}) AS varchar)`;
  const small = `${sign} || '0.' || lpad(${digits}, length(${digits}) - ${exp} - 1, '0')`;
  const large = `${sign} || IF(length(${digits}) <= ${exp} + 1, rpad(${digits}, ${exp} + 1, '0'), substr(${digits}, 1, ${exp} + 1) || '.' || substr(${digits}, ${exp} + 2))`;
  return `(CASE WHEN strpos(${s}, 'E') = 0 THEN regexp_replace(${s}, '\\.0$', '') WHEN ${exp} < -4 OR ${exp} >= 15 THEN ${scientific} WHEN ${exp} < 0 THEN ${small} ELSE ${large} END)`;
}

/** `YYYY-MM-DD HH:MM:SS[.ffffff]`, fraction without trailing zeros (microseconds, as the contract). */
const timestampText = (ts: string) => trimFraction(`CAST(CAST(${ts} AS timestamp(6)) AS varchar)`);

/** The canonical text form (sql/policy/dialect.ts), independent of the session's time zone. */
function toText(sql: string, type?: ColumnType): string {
  switch (type) {
    case "decimal":
      return trimFraction(`CAST(${sql} AS varchar)`);
    case "float":
      return floatText(sql);
    case "timestamp":
      return timestampText(sql);
    case "timestamptz":
      return timestampText(`(${sql} AT TIME ZONE 'UTC')`);
    case "date":
    case "boolean":
    case "integer":
    case "text":
    case "other":
    case undefined:
      return `CAST(${sql} AS varchar)`;
    default:
      return assertNever(type, "column type");
  }
}

function call(fn: AllowedFunction, args: readonly string[]): string {
  switch (fn) {
    case "lower":
    case "upper":
    case "length":
    case "coalesce":
      return `${fn}(${args.join(", ")})`;
    case "trim":
      // Trino's one-argument trim removes every whitespace character; the IR (and PostgreSQL) trims spaces.
      return `trim(BOTH ' ' FROM ${args.join(", ")})`;
    default:
      return assertNever(fn, "function");
  }
}

/** Capturing groups of a pattern the engine accepted (regex.ts: no named groups, no lookaround). */
export function capturingGroups(pattern: string): number {
  let count = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") i++;
    else if (inClass) inClass = c !== "]";
    else if (c === "[") {
      inClass = true;
      if (pattern[i + 1] === "^") i++;
      if (pattern[i + 1] === "]") i++;
    } else if (c === "(" && pattern[i + 1] !== "?") count++;
  }
  return count;
}

/**
 * A replacement in PostgreSQL's syntax (`\1`…`\9` groups, `\&` and `\0` the match, `\\` a backslash,
 * any other character literal — as the evaluator's `postgresReplacement`) in Trino's: `$n` groups,
 * `\` makes the next character literal. References to groups the pattern lacks are empty, as in JS
 * (Trino would refuse them), and a digit after a reference is escaped so `\12` stays group 1 + "2".
 */
export function trinoReplacement(replacement: string, groups: number): string {
  let out = "";
  let afterGroup = false;
  const chars = [...replacement];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const next = chars[i + 1];
    if (c === "\\" && next !== undefined && /[0-9&\\]/.test(next)) {
      i++;
      if (next === "\\") {
        out += "\\\\";
        afterGroup = false;
      } else {
        const group = next === "&" ? 0 : Number(next);
        if (group <= groups) {
          out += `$${group}`;
          afterGroup = true;
        }
      }
      continue;
    }
    out += c === "\\" || c === "$" || (afterGroup && /[0-9]/.test(c)) ? `\\${c}` : c;
    afterGroup = false;
  }
  return out;
}

function refuse(what: string): never {
  throw new PolicyCompileError(`${what} does not exist in the Trino dialect: specialise the expression for the user first`, "trino");
}

export const trinoDialect: PolicyDialect = {
  name: "trino",
  ident: (name) => quoteTrinoIdent(name),
  qualified: (parts) => qualifiedTrino(...parts),
  literal,
  toText,
  profileUsername: () => refuse("a profile relation"),
  once: () => refuse("a profile relation"),
  inProfileSet: () => refuse("a profile relation"),
  like: (arg, pattern, negated) => `(${arg} ${negated ? "NOT LIKE" : "LIKE"} ${quoteTrinoLiteral(pattern)})`,
  call,
  masks: {
    null: (target) => castTo("NULL", target),
    constant: (value, target) => constantSql(value, target),
    hash: (arg, target, env) => `lower(to_hex(sha256(to_utf8(${env.salt} || ${toText(arg, target.type)}))))`,
    regexReplace: (arg, pattern, replacement, target) =>
      `regexp_replace(${toText(arg, target.type)}, ${quoteTrinoLiteral(pattern)}, ${quoteTrinoLiteral(trinoReplacement(replacement, capturingGroups(pattern)))})`,
    roundNumber: (arg, bucket, target) => castTo(roundNumberSql(arg, bucket, target.type), target),
    roundDate: (arg, unit, target) => {
      const value = target.type === "timestamptz" ? `(${arg} AT TIME ZONE 'UTC')` : arg;
      // date_trunc keeps the argument's type (a date stays a date).
      return castTo(`date_trunc(${quoteTrinoLiteral(unit)}, ${value})`, target);
    },
    showLast: (arg, count, target) => {
      const text = toText(arg, target.type);
      return `(CASE WHEN length(${text}) <= ${count} THEN ${text} ELSE lpad(substr(${text}, length(${text}) - ${count} + 1), length(${text}), '*') END)`;
    },
  },
  withinDays: (column, days) => {
    if (!Number.isInteger(days) || days <= 0) throw new PolicyCompileError("days must be a positive integer", "withinDays.days");
    return `(${column} >= current_timestamp - INTERVAL '${days}' DAY)`;
  },
  // COALESCE: a NULL key is not in the sample (FALSE, as the evaluator says), not unknown.
  sample: (columnText, threshold) =>
    `COALESCE(from_base(substr(to_hex(md5(to_utf8(${columnText}))), 1, 8), 16) < ${numberLiteral(threshold, "sample.threshold")}, FALSE)`,
  systemEnv: () => refuse("a profile relation"),
  createView: () => refuse("a policy view"),
  dropView: () => refuse("a policy view"),
};

const CONSTANT_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2})(:\d{2}(?:\.\d{1,6})?)?)?(Z|[+-]\d{2}(?::\d{2})?)?$/;

/** A constant mask as a value of the column's type (the compiler checked `constantFits`). */
function constantSql(value: string, target: MaskTarget): string {
  switch (target.type) {
    case "text":
    case "other":
      return quoteTrinoLiteral(value);
    case "integer":
    case "decimal":
    case "float":
      return castTo(value.startsWith("-") ? `(${value})` : value, target);
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
      const suffix = target.type === "timestamp" ? "" : zone === "Z" ? " UTC" : ` ${zone.length === 3 ? `${zone}:00` : zone}`;
      return castTo(`TIMESTAMP ${quoteTrinoLiteral(`${day} ${hm}${sec}${suffix}`)}`, target);
    }
    default:
      return assertNever(target.type, "column type");
  }
}

/**
 * floor(x / b) * b without division: x - mod(x, b), one bucket lower when the remainder is negative
 * (Trino's mod takes the dividend's sign). Integer buckets on integers stay in bigint; anything else
 * is exact decimal arithmetic. Doubles within ±1e22 go through decimal(38,15) (exact decimal, as the
 * evaluator computes) and back; beyond that, double arithmetic (the evaluator's too).
 */
function roundNumberSql(arg: string, bucket: number, type: ColumnType): string {
  const floorTo = (x: string, b: string) => `(${x} - mod(${x}, ${b}) - IF(mod(${x}, ${b}) < 0, ${b}, 0))`;
  if (type === "integer" && Number.isInteger(bucket))
    return floorTo(`CAST(${arg} AS bigint)`, `CAST(${numberLiteral(bucket, "mask.bucket")} AS bigint)`);
  const b = decimalLiteral(bucket, "mask.bucket");
  if (type === "float") {
    const exact = `CAST(${floorTo(`CAST(${arg} AS decimal(38,15))`, b)} AS double)`;
    return `(CASE WHEN abs(${arg}) < 1e22 THEN ${exact} ELSE floor(${arg} / ${numberLiteral(bucket, "mask.bucket")}) * ${numberLiteral(bucket, "mask.bucket")} END)`;
  }
  return floorTo(arg, b);
}
