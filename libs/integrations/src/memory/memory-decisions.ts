/**
 * The smallest query-time (decision) adapter, for engine and service tests: `access.apply` publishes
 * the desired state as a DecisionSnapshot (a user-scoped delta merged into the previous one), and the
 * `decisions` port answers "may <user> <level> <path>" from an index built once per snapshot.
 * Register it under any kind (`deps.adapterFor`); it never names a real platform.
 */
import { createHash } from "node:crypto";
import { type AccessDesiredState, type AccessPort, emptyCounts } from "../access-types";
import type { PlatformAdapter } from "../adapter";
import type { DecisionAnswer, DecisionRecordDraft, DecisionSnapshot, DecisionsPort } from "../decisions";

export type MemoryDecisionIndex = {
  version: number;
  privileged: Set<string>;
  /** account → `path.join(".")` → level. */
  access: Map<string, Map<string, "READ" | "WRITE">>;
  /** Kept to prove the service hands every index the deployment's salt. */
  hashSalt: string;
};

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** A delta replaces only the scope's accounts; everything else comes from the previous snapshot. */
function merge(previous: DecisionSnapshot["state"] | undefined, desired: AccessDesiredState): DecisionSnapshot["state"] {
  const decisions = desired.decisions ?? previous?.decisions;
  if (!decisions) throw new Error("desired state without decision extras");
  if (!desired.scope || !previous) {
    const { scope: _scope, ...full } = desired;
    return { ...full, decisions };
  }
  const scoped = new Set(desired.scope.accounts);
  return {
    ...previous,
    version: desired.version,
    objects: desired.objects,
    accounts: [...new Set([...previous.accounts.filter((a) => !scoped.has(a)), ...desired.accounts])].sort(),
    access: [...previous.access.filter((a) => !scoped.has(a.accountName)), ...desired.access],
    decisions,
  };
}

const failed = (version: number, message: string, started: number) => ({
  kind: "failed" as const,
  version,
  error: { code: "PUBLISH_FAILED", errorClass: "TRANSIENT" as const, message },
  statements: [],
  statementsAttempted: [],
  durationMs: Date.now() - started,
});

export const memoryDecisionAccess: AccessPort = {
  async plan(_connection, desired) {
    return { kind: "planned", version: desired.version, statements: [], counts: emptyCounts(), findings: [], warnings: [], durationMs: 0 };
  },
  async apply(connection, desired) {
    const started = Date.now();
    const store = connection.decisionSnapshots;
    if (!store) return failed(desired.version, "no decision snapshot store", started);
    try {
      const previous = await store.read(desired.connectionId);
      const state = merge(previous?.state, desired);
      await store.publish({
        connectionId: desired.connectionId,
        version: desired.version,
        hash: sha256(JSON.stringify(state)),
        publishedAt: new Date().toISOString(),
        state,
      });
      return {
        kind: "applied",
        version: desired.version,
        statements: [`PUBLISH SNAPSHOT v${desired.version}`],
        counts: emptyCounts(),
        warnings: [],
        durationMs: Date.now() - started,
      };
    } catch (err) {
      return failed(desired.version, (err as Error).message, started);
    }
  },
  async drift(_connection, desired) {
    return { kind: "drift", version: desired.version, findings: [], durationMs: 0 };
  },
};

type AllowInput = { user: string; path: string[]; level: "READ" | "WRITE"; queryId?: string };

function parseAllow(input: unknown): AllowInput | string {
  if (typeof input !== "object" || input === null) return "missing input";
  const i = input as Record<string, unknown>;
  if (typeof i.user !== "string" || i.user.length === 0) return "input.user must be a non-empty string";
  if (!Array.isArray(i.path) || !i.path.every((p) => typeof p === "string")) return "input.path must be a list of strings";
  if (i.level !== "READ" && i.level !== "WRITE") return "input.level must be READ or WRITE";
  return { user: i.user, path: i.path as string[], level: i.level, ...(typeof i.queryId === "string" ? { queryId: i.queryId } : {}) };
}

function decide(index: MemoryDecisionIndex, q: AllowInput): DecisionRecordDraft {
  const resource = q.path.join(".").slice(0, 300);
  const base = { user: q.user, userId: null, operation: q.level, resource, policyIds: [], queryId: q.queryId ?? null };
  if (index.privileged.has(q.user)) return { ...base, allowed: true, reason: "Steward admin" };
  const held = index.access.get(q.user)?.get(q.path.join("."));
  const allowed = held === "WRITE" || held === q.level;
  return { ...base, allowed, reason: allowed ? `subscribed (${held})` : held ? `only ${held} access` : "no subscription" };
}

const bad = (message: string): DecisionAnswer => ({ status: 400, body: { error: message }, records: [] });

export const memoryDecisions: DecisionsPort<MemoryDecisionIndex> = {
  endpoints: ["allow", "batch"],
  buildIndex(snapshot, _config, context) {
    const pathOf = new Map(snapshot.state.objects.map((o) => [o.id, o.path.join(".")]));
    const access = new Map<string, Map<string, "READ" | "WRITE">>();
    for (const a of snapshot.state.access) {
      const path = pathOf.get(a.objectId);
      if (path === undefined) continue;
      (access.get(a.accountName) ?? access.set(a.accountName, new Map()).get(a.accountName)!).set(path, a.level);
    }
    return {
      version: snapshot.version,
      privileged: new Set(snapshot.state.decisions.privilegedAccounts),
      access,
      hashSalt: context.hashSalt,
    };
  },
  answer(index, endpoint, body) {
    const input = (body as { input?: unknown } | null)?.input;
    if (endpoint === "allow") {
      const q = parseAllow(input);
      if (typeof q === "string") return bad(q);
      const record = decide(index, q);
      return { status: 200, body: { result: record.allowed }, records: [record] };
    }
    if (endpoint === "batch") {
      const items = (input as { items?: unknown } | undefined)?.items;
      if (!Array.isArray(items)) return bad("input.items must be a list");
      const parsed = items.map(parseAllow);
      const problem = parsed.find((p) => typeof p === "string");
      if (problem !== undefined) return bad(problem as string);
      const records = (parsed as AllowInput[]).map((q) => decide(index, q));
      return { status: 200, body: { result: records.flatMap((r, i) => (r.allowed ? [i] : [])) }, records };
    }
    return { status: 404, body: { error: `unknown endpoint ${endpoint}` }, records: [] };
  },
  // Only `allow` has a safe deny here; `batch` is left to the service's 503 so both paths are tested.
  failClosed(endpoint, body, reason) {
    if (endpoint !== "allow") return null;
    const q = parseAllow((body as { input?: unknown } | null)?.input);
    if (typeof q === "string") return bad(q);
    const record: DecisionRecordDraft = {
      user: q.user,
      userId: null,
      operation: q.level,
      resource: q.path.join(".").slice(0, 300),
      allowed: false,
      reason,
      policyIds: [],
      queryId: q.queryId ?? null,
    };
    return { status: 200, body: { result: false }, records: [record] };
  },
  clientConfig: ({ baseUrl, connectionId, token }) => [
    { fileName: "memory.properties", content: `url=${baseUrl}/decisions/MEMORY/${connectionId}/${token}/allow\n` },
  ],
};

/** A decision platform under a test kind: access publishes snapshots, decisions answers from them. */
export function memoryDecisionAdapter(): PlatformAdapter {
  return {
    label: "In-memory decisions",
    supported: true,
    capabilities: { catalog: false, access: true, drift: true, decisions: true, dataPolicies: false, revokeUnmanaged: false },
    connectionFields: [],
    access: memoryDecisionAccess,
    decisions: memoryDecisions as DecisionsPort,
    accounts: {
      validate: (name) => (name.length === 0 || name.length > 255 ? "must be 1 to 255 characters" : null),
      canonical: (name) => name,
      reserved: [],
      forConnection: () => ({ validate: () => null, canonical: (name: string) => name }),
    },
    classifyError: () => "TRANSIENT",
  };
}
