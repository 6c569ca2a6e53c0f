/**
 * Why a decision went the way it did, in words for the query audit: Trino itself only says "Access
 * Denied". Computed only when a record needs it (denials, and a few items of a batch), never for
 * every allowed item of a large filter.
 */
import { type ConditionTrace, explainAccess, type User } from "@steward/policy";
import type { AccessObject } from "../../access-types";
import type { TrinoPermission } from "../config";
import { type Principal, permissionsOf, type TrinoIndex } from "./index";

export type Words = { text: string; policyIds: string[] };

const list = (xs: readonly string[]) => (xs.length === 0 ? "none" : xs.join(", "));

/** Who the principal is, for the start of a sentence. */
export function who(p: Principal): string {
  if (p.kind === "groups") return `${p.account} (not known to Steward; Trino groups known to Steward: ${list(p.knownGroups ?? [])})`;
  return p.account;
}

export const unknownUser = (user: string): Words => ({
  text: `user ${user} not known to Steward (unknown Trino users are denied on this connection)`,
  policyIds: [],
});

/** A table permission was missing. */
export function tableDenial(
  index: TrinoIndex,
  p: Principal,
  permission: TrinoPermission,
  name: string,
  object: AccessObject | undefined,
): Words {
  const cfg = index.config;
  if (object === undefined) {
    return {
      text: `${permission} on ${name} denied: it is not registered in Steward and unregistered objects allow ${list(cfg.unregisteredOperations)}`,
      policyIds: [],
    };
  }
  if (!cfg.registeredOperations.includes(permission)) {
    return {
      text: `${permission} on ${name} denied: objects registered in Steward allow only ${list(cfg.registeredOperations)} on this connection`,
      policyIds: [],
    };
  }
  const level = p.levels.get(object.id);
  if (level !== undefined) {
    const grants = level === "WRITE" ? cfg.writeGrants : cfg.readGrants;
    return {
      text: `${permission} on ${name} denied: ${who(p)} holds a ${level} subscription, which allows ${list(grants.filter((g) => cfg.registeredOperations.includes(g)))}`,
      policyIds: [],
    };
  }
  const explained = explainSubscription(index, p, object.id);
  return {
    text: `${permission} on ${name} denied: ${who(p)} has no subscription to it${explained.text ? `; ${explained.text}` : ""}`,
    policyIds: explained.policyIds,
  };
}

/** A catalog/schema permission was missing. */
export function containerDenial(
  index: TrinoIndex,
  p: Principal,
  permission: TrinoPermission,
  name: string,
  registeredBelow: number,
): Words {
  if (!index.config.unregisteredOperations.includes(permission) || registeredBelow === 0) {
    return {
      text: `${permission} on ${name} denied: allowed outside registered objects: ${list(index.config.unregisteredOperations)}`,
      policyIds: [],
    };
  }
  return {
    text: `${permission} on ${name} denied: it holds ${registeredBelow} object(s) registered in Steward and ${who(p)} lacks ${permission} on at least one of them`,
    policyIds: [],
  };
}

export const invisible = (p: Principal, name: string): Words => ({
  text: `${name} hidden: ${who(p)} may read nothing registered in it, and unregistered objects are not readable on this connection`,
  policyIds: [],
});

/** For a known user: the subscription policies on the source and what the user lacks (libs/policy's explain). */
/** Explanations kept per principal: the index lives for one snapshot version, so they cannot go stale. */
const EXPLAINED_PER_PRINCIPAL = 512;

function explainSubscription(index: TrinoIndex, p: Principal, sourceId: string): Words {
  const known = p.explained.get(sourceId);
  if (known !== undefined) return known;
  const words = explainSubscriptionNow(index, p, sourceId);
  if (p.explained.size < EXPLAINED_PER_PRINCIPAL) p.explained.set(sourceId, words);
  return words;
}

function explainSubscriptionNow(index: TrinoIndex, p: Principal, sourceId: string): Words {
  const profile = p.profile;
  const policies = index.extras.unknownUsers.policies;
  if (p.kind !== "user" || profile === null || profile.userId === "") {
    // Unknown users have no facts to explain with; their groups are named by `who`.
    return { text: "", policyIds: [] };
  }
  const idsByName = index.extras.unknownUsers.groupIdsByName;
  const user: User = {
    id: profile.userId,
    active: true,
    groups: profile.groups.flatMap((g) => (Object.hasOwn(idsByName, g) ? [idsByName[g]!] : [])),
    attributes: profile.attributes,
    purposes: profile.purposes.flatMap((n) => {
      const id = index.extras.unknownUsers.purposeIdsByName?.[n];
      return id ? [id] : [];
    }),
  };
  const e = explainAccess({ ...policies, users: [user] }, user.id, sourceId, index.now());
  if (e.policies.length === 0) return { text: "no subscription policy applies to this data source", policyIds: [] };
  const names = groupNames(idsByName);
  for (const [n, id] of Object.entries(index.extras.unknownUsers.purposeIdsByName ?? {})) names.set(id, n);
  const parts = e.policies.map((v) => {
    const lacks = v.condition && !v.condition.satisfied ? missing(v.condition, names) : [];
    return `policy "${v.policyName}" (${v.accessType}): ${v.reason}${lacks.length ? ` (lacks ${lacks.join("; ")})` : ""}`;
  });
  return { text: `${parts.join("; ")}; merge rule ${e.mergeRule}`, policyIds: e.policies.map((v) => v.policyId) };
}

function groupNames(idsByName: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(idsByName).map(([n, id]) => [id, n]));
}

/** The unsatisfied leaves of a condition, as "member of group X", "region anyOf [EU]". */
function missing(t: ConditionTrace, names: Map<string, string>): string[] {
  if (t.satisfied) return [];
  switch (t.kind) {
    case "group":
      return [`membership of group ${names.get(t.group) ?? t.group}`];
    case "purpose":
      return [`a current project under purpose ${t.purpose}`];
    case "attribute":
      return [`attribute ${t.key} ${t.match} [${t.values.join(", ")}] (has [${t.userValues.join(", ")}])`];
    case "and":
      return t.children.flatMap((c) => missing(c, names));
    case "or": {
      const alternatives = t.children.map((c) => missing(c, names).join(" and ")).filter((s) => s.length > 0);
      return alternatives.length ? [`one of: ${alternatives.join(" | ")}`] : [];
    }
  }
}

/** The permissions a principal holds, for allowed reasons. */
export const holds = (bits: number) => list(permissionsOf(bits));
