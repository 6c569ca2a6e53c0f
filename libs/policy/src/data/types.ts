/**
 * Data policies: what a user sees *inside* a source (column masks, row filters), as opposed to
 * subscription policies, which decide whether they see it at all. Pure types shared by the engine
 * (resolve.ts), the authoring API and every platform's SQL compiler.
 *
 * Two layers:
 * 1. The authoring model (`DataPolicy`): what a governor writes. Attaches locally (listed sources /
 *    columns) or globally (tags, a connection, a schema, everything), so sources registered or tagged
 *    later pick it up by themselves.
 * 2. The intermediate form (`Expr`, `PolicyViewSpec`): one typed expression tree per source, already
 *    resolved (conflicts decided, exceptions turned into profile predicates), that each SQL dialect
 *    compiles in one file. Nothing in the tree is SQL text: custom WHEREs are parsed into it.
 */
import type { Condition } from "../types";

// ---------------------------------------------------------------------------------------------------
// Authoring model
// ---------------------------------------------------------------------------------------------------

/**
 * Who is exempt ("for everyone except …"), or more generally a predicate over the querying user:
 * the subscription engine's conditions plus the purposes of the user's current project.
 */
export type UserCondition = Condition;

/** Which sources a data policy attaches to. `all` is global over every governed source. */
export type DataPolicyScope =
  | { kind: "all" }
  | { kind: "sources"; sourceIds: readonly string[] }
  /** Sources carrying the tag or one below it (`Finance` covers `Finance.Payroll`). */
  | { kind: "sourceTag"; tag: string }
  | { kind: "connection"; connectionId: string }
  | { kind: "schema"; connectionId: string; database?: string; schema: string };

/** Which columns of the scoped sources a mask applies to. */
export type ColumnSelector =
  | { kind: "names"; names: readonly string[] }
  /** Columns tagged with the tag or one below it; the deeper tag wins conflicts (`PII.Email` beats `PII`). */
  | { kind: "tagged"; tag: string };

export type Mask =
  | { kind: "null" }
  /** Shown as-is; must be representable in the column's type (else the type fallback applies). */
  | { kind: "constant"; value: string }
  /** SHA-256 (hex) of the value with a per-deployment salt: deterministic, so joins on it still match. */
  | { kind: "hash" }
  /** POSIX regular expression replaced everywhere (`g`); validated at authoring time. */
  | { kind: "regexReplace"; pattern: string; replacement: string }
  /** Numbers to the lower bound of a bucket: 1234 with bucket 100 → 1200. */
  | { kind: "roundNumber"; bucket: number }
  /** Dates / timestamps to the first instant of the month or year. */
  | { kind: "roundDate"; unit: "month" | "year" }
  /** Everything but the last N characters replaced by `*` (the length is kept). */
  | { kind: "showLast"; count: number };

export type MaskKind = Mask["kind"];

/**
 * Row rules. Authoring text (`where.sql`) is parsed into `Expr` by where-parser.ts; it is never
 * pasted into SQL.
 */
export type RowRule =
  /** Rows whose `column` equals one of the user's values of `attribute`. */
  | { kind: "matchAttribute"; column: string; attribute: string }
  /** Rows whose `column` equals the name of one of the user's groups. */
  | { kind: "matchGroups"; column: string }
  /** A custom WHERE with macros (@username, @groupsContains('g'), @attributeValuesContains('k','v'), @purposesContain('p'), @columnTagged('t')). */
  | { kind: "where"; sql: string }
  /** Rows whose event-time `column` lies within the last `days` days. */
  | { kind: "timeWindow"; column: string; days: number }
  /** A deterministic `percent` % sample by hashing `column`. */
  | { kind: "minimize"; column: string; percent: number };

export type DataPolicyRule =
  | {
      kind: "mask";
      columns: ColumnSelector;
      mask: Mask;
      /** Conditional masking: only rows matching this custom WHERE are masked. */
      when?: string;
    }
  | { kind: "rows"; rule: RowRule };

export type DataPolicy = {
  id: string;
  name: string;
  scope: DataPolicyScope;
  rule: DataPolicyRule;
  /** "For everyone except": users satisfying this see clear values / every row. */
  except?: UserCondition;
  /** Ties between equally deep, equally strict masks go to the older policy. */
  createdAt: Date;
};

// ---------------------------------------------------------------------------------------------------
// What the engine needs to know about sources and users
// ---------------------------------------------------------------------------------------------------

/** Normalised column type class; each dialect maps its native types into these. */
export type ColumnType = "text" | "integer" | "decimal" | "float" | "boolean" | "date" | "timestamp" | "timestamptz" | "other";

export type DataColumn = { name: string; dataType: string; type: ColumnType; tags: readonly string[] };

export type DataSourceInfo = {
  id: string;
  connectionId: string;
  location: { database?: string; schema?: string; object: string };
  tags: readonly string[];
  columns: readonly DataColumn[];
};

// ---------------------------------------------------------------------------------------------------
// Intermediate form: one expression tree, compiled per dialect
// ---------------------------------------------------------------------------------------------------

/** Facts about the querying user, read at query time from the platform's profile (never baked into a view). */
export type ProfileRef =
  | { k: "username" }
  /** The set of the user's group names. */
  | { k: "groups" }
  /** The set of the user's values of one attribute. */
  | { k: "attributeValues"; key: string }
  /** The set of purposes of the user's current project (ancestors included). */
  | { k: "purposes" }
  /** The set of source ids the user may read (subscription result). */
  | { k: "sources" };

export type Literal =
  | { k: "text"; value: string }
  | { k: "number"; value: number }
  | { k: "boolean"; value: boolean }
  | { k: "null" }
  /** `YYYY-MM-DD`. */
  | { k: "date"; value: string };

export type CompareOp = "=" | "<>" | "<" | "<=" | ">" | ">=";

/** Functions a custom WHERE may call; anything else is refused by the parser. */
export type AllowedFunction = "lower" | "upper" | "length" | "coalesce" | "trim";

export type Expr =
  | { k: "column"; name: string }
  | { k: "literal"; value: Literal }
  /** Scalar profile value (only `username`). */
  | { k: "profile"; ref: ProfileRef & { k: "username" } }
  /** `value` is one of the elements of a profile set (groups, attribute values, purposes, sources). */
  | { k: "inProfileSet"; value: Expr; set: Exclude<ProfileRef, { k: "username" }> }
  | { k: "inList"; value: Expr; list: readonly Expr[]; negated?: boolean }
  | { k: "and"; args: readonly Expr[] }
  | { k: "or"; args: readonly Expr[] }
  | { k: "not"; arg: Expr }
  | { k: "compare"; op: CompareOp; left: Expr; right: Expr }
  | { k: "isNull"; arg: Expr; negated?: boolean }
  /** SQL LIKE with a literal pattern (`%` / `_` as in SQL; no escape character). */
  | { k: "like"; arg: Expr; pattern: string; negated?: boolean }
  | { k: "between"; arg: Expr; low: Expr; high: Expr }
  | { k: "call"; fn: AllowedFunction; args: readonly Expr[] }
  | { k: "case"; when: Expr; then: Expr; else: Expr }
  /** A mask applied to a value of `type`; the dialect renders each kind (and its type fallback). */
  | { k: "mask"; mask: Mask; arg: Expr; type: ColumnType }
  /** `column` (a date/timestamp) is no older than `days` days before now. */
  | { k: "withinDays"; column: string; days: number }
  /** Deterministic sample: hash of `column` falls in the first `percent` % of the hash space. */
  | { k: "sample"; column: string; percent: number };

/** One column of a policy view: its output name and the expression producing it. */
export type ViewColumn = {
  name: string;
  type: ColumnType;
  /** Native type, to cast masks back where the dialect needs the view to keep the column's type. */
  dataType: string;
  expr: Expr;
  /** The policy deciding this column's mask, when masked. */
  maskedBy?: string;
  /** When the mask did not fit the column type: the mask actually applied and why (shown to users). */
  fallback?: { requested: MaskKind; applied: MaskKind; reason: string };
};

/** Two or more masks on one column: who won and why. */
export type MaskConflict = {
  sourceId: string;
  column: string;
  winner: { policyId: string; policyName: string };
  losers: { policyId: string; policyName: string }[];
  /** Which rule decided: deeper tag, stricter mask, older policy. */
  decidedBy: "deeperTag" | "stricterMask" | "olderPolicy";
};

/**
 * Everything a platform needs to build one source's policy view. `rowFilter` is the AND of every row
 * rule (null: all rows); the subscription guard (`inProfileSet sources`) is added by the compiler.
 */
export type PolicyViewSpec = {
  sourceId: string;
  columns: readonly ViewColumn[];
  rowFilter: Expr | null;
  /** Data policies that shaped this view (for explain, plans and history). */
  policyIds: readonly string[];
  conflicts: readonly MaskConflict[];
};

/** One user's row in a platform's profile table (keyed by the platform account). */
export type ProfileRow = {
  accountName: string;
  userId: string;
  username: string;
  groups: readonly string[];
  attributes: Readonly<Record<string, readonly string[]>>;
  /** Current project (id) and its purposes, ancestors included; empty when none. */
  projectId: string | null;
  purposes: readonly string[];
  /** Source ids this user may read (the subscription decision). */
  sources: readonly string[];
};
