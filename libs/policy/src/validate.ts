import { assertNever, badInput } from "@steward/core";
import { subscriptionPolicySchema } from "./schema";
import { scopeMatch } from "./scope";
import type { Condition, DataSource, SubscriptionPolicy } from "./types";

export type PolicyIssueCode =
  | "CONTRADICTORY_CONDITION"
  | "UNKNOWN_ATTRIBUTE_KEY"
  | "UNKNOWN_GROUP"
  | "UNKNOWN_PURPOSE"
  | "EMPTY_SCOPE"
  | "UNKNOWN_SOURCE"
  | "DISABLED_SOURCE"
  | "UNKNOWN_USER";

export type PolicyIssue = { severity: "error" | "warning"; code: PolicyIssueCode; path: string; message: string };

/** A known attribute key. Single-valued keys (one value per user) are what make contradictions possible. */
export type AttributeKeyInfo = { key: string; multiValued: boolean };

/** What the validator may check against; every part is optional and only enables its checks. */
export type ValidationContext = {
  attributeKeys?: readonly AttributeKeyInfo[];
  sources?: readonly DataSource[];
  userIds?: readonly string[];
  /** Groups are referenced by id: a name (or a deleted group) would silently match nobody. */
  groupIds?: readonly string[];
  /** Purposes are referenced by id too. */
  purposeIds?: readonly string[];
};

/**
 * Parses a policy definition and checks its meaning. Errors (structure, contradictions, a scope that
 * can never match) throw BAD_USER_INPUT with one field per problem; warnings come back for the UI.
 */
export function validatePolicy(input: unknown, ctx: ValidationContext = {}): { policy: SubscriptionPolicy; warnings: PolicyIssue[] } {
  const parsed = subscriptionPolicySchema.safeParse(input);
  if (!parsed.success) {
    const fieldIssues = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    throw badInput(`Invalid subscription policy: ${fieldIssues.map((f) => `${f.path || "policy"}: ${f.message}`).join("; ")}`, fieldIssues);
  }
  const issues = policyIssues(parsed.data, ctx);
  const errors = issues.filter((i) => i.severity === "error");
  if (errors.length > 0) {
    throw badInput(
      `Invalid subscription policy: ${errors.map((e) => e.message).join("; ")}`,
      errors.map((e) => ({ path: e.path, message: `${e.code}: ${e.message}` })),
    );
  }
  return { policy: parsed.data, warnings: issues };
}

/** Semantic checks of an already well-formed policy, errors and warnings alike. */
export function policyIssues(policy: SubscriptionPolicy, ctx: ValidationContext): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const r = policy.restriction;
  if (r.kind === "conditions") {
    const keys = ctx.attributeKeys === undefined ? null : new Map(ctx.attributeKeys.map((k) => [k.key, k]));
    const singleValued = (key: string) => keys?.get(key)?.multiValued === false;
    issues.push(...conditionLeafIssues(r.condition, "restriction.condition", ctx));
    const contradiction = unsatisfiable(r.condition, singleValued);
    if (contradiction !== null) {
      issues.push({ severity: "error", code: "CONTRADICTORY_CONDITION", path: "restriction.condition", message: contradiction });
    }
  }
  if (r.kind === "users" && ctx.userIds !== undefined) {
    const known = new Set(ctx.userIds);
    const unknown = r.userIds.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      issues.push({
        severity: "warning",
        code: "UNKNOWN_USER",
        path: "restriction.userIds",
        message: `unknown users: ${unknown.join(", ")}`,
      });
    }
  }
  if (ctx.sources !== undefined) issues.push(...scopeIssues(policy, ctx.sources));
  return issues;
}

/** Warnings for condition leaves naming groups, purposes or attribute keys the context does not know. */
export function conditionLeafIssues(condition: Condition, root: string, ctx: ValidationContext): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const keys = ctx.attributeKeys === undefined ? null : new Set(ctx.attributeKeys.map((k) => k.key));
  const groups = ctx.groupIds === undefined ? null : new Set(ctx.groupIds);
  const purposes = ctx.purposeIds === undefined ? null : new Set(ctx.purposeIds);
  walkLeaves(condition, root, (leaf, path) => {
    switch (leaf.kind) {
      case "group":
        if (groups !== null && !groups.has(leaf.group)) {
          issues.push({
            severity: "warning",
            code: "UNKNOWN_GROUP",
            path,
            message: `no group has the id ${leaf.group}; nobody matches it (groups are referenced by id, not by name)`,
          });
        }
        return;
      case "purpose":
        if (purposes !== null && !purposes.has(leaf.purpose)) {
          issues.push({
            severity: "warning",
            code: "UNKNOWN_PURPOSE",
            path,
            message: `no purpose has the id ${leaf.purpose}; nobody acts under it (purposes are referenced by id, not by name)`,
          });
        }
        return;
      case "attribute":
        if (keys !== null && !keys.has(leaf.key)) {
          issues.push({
            severity: "warning",
            code: "UNKNOWN_ATTRIBUTE_KEY",
            path,
            message: `no user attribute ${leaf.key} is known; nobody matches it yet`,
          });
        }
        return;
      default:
        assertNever(leaf, "condition leaf");
    }
  });
  return issues;
}

function scopeIssues(policy: SubscriptionPolicy, sources: readonly DataSource[]): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const matched = sources.filter((s) => scopeMatch(policy.scope, s) !== null);
  const disabled = matched.filter((s) => s.status === "DISABLED").map((s) => s.id);
  if (policy.scope.kind === "sources") {
    const known = new Set(sources.map((s) => s.id));
    const unknown = policy.scope.sourceIds.filter((id) => !known.has(id));
    if (matched.length === 0) {
      issues.push({ severity: "error", code: "EMPTY_SCOPE", path: "scope.sourceIds", message: "none of the listed data sources exists" });
    } else if (unknown.length > 0) {
      issues.push({
        severity: "warning",
        code: "UNKNOWN_SOURCE",
        path: "scope.sourceIds",
        message: `unknown data sources: ${unknown.join(", ")}`,
      });
    }
  } else if (matched.length === 0) {
    // A global scope may legitimately wait for sources to be registered or tagged.
    issues.push({ severity: "warning", code: "EMPTY_SCOPE", path: "scope", message: "the scope matches no data source yet" });
  }
  if (disabled.length > 0) {
    const all = disabled.length === matched.length;
    issues.push({
      severity: "warning",
      code: "DISABLED_SOURCE",
      path: "scope",
      message: `${all ? "every data source in scope is" : "some data sources in scope are"} disabled and grant nothing: ${disabled.join(", ")}`,
    });
  }
  return issues;
}

type Leaf = Extract<Condition, { kind: "group" | "purpose" | "attribute" }>;

function walkLeaves(c: Condition, path: string, visit: (leaf: Leaf, path: string) => void): void {
  switch (c.kind) {
    case "group":
    case "purpose":
    case "attribute":
      visit(c, path);
      return;
    case "and":
    case "or":
      c.conditions.forEach((child, i) => {
        walkLeaves(child, `${path}.conditions.${i}`, visit);
      });
      return;
    default:
      assertNever(c, "condition kind");
  }
}

/**
 * Why a condition can never hold, or null. Only single-valued keys can contradict: a user holds one
 * region, so `region anyOf [EU]` AND `region anyOf [US]` admits nobody, while a multi-valued key (or one
 * whose cardinality is unknown) lets a user hold both. Sound but not complete: an AND over ORs is not
 * expanded into disjunctive form, which could blow up exponentially.
 */
export function unsatisfiable(c: Condition, singleValued: (key: string) => boolean): string | null {
  switch (c.kind) {
    case "group":
    case "purpose":
      return null;
    case "attribute": {
      const distinct = new Set(c.values);
      return c.match === "allOf" && distinct.size > 1 && singleValued(c.key)
        ? `${c.key} is single-valued, so nobody holds all of [${[...distinct].join(", ")}]`
        : null;
    }
    case "or": {
      const reasons = c.conditions.map((child) => unsatisfiable(child, singleValued));
      return reasons.every((r) => r !== null) ? `no branch of the OR can hold (${reasons.join("; ")})` : null;
    }
    case "and": {
      for (const child of c.conditions) {
        const r = unsatisfiable(child, singleValued);
        if (r !== null) return r;
      }
      // Intersect what each single-valued key may be across the flattened conjunction.
      const allowed = new Map<string, Set<string>>();
      for (const leaf of conjuncts(c)) {
        if (leaf.kind !== "attribute" || !singleValued(leaf.key)) continue;
        const prev = allowed.get(leaf.key);
        const next = new Set(prev === undefined ? leaf.values : leaf.values.filter((v) => prev.has(v)));
        if (next.size === 0) return `${leaf.key} is single-valued, so no user meets every condition on it in this AND`;
        allowed.set(leaf.key, next);
      }
      return null;
    }
    default:
      return assertNever(c, "condition kind");
  }
}

function conjuncts(c: Condition): Condition[] {
  return c.kind === "and" ? c.conditions.flatMap(conjuncts) : [c];
}
