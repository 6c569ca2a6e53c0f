import { assertNever } from "@steward/core";
import type { Condition } from "../types";
import type { Expr, Mask, ProfileRow, RowRule } from "./types";

/**
 * Building blocks of data-policy explanations (explain.ts): the "for everyone except" condition traced
 * against a user's profile facts, and one-line descriptions of masks and row rules.
 *
 * The trace must agree with what the policy view computes, so it follows `exceptExpr` in resolve.ts
 * exactly: conditions name groups and purposes by id, profiles carry names; an id with no name
 * (deleted group or purpose) exempts nobody; empty and / or / allOf / anyOf are never satisfied.
 * explain.test.ts holds the two against each other on random conditions.
 */

/**
 * What explain reads about the user: the facts their profile row holds (names, not ids). `sources`
 * (the subscription decision) is optional: when given, explain also says whether the view's
 * subscription guard lets the user see any row at all.
 */
export type ExplainProfile = Pick<ProfileRow, "username" | "groups" | "attributes" | "purposes"> & { sources?: readonly string[] };

export type ExceptionTrace =
  /** `groupName` null: the id names no group any more, so nobody is exempt through it. */
  | { kind: "group"; groupId: string; groupName: string | null; satisfied: boolean }
  | {
      kind: "purpose";
      purposeId: string;
      purposeName: string | null;
      /** Purposes of the user's current project (names), so a miss can be explained. */
      userPurposes: readonly string[];
      satisfied: boolean;
    }
  | {
      kind: "attribute";
      key: string;
      match: "anyOf" | "allOf";
      values: readonly string[];
      userValues: readonly string[];
      /** Required values the user lacks (for allOf: what is missing; for anyOf: all of them when unsatisfied). */
      missing: readonly string[];
      satisfied: boolean;
    }
  | { kind: "and" | "or"; satisfied: boolean; children: ExceptionTrace[] };

export type NameMaps = { groupNames: ReadonlyMap<string, string>; purposeNames: ReadonlyMap<string, string> };

export function traceException(c: Condition, profile: ExplainProfile, names: NameMaps): ExceptionTrace {
  switch (c.kind) {
    case "group": {
      const groupName = names.groupNames.get(c.group) ?? null;
      return { kind: "group", groupId: c.group, groupName, satisfied: groupName !== null && profile.groups.includes(groupName) };
    }
    case "purpose": {
      const purposeName = names.purposeNames.get(c.purpose) ?? null;
      return {
        kind: "purpose",
        purposeId: c.purpose,
        purposeName,
        userPurposes: profile.purposes,
        satisfied: purposeName !== null && profile.purposes.includes(purposeName),
      };
    }
    case "attribute": {
      const userValues = profile.attributes[c.key] ?? [];
      const values = [...new Set(c.values)];
      const missing = values.filter((v) => !userValues.includes(v));
      const satisfied = values.length > 0 && (c.match === "anyOf" ? missing.length < values.length : missing.length === 0);
      return {
        kind: "attribute",
        key: c.key,
        match: c.match,
        values,
        userValues,
        missing: satisfied && c.match === "anyOf" ? [] : missing,
        satisfied,
      };
    }
    case "and":
    case "or": {
      const children = c.conditions.map((x) => traceException(x, profile, names));
      const satisfied = c.kind === "and" ? children.length > 0 && children.every((x) => x.satisfied) : children.some((x) => x.satisfied);
      return { kind: c.kind, satisfied, children };
    }
    default:
      return assertNever(c, "condition kind");
  }
}

/** "you are in group HR" / "you are not acting under purpose Audit" — the decisive leaves, joined. */
export function describeTrace(t: ExceptionTrace): string {
  switch (t.kind) {
    case "group":
      if (t.groupName === null) return `group ${t.groupId} no longer exists`;
      return t.satisfied ? `you are in group ${t.groupName}` : `you are not in group ${t.groupName}`;
    case "purpose": {
      if (t.purposeName === null) return `purpose ${t.purposeId} no longer exists`;
      if (t.satisfied) return `your current project acts under purpose ${t.purposeName}`;
      const under = t.userPurposes.length === 0 ? "no purpose" : t.userPurposes.join(", ");
      return `your current project acts under ${under}, not purpose ${t.purposeName}`;
    }
    case "attribute": {
      const yours = t.userValues.length === 0 ? "none" : t.userValues.join(", ");
      if (t.values.length === 0) return `the attribute condition on ${t.key} lists no values`;
      if (t.satisfied) {
        const held = t.values.filter((v) => t.userValues.includes(v));
        return `your ${t.key} is ${held.join(", ")}`;
      }
      return t.match === "anyOf"
        ? `your ${t.key} is ${yours}, not any of ${t.values.join(", ")}`
        : `your ${t.key} lacks ${t.missing.join(", ")}`;
    }
    case "and":
    case "or": {
      if (t.children.length === 0) return `an empty ${t.kind.toUpperCase()} condition is never satisfied`;
      // The children that agree with the outcome decided it: for a failed AND the missing parts, for a
      // met OR the parts that hold, otherwise all of them.
      return t.children
        .filter((c) => c.satisfied === t.satisfied)
        .map(describeTrace)
        .join(" and ");
    }
    default:
      return assertNever(t, "exception trace");
  }
}

export function describeMask(m: Mask): string {
  switch (m.kind) {
    case "null":
      return "replaced by NULL";
    case "constant":
      return `replaced by the constant ${JSON.stringify(m.value)}`;
    case "hash":
      return "hashed (salted SHA-256)";
    case "regexReplace":
      return `every match of /${m.pattern}/ replaced by ${JSON.stringify(m.replacement)}`;
    case "roundNumber":
      return `rounded down to a multiple of ${m.bucket}`;
    case "roundDate":
      return `truncated to the ${m.unit}`;
    case "showLast":
      return `all but the last ${m.count} characters replaced by *`;
    default:
      return assertNever(m, "mask");
  }
}

export function describeRowRule(r: RowRule): string {
  switch (r.kind) {
    case "matchAttribute":
      return `only rows whose ${r.column} is one of your values of ${r.attribute}`;
    case "matchGroups":
      return `only rows whose ${r.column} is one of your groups`;
    case "where":
      return `only rows where ${r.sql}`;
    case "timeWindow":
      return `only rows whose ${r.column} is within the last ${r.days} days`;
    case "minimize":
      return `a deterministic ${r.percent} % sample of the rows (by ${r.column})`;
    default:
      return assertNever(r, "row rule");
  }
}

/** A profile fact a custom WHERE reads (`@groupsContains('HR')` …) and whether it holds for this user. */
export type ProfileFact =
  | { kind: "username"; username: string }
  | { kind: "groups" | "purposes"; value: string; holds: boolean }
  | { kind: "attributeValues"; key: string; value: string; holds: boolean };

/** The macros of a parsed WHERE evaluated for the user (literal membership tests and @username). */
export function profileFactsOf(e: Expr, profile: ExplainProfile): ProfileFact[] {
  const out: ProfileFact[] = [];
  const seen = new Set<string>();
  const add = (f: ProfileFact) => {
    const key = JSON.stringify(f);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(f);
    }
  };
  const walk = (x: Expr): void => {
    switch (x.k) {
      case "profile":
        add({ kind: "username", username: profile.username });
        return;
      case "inProfileSet":
        if (x.value.k === "literal" && x.value.value.k === "text") {
          const v = x.value.value.value;
          if (x.set.k === "attributeValues")
            add({ kind: "attributeValues", key: x.set.key, value: v, holds: (profile.attributes[x.set.key] ?? []).includes(v) });
          else if (x.set.k === "groups" || x.set.k === "purposes")
            add({ kind: x.set.k, value: v, holds: (x.set.k === "groups" ? profile.groups : profile.purposes).includes(v) });
        }
        walk(x.value);
        return;
      case "and":
      case "or":
        x.args.forEach(walk);
        return;
      case "not":
        walk(x.arg);
        return;
      case "inList":
        walk(x.value);
        x.list.forEach(walk);
        return;
      case "compare":
        walk(x.left);
        walk(x.right);
        return;
      case "isNull":
      case "like":
        walk(x.arg);
        return;
      case "between":
        walk(x.arg);
        walk(x.low);
        walk(x.high);
        return;
      case "call":
        x.args.forEach(walk);
        return;
      case "case":
        walk(x.when);
        walk(x.then);
        walk(x.else);
        return;
      case "mask":
        walk(x.arg);
        return;
      case "column":
      case "literal":
      case "withinDays":
      case "sample":
        return;
      default:
        assertNever(x, "expression");
    }
  };
  walk(e);
  return out;
}
