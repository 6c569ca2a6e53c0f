import type { Condition, DataSource, PolicySnapshot, SubscriptionPolicy, User } from "./types";

/** Builders and a seeded random snapshot for the engine's tests (not exported from the package). */

export function user(id: string, over: Partial<User> = {}): User {
  return { id, active: true, groups: [], attributes: {}, ...over };
}

export function source(id: string, over: Partial<DataSource> = {}): DataSource {
  return { id, connectionId: "conn-1", location: { database: "db", schema: "public", object: id }, tags: [], status: "ACTIVE", ...over };
}

export function policy(id: string, over: Partial<SubscriptionPolicy> = {}): SubscriptionPolicy {
  return {
    id,
    name: `policy ${id}`,
    accessType: "READ",
    restriction: { kind: "anyone" },
    scope: { kind: "sources", sourceIds: [] },
    ...over,
  };
}

/** mulberry32: tiny, fast, and good enough to make property tests reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;
export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
export const some = <T>(rng: Rng, items: readonly T[], max: number): T[] => {
  const n = Math.floor(rng() * (max + 1));
  return [...new Set(Array.from({ length: n }, () => pick(rng, items)))];
};

const GROUPS = ["eng", "finance", "hr", "sales", "ops"];
const REGIONS = ["EU", "US", "APAC"];
const TAGS = ["PII", "PII.Email", "PII.Phone", "Finance", "Finance.Revenue", "Public"];

export function randomUser(rng: Rng, id: string): User {
  return {
    id,
    active: rng() > 0.1,
    groups: some(rng, GROUPS, 2),
    attributes: { region: some(rng, REGIONS, 2), level: some(rng, ["1", "2", "3"], 1) },
  };
}

function randomCondition(rng: Rng, depth: number): Condition {
  const r = rng();
  if (depth > 0 && r < 0.3) {
    return {
      kind: rng() < 0.5 ? "and" : "or",
      conditions: Array.from({ length: 1 + Math.floor(rng() * 3) }, () => randomCondition(rng, depth - 1)),
    };
  }
  if (r < 0.6) return { kind: "group", group: pick(rng, GROUPS) };
  return {
    kind: "attribute",
    key: pick(rng, ["region", "level"]),
    match: rng() < 0.7 ? "anyOf" : "allOf",
    values: some(rng, [...REGIONS, "1", "2"], 2),
  };
}

/** A small snapshot exercising every restriction, scope, merge rule, approval and subscription path. */
export function randomSnapshot(seed: number, nUsers = 40, nSources = 30, nPolicies = 12): PolicySnapshot {
  const rng = prng(seed);
  const users = Array.from({ length: nUsers }, (_, i) => randomUser(rng, `u${i}`));
  const sources: DataSource[] = Array.from({ length: nSources }, (_, i) => ({
    id: `s${i}`,
    connectionId: pick(rng, ["c1", "c2"]),
    location: { database: pick(rng, ["d1", "d2"]), schema: pick(rng, ["sa", "sb"]), object: `t${i}` },
    tags: some(rng, TAGS, 2),
    status: rng() < 0.1 ? "DISABLED" : "ACTIVE",
    ...(rng() < 0.3 ? { mergeRule: pick(rng, ["ALL", "ANY"] as const) } : {}),
  }));
  const policies: SubscriptionPolicy[] = Array.from({ length: nPolicies }, (_, i) => {
    const kind = pick(rng, ["anyone", "anyoneWhoAsks", "conditions", "conditions", "users"] as const);
    const restriction: SubscriptionPolicy["restriction"] =
      kind === "conditions"
        ? { kind, condition: randomCondition(rng, 2) }
        : kind === "users"
          ? {
              kind,
              userIds: some(
                rng,
                users.map((u) => u.id),
                6,
              ),
            }
          : { kind };
    const scopeKind = pick(rng, ["sources", "tag", "connection", "schema"] as const);
    const scope: SubscriptionPolicy["scope"] =
      scopeKind === "sources"
        ? {
            kind: "sources",
            sourceIds: some(
              rng,
              sources.map((s) => s.id),
              6,
            ),
          }
        : scopeKind === "tag"
          ? { kind: "tag", tag: pick(rng, TAGS) }
          : scopeKind === "connection"
            ? { kind: "connection", connectionId: pick(rng, ["c1", "c2"]) }
            : {
                kind: "schema",
                connectionId: pick(rng, ["c1", "c2"]),
                schema: pick(rng, ["sa", "sb"]),
                ...(rng() < 0.5 ? { database: "d1" } : {}),
              };
    return { id: `p${String(i).padStart(2, "0")}`, name: `P${i}`, accessType: rng() < 0.4 ? "WRITE" : "READ", restriction, scope };
  });
  const at = (h: number) => new Date(Date.UTC(2026, 10, 24, h));
  const maybeExpiry = () => (rng() < 0.5 ? null : at(Math.floor(rng() * 24)));
  const accessRequests = Array.from({ length: nUsers }, (_, i) => ({
    id: `r${i}`,
    userId: pick(rng, users).id,
    sourceId: pick(rng, sources).id,
    status: pick(rng, ["APPROVED", "APPROVED", "PENDING", "DENIED"] as const),
    expiresAt: maybeExpiry(),
  }));
  const subscriptions = Array.from({ length: Math.floor(nUsers / 2) }, (_, i) => ({
    id: `m${i}`,
    userId: pick(rng, users).id,
    sourceId: pick(rng, sources).id,
    accessType: pick(rng, ["READ", "WRITE"] as const),
    expiresAt: maybeExpiry(),
  }));
  return { users, sources, policies, accessRequests, subscriptions, settings: { defaultMergeRule: pick(rng, ["ALL", "ANY"] as const) } };
}
