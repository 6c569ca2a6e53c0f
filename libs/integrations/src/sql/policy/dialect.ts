/**
 * The seam between the dialect-neutral policy compiler (compile.ts) and one SQL dialect. A platform
 * (PostgreSQL, Redshift, later Trino, Snowflake, Databricks, BigQuery) supplies ONE object of this
 * type in one file; everything structural (walking the `Expr` tree, typing CASE branches, empty
 * lists, the subscription guard, the view's SELECT) stays in compile.ts so every dialect emits the
 * same shape.
 *
 * Semantics every dialect must implement identically (the engine's JS reference evaluator
 * `evaluateExpr` computes the same values; integration tests compare the two):
 * - profile facts are read at query time from the profile relation (`env.profile`, one row: the
 *   querying user's, or none), through UNCORRELATED scalar subqueries so the engine evaluates them
 *   once per query, never per row. No row (an unmanaged user) → NULL → row filters hide the row and
 *   mask exceptions do not apply (fail closed).
 * - text form of a value (`toText`; hash, showLast, regex fallbacks, the sample and CASE branches that
 *   became text read it): integers as digits; decimals without trailing fractional zeros (`12.50` →
 *   `12.5`); floats in the shortest round-trip digits, exponent form outside [1e-4, 1e15) (`1e+15`,
 *   `1e-05`, PostgreSQL's float8 output); booleans `true`/`false`; dates `YYYY-MM-DD`; timestamps
 *   `YYYY-MM-DD HH:MM:SS[.ffffff]` without trailing fractional zeros; timestamptz the same, in UTC,
 *   without offset. Independent of session settings (DateStyle, TimeZone) wherever the platform allows.
 * - `constant` replaces every value, NULLs included; every other mask keeps NULL as NULL.
 * - `hash`: lower-case hex SHA-256 of the UTF-8 bytes of (salt || text form of the value); NULL stays
 *   NULL. The salt is read from `env.salt` (a subquery over the system table, or a bind parameter in
 *   previews), NEVER inlined into a view definition (view definitions are world-readable).
 * - `regexReplace`: POSIX regex replaced at every match (global), replacement string in the
 *   platform's syntax as authored (the engine validates patterns against constructs that differ).
 * - `roundNumber`: floor(value / bucket) * bucket (the lower bound of the bucket, also for negatives).
 * - `roundDate`: truncated to the first instant of the month / year (timestamptz: of the UTC month /
 *   year, whatever the session's zone).
 * - `showLast`: `*` repeated (length − N) times followed by the last N characters (characters, not
 *   bytes); values of N characters or fewer are unchanged.
 * - `withinDays`: column >= now − N days.
 * - `sample`: the row is kept iff the key is not NULL and the first 8 hex digits of md5(text form of
 *   the key), read as an unsigned 32-bit integer, are < floor(percent / 100 × 2^32)
 *   (`sampleThreshold`). Deterministic across platforms, so samples agree everywhere.
 * - `like`: SQL LIKE with `%` and `_`, no escape character.
 */
import type { AllowedFunction, ColumnType, Literal, ProfileRef } from "@steward/policy";

export type ProfileSet = Exclude<ProfileRef, { k: "username" }>;

/** Where profile facts and the hash salt come from in the SQL being compiled. */
export type ProfileEnv = {
  /** A relation (table, view or CTE name) with the profile columns; at most one row. */
  profile: string;
  /** A scalar SQL expression yielding the salt (a subquery over the salt table, or a bind parameter). */
  salt: string;
};

/** The column a mask applies to: its type class and native type (for casts back to it). */
export type MaskTarget = { type: ColumnType; dataType: string | null };

/** Per-kind mask rendering. `arg` is already compiled SQL; the compiler only calls a kind that fits `target.type`. */
export type MaskRenderers = {
  null(target: MaskTarget): string;
  constant(value: string, target: MaskTarget): string;
  hash(arg: string, target: MaskTarget, env: ProfileEnv): string;
  regexReplace(arg: string, pattern: string, replacement: string, target: MaskTarget): string;
  roundNumber(arg: string, bucket: number, target: MaskTarget): string;
  roundDate(arg: string, unit: "month" | "year", target: MaskTarget): string;
  showLast(arg: string, count: number, target: MaskTarget): string;
};

export type ViewDdlInput = {
  /** Qualified view name, already quoted. */
  view: string;
  /** The SELECT the view is defined as. */
  select: string;
  /** Stored in the view's comment (spec + definition hashes; drift detection reads it back). */
  comment: string;
};

export type PolicyDialect = {
  readonly name: string;
  /** The audited identifier quoting of the platform (throws on names it cannot represent). */
  ident(name: string): string;
  /** A dotted name, every part through `ident`. */
  qualified(parts: readonly string[]): string;
  /** Any literal; text through the audited literal quoting. Throws `PolicyCompileError` on values it cannot represent. */
  literal(value: Literal): string;
  /**
   * The value's canonical text form (see above) when `type` is known, else the platform's plain cast
   * to text. Used for set membership, hashing, the sample, and CASE branches whose masks turned a
   * column into text.
   */
  toText(sql: string, type?: ColumnType): string;
  /** Scalar: the querying user's name, as an uncorrelated subquery over `env.profile`. */
  profileUsername(env: ProfileEnv): string;
  /**
   * A row-independent expression evaluated once per query: the compiler wraps every maximal
   * subtree that reads the profile but no column (an exception test, the subscription guard) so the
   * per-row work is reading one precomputed boolean. Typically `(SELECT <sql>)`.
   */
  once(sql: string): string;
  /** `valueText` (already text) is an element of the profile set. NULL when the user has no profile row. */
  inProfileSet(valueText: string, set: ProfileSet, env: ProfileEnv): string;
  like(arg: string, pattern: string, negated: boolean): string;
  call(fn: AllowedFunction, args: readonly string[]): string;
  masks: MaskRenderers;
  withinDays(column: string, days: number): string;
  /** `threshold` = `sampleThreshold(percent)`: keep iff uint32(first 8 hex of md5(text)) < threshold. */
  sample(columnText: string, threshold: number): string;
  /** The default env: the platform's `steward_system.user_profile` view and salt table. */
  systemEnv(): ProfileEnv;
  /** Statements (re)creating a view; run in one transaction by the caller. */
  createView(input: ViewDdlInput): string[];
  dropView(view: string): string;
};

/** Thrown for IR the compiler refuses (non-finite numbers, malformed dates, unknown columns): a bug upstream, never SQL. */
export class PolicyCompileError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${path}: ${message}`);
    this.name = "PolicyCompileError";
  }
}

/** See `sample` above: the exclusive upper bound of the kept 32-bit hash prefixes. */
export function sampleThreshold(percent: number): number {
  if (!Number.isFinite(percent) || percent <= 0 || percent > 100)
    throw new PolicyCompileError("percent must be in (0, 100]", "sample.percent");
  return Math.floor((percent / 100) * 2 ** 32);
}
