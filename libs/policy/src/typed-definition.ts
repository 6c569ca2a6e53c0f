import { badInput, type FieldIssue } from "@steward/core";
import type { DataPolicyDefinition } from "./data/schema";
import { type GrammarType, type GrammarUnionName, grammarUnion, typedMemberOf } from "./grammar";
import type { Condition, Restriction, Scope } from "./types";

/**
 * The typed ("one of") form of a policy definition, as the GraphQL API takes it:
 * `{ restriction: { conditions: { and: [{ group: "g1" }, { attribute: { key, match, values } }] } },
 *    scope: { sources: ["s1"] } }`. It maps one-to-one onto the engine's `{ kind, ... }` format
 * following the grammar (grammar.ts), so nothing here names a variant.
 */
export type TypedDefinition = { restriction: unknown; scope: unknown };

export type FromTypedResult = {
  /** In the engine's format, not yet validated: pass it to validatePolicy. */
  definition: { restriction: Restriction; scope: Scope };
  /** Rewrites a path in the engine's format (`restriction.condition.conditions.1.key`) to the typed input's. */
  typedPath: (enginePath: string) => string;
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Converts a typed definition into the engine's format. Only the "one of" structure is checked here
 * (exactly one member, flags set to true); everything else is left to the engine's own schema, whose
 * error paths `typedPath` then translates, so both kinds of error point at the field the caller sent.
 */
export function fromTypedDefinition(input: unknown, root = "definition"): FromTypedResult {
  const { definition, typedPath } = convertTyped(
    input,
    [
      { field: "restriction", union: "Restriction", optional: false },
      { field: "scope", union: "Scope", optional: false },
    ],
    root,
    "policy definition",
  );
  return { definition: definition as FromTypedResult["definition"], typedPath };
}

/** The typed form of a data policy definition: `{ scope: { sourceTag: "PII" }, rule: { mask: {...} }, except: {...} }`. */
export type FromTypedDataPolicyResult = {
  /** In the engine's format, not yet validated: pass it to validateDataPolicy. */
  definition: DataPolicyDefinition;
  /** Rewrites an engine path (`rule.mask.pattern`, optionally prefixed `definition.`) to the typed input's. */
  typedPath: (enginePath: string) => string;
};

/** Like fromTypedDefinition, for data policies (scope, rule and the optional `except` condition). */
export function fromTypedDataPolicyDefinition(input: unknown, root = "definition"): FromTypedDataPolicyResult {
  const { definition, typedPath } = convertTyped(
    input,
    [
      { field: "scope", union: "DataPolicyScope", optional: false },
      { field: "rule", union: "DataPolicyRule", optional: false },
      { field: "except", union: "Condition", optional: true },
    ],
    root,
    "data policy definition",
  );
  return { definition: definition as DataPolicyDefinition, typedPath };
}

type RootMember = { field: string; union: GrammarUnionName; optional: boolean };

function convertTyped(
  input: unknown,
  rootMembers: readonly RootMember[],
  root: string,
  what: string,
): { definition: Record<string, unknown>; typedPath: (enginePath: string) => string } {
  const paths = new Map<string, string>();
  const issues: FieldIssue[] = [];

  const convertType = (t: GrammarType, value: unknown, typed: string, engine: string): unknown => {
    paths.set(engine, typed);
    if (value === null || value === undefined) return value;
    switch (t.type) {
      case "union":
        return convertUnion(t.name, value, typed, engine);
      case "list":
        return Array.isArray(value) ? value.map((item, i) => convertType(t.of, item, `${typed}[${i}]`, `${engine}.${i}`)) : value;
      case "string":
      case "int":
      case "float":
      case "enum":
        return value;
    }
  };

  const convertUnion = (name: GrammarUnionName, value: unknown, typed: string, engine: string): unknown => {
    paths.set(engine, typed);
    const union = grammarUnion(name);
    const members = union.variants.map((v) => v.kind);
    if (!isRecord(value)) {
      issues.push({ path: typed, message: `must be an object with exactly one of: ${members.join(", ")}` });
      return undefined;
    }
    const set = Object.keys(value).filter((k) => value[k] !== null && value[k] !== undefined);
    const unknown = set.filter((k) => !members.includes(k));
    if (unknown.length > 0) {
      issues.push({ path: typed, message: `unknown ${name.toLowerCase()} ${unknown.join(", ")}; expected one of: ${members.join(", ")}` });
      return undefined;
    }
    const [kind] = set;
    if (set.length !== 1 || kind === undefined) {
      issues.push({
        path: typed,
        message: `set exactly one of: ${members.join(", ")} (got ${set.length === 0 ? "none" : set.join(", ")})`,
      });
      return undefined;
    }
    const variant = union.variants.find((v) => v.kind === kind);
    if (!variant) return undefined; // unreachable: kind is one of the members
    const memberPath = `${typed}.${kind}`;
    const payload = value[kind];
    const member = typedMemberOf(variant);
    switch (member.form) {
      case "flag":
        if (payload !== true) issues.push({ path: memberPath, message: "must be true" });
        return { [union.discriminator]: kind };
      case "value":
        return {
          [union.discriminator]: kind,
          [member.field.name]: convertType(member.field.of, payload, memberPath, `${engine}.${member.field.name}`),
        };
      case "object": {
        if (!isRecord(payload)) {
          issues.push({ path: memberPath, message: "must be an object" });
          return undefined;
        }
        const out: Record<string, unknown> = { [union.discriminator]: kind };
        for (const field of variant.fields) {
          const v = payload[field.name];
          if ((v === null || v === undefined) && field.optional) continue;
          out[field.name] = convertType(field.of, v, `${memberPath}.${field.name}`, `${engine}.${field.name}`);
        }
        return out;
      }
    }
  };

  const required = rootMembers.filter((m) => !m.optional).map((m) => m.field);
  if (!isRecord(input)) {
    throw badInput(`Invalid ${what}: ${required.join(" and ")} ${required.length > 1 ? "are" : "is"} required`, [
      { path: root, message: "is required" },
    ]);
  }
  const definition: Record<string, unknown> = {};
  for (const m of rootMembers) {
    const v = input[m.field];
    if ((v === null || v === undefined) && m.optional) continue;
    definition[m.field] = convertUnion(m.union, v, `${root}.${m.field}`, m.field);
  }
  if (issues.length > 0) {
    throw badInput(`Invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
  }

  const typedPath = (enginePath: string): string => {
    const parts = (enginePath.startsWith(`${root}.`) ? enginePath.slice(root.length + 1) : enginePath).split(".");
    for (let n = parts.length; n > 0; n--) {
      const prefix = paths.get(parts.slice(0, n).join("."));
      if (prefix === undefined) continue;
      return parts.slice(n).reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : `${acc}.${p}`), prefix);
    }
    return enginePath;
  };
  return { definition, typedPath };
}

/** Levels of a condition tree (a leaf is 1), so a client reading a fixed depth can tell it saw it all. */
export function conditionDepth(c: Condition): number {
  return c.kind === "and" || c.kind === "or" ? 1 + Math.max(0, ...c.conditions.map(conditionDepth)) : 1;
}
