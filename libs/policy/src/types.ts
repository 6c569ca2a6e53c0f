/**
 * The engine's input model. It mirrors the catalog and identity tables but carries no database types:
 * callers load a snapshot, the engine decides. Times are `Date`s; "now" is always an argument.
 */

/** What a policy or subscription hands out. WRITE includes READ: a writer can always read. */
export type AccessType = "READ" | "WRITE";

/** The decision for one (user, source). Ordered NONE < READ < WRITE. */
export type AccessLevel = "NONE" | AccessType;

/**
 * How several subscription policies on one source combine (per access type, see docs/policy-engine.md).
 * ALL: every applicable policy must be satisfied. ANY: one suffices. The engine default is ALL because
 * adding a policy can then only narrow access, never widen it.
 */
export type MergeRule = "ALL" | "ANY";

export type User = {
  id: string;
  /** Deactivated users get NONE everywhere, whatever policies, approvals or subscriptions say. */
  active: boolean;
  /** Group ids or names; conditions compare them as exact strings. */
  groups: readonly string[];
  /** key → values. A key may hold several values (e.g. `region: ["EU", "US"]`). */
  attributes: Readonly<Record<string, readonly string[]>>;
  /**
   * Purpose ids of the user's current project, ancestors included (a project under `Research.Clinical`
   * acts under `Research` too). Omitted or empty: the user acts under no purpose.
   */
  purposes?: readonly string[];
};

export type SourceStatus = "ACTIVE" | "DISABLED";

export type SourceLocation = { database?: string; schema?: string; object: string };

export type DataSource = {
  id: string;
  connectionId: string;
  location: SourceLocation;
  /** Hierarchical, dot-separated (`PII.Email`). A policy on `PII` also covers `PII.Email`. */
  tags: readonly string[];
  /** Disabled sources grant nothing; their policies still show up in explanations. */
  status: SourceStatus;
  /** Per-source override of the engine's default merge rule. */
  mergeRule?: MergeRule;
};

/** A boolean tree over a user's groups, attributes and the purposes of their current project. */
export type Condition =
  | { kind: "group"; group: string }
  /** The user's current project acts under this purpose (by id), directly or through a sub-purpose. */
  | { kind: "purpose"; purpose: string }
  /** `anyOf`: the user holds at least one of `values`; `allOf`: the user holds every one of them. */
  | { kind: "attribute"; key: string; match: "anyOf" | "allOf"; values: readonly string[] }
  | { kind: "and"; conditions: readonly Condition[] }
  | { kind: "or"; conditions: readonly Condition[] };

/** Who a policy lets in (Immuta's "restriction levels"). */
export type Restriction =
  | { kind: "anyone" }
  /** Only users holding an approved, unexpired access request for that very source. */
  | { kind: "anyoneWhoAsks" }
  | { kind: "conditions"; condition: Condition }
  | { kind: "users"; userIds: readonly string[] };

/** Which sources a policy applies to. Global scopes pick up sources registered or tagged later. */
export type Scope =
  | { kind: "sources"; sourceIds: readonly string[] }
  | { kind: "tag"; tag: string }
  | { kind: "connection"; connectionId: string }
  /** `database` omitted: the schema name in any database of the connection. */
  | { kind: "schema"; connectionId: string; database?: string; schema: string };

export type SubscriptionPolicy = {
  id: string;
  name: string;
  accessType: AccessType;
  restriction: Restriction;
  scope: Scope;
};

export type AccessRequestStatus = "PENDING" | "APPROVED" | "DENIED";

/** A user's request for a source. Only APPROVED and unexpired requests satisfy "anyone who asks". */
export type AccessRequest = {
  id: string;
  userId: string;
  sourceId: string;
  status: AccessRequestStatus;
  expiresAt?: Date | null;
};

/** An owner's direct grant; additive to whatever policies decide. */
export type ManualSubscription = {
  id: string;
  userId: string;
  sourceId: string;
  accessType: AccessType;
  expiresAt?: Date | null;
};

export type EngineSettings = {
  /** Merge rule for sources without their own; ALL when omitted. */
  defaultMergeRule?: MergeRule;
};

/** Everything one evaluation needs. Ids are unique per kind. */
export type PolicySnapshot = {
  users: readonly User[];
  sources: readonly DataSource[];
  policies: readonly SubscriptionPolicy[];
  accessRequests?: readonly AccessRequest[];
  subscriptions?: readonly ManualSubscription[];
  settings?: EngineSettings;
};

export const DEFAULT_MERGE_RULE: MergeRule = "ALL";
