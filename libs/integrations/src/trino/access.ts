/**
 * Trino's AccessPort: nothing is granted on the cluster. `apply` publishes the desired state as a
 * decision snapshot (decisions.ts) that every decision-service replica loads; `plan` says what that
 * would change; `drift` compares the published snapshot's hash with the desired one's.
 *
 * The snapshot is normalised (sorted lists, no delta scope, no hash salt) so its hash depends only on
 * the content: a new version whose content is unchanged is not re-published (`unchanged`).
 */
import { createHash } from "node:crypto";
import type { ProfileRow } from "@steward/policy";
import {
  type AccessApplyResult,
  type AccessConnection,
  type AccessDesiredState,
  type AccessDriftResult,
  type AccessEntry,
  type AccessError,
  type AccessPlanResult,
  type AccessPort,
  emptyCounts,
} from "../access-types";
import type { DecisionSnapshot, DecisionSnapshotStore } from "../decisions";

type State = DecisionSnapshot["state"];

/** Diff lines shown at most; the rest are counted. */
const MAX_DIFF_LINES = 200;

const elapsed = (started: number) => Math.round((performance.now() - started) * 100) / 100;
const storeMissing: AccessError = {
  code: "NO_SNAPSHOT_STORE",
  errorClass: "CONFIGURATION",
  message: "Trino decisions: no decision snapshot store was given to the adapter (the decision service is not set up)",
};

/** Canonical JSON: object keys sorted at every level, so equal content always hashes equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** sha256 of the state's content (its version excluded: a version bump alone changes nothing). */
export function stateHash(state: State): string {
  const { version: _version, ...content } = state;
  return createHash("sha256").update(canonicalJson(content)).digest("hex");
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The state to publish: the full desired state (a delta's scope merged into `previous`), sorted,
 * without `scope`, the hash salt or the delta flag. null when a delta has nothing to merge into.
 */
export function snapshotState(desired: AccessDesiredState, previous: State | null): State | { error: AccessError } {
  const decisions = desired.decisions;
  if (desired.scope === undefined) {
    if (decisions === undefined) return { error: noExtras() };
    return normalise({ ...desired, decisions, dataPolicies: desired.dataPolicies, access: desired.access, accounts: desired.accounts });
  }
  if (previous === null) {
    return {
      error: {
        code: "NO_BASE_SNAPSHOT",
        errorClass: "TRANSIENT",
        message: "Trino decisions: a user-scoped change needs a published snapshot to merge into; the next full reconcile publishes one",
      },
    };
  }
  // A delta is authoritative only for its accounts: everything else stays as published.
  const scope = new Set(desired.scope.accounts);
  const inScope = (a: string) => scope.has(a);
  const keep = <T>(xs: readonly T[], account: (x: T) => string) => xs.filter((x) => !inScope(account(x)));
  const accounts = [...keep(previous.accounts, (a) => a), ...desired.accounts.filter(inScope)];
  const access = [...keep(previous.access, (e) => e.accountName), ...desired.access.filter((e) => inScope(e.accountName))];
  const privileged = decisions
    ? [...keep(previous.decisions.privilegedAccounts, (a) => a), ...decisions.privilegedAccounts.filter(inScope)]
    : previous.decisions.privilegedAccounts;
  const dataPolicies = previous.dataPolicies && {
    ...previous.dataPolicies,
    profiles: [
      ...keep(previous.dataPolicies.profiles, (p) => p.accountName),
      ...(desired.dataPolicies?.profiles ?? []).filter((p) => inScope(p.accountName)),
    ],
  };
  return normalise({
    ...previous,
    version: desired.version,
    settings: desired.settings,
    accounts,
    access,
    dataPolicies,
    decisions: { ...previous.decisions, privilegedAccounts: privileged },
  });
}

function noExtras(): AccessError {
  return {
    code: "NO_DECISION_EXTRAS",
    errorClass: "PERMANENT",
    message: "Trino decisions: the desired state carries no decision extras (privileged accounts, unknown-user policies)",
  };
}

/** A desired state (with the salt) or a stored one (without): canonical order, never the salt. */
function normalise(
  s: Omit<AccessDesiredState, "dataPolicies"> & {
    dataPolicies?: State["dataPolicies"] | AccessDesiredState["dataPolicies"];
    decisions: State["decisions"];
  },
): State {
  const dp = s.dataPolicies;
  const state: State = {
    connectionId: s.connectionId,
    version: s.version,
    objects: [...s.objects].sort((a, b) => byString(a.id, b.id)),
    accounts: [...new Set(s.accounts)].sort(byString),
    access: [...s.access].sort((a, b) => byString(a.accountName, b.accountName) || byString(a.objectId, b.objectId)),
    settings: s.settings,
    decisions: { ...s.decisions, privilegedAccounts: [...new Set(s.decisions.privilegedAccounts)].sort(byString) },
  };
  if (dp) {
    // The salt never leaves the worker: the decision service derives it from its own keyring.
    const { hashSalt: _salt, systemCurrent: _current, ...rest } = dp as AccessDesiredState["dataPolicies"] & object;
    state.dataPolicies = {
      ...rest,
      views: [...dp.views].sort((a, b) => byString(a.sourceId, b.sourceId)),
      profiles: [...dp.profiles].sort((a, b) => byString(a.accountName, b.accountName)),
    };
  }
  return state;
}

/** Human-readable lines: a summary, then per-account access changes (capped). */
export function describeChange(
  state: State,
  previous: State | null,
): { statements: string[]; granted: number; revoked: number; other: number } {
  const sources = state.dataPolicies?.views.length ?? 0;
  const lines = [
    `publish decision snapshot v${state.version}: ${state.accounts.length} accounts, ${state.objects.length} objects, ${sources} data-policy sources`,
  ];
  const pathOf = new Map([...(previous?.objects ?? []), ...state.objects].map((o) => [o.id, o.path.join(".")]));
  const levels = (entries: readonly AccessEntry[]) => new Map(entries.map((e) => [`${e.accountName}\u0000${e.objectId}`, e]));
  const before = levels(previous?.access ?? []);
  const after = levels(state.access);
  const diff: string[] = [];
  let granted = 0;
  let revoked = 0;
  const line = (e: AccessEntry, sign: "+" | "-", level: string) =>
    `${e.accountName}: ${sign}${level} ${pathOf.get(e.objectId) ?? e.objectId}`;
  for (const [key, e] of after) {
    const old = before.get(key);
    if (old?.level === e.level) continue;
    // READ → WRITE adds WRITE; WRITE → READ takes WRITE away; nothing → X adds X.
    if (old?.level === "WRITE") {
      revoked++;
      diff.push(line(e, "-", "WRITE"));
    } else {
      granted++;
      diff.push(line(e, "+", e.level));
    }
  }
  for (const [key, e] of before) {
    if (after.has(key)) continue;
    revoked++;
    diff.push(line(e, "-", e.level));
  }
  const admins = new Set(state.decisions.privilegedAccounts);
  const oldAdmins = new Set(previous?.decisions.privilegedAccounts ?? []);
  const adminChanges = [
    ...[...admins].filter((a) => !oldAdmins.has(a)).map((a) => `${a}: +admin`),
    ...[...oldAdmins].filter((a) => !admins.has(a)).map((a) => `${a}: -admin`),
  ];
  diff.push(...adminChanges);
  const profileChanges = changedProfiles(state.dataPolicies?.profiles ?? [], previous?.dataPolicies?.profiles ?? []);
  if (profileChanges.length)
    diff.push(`data-policy profiles changed: ${profileChanges.slice(0, 20).join(", ")}${profileChanges.length > 20 ? ", …" : ""}`);
  diff.sort(byString);
  const shown = diff.slice(0, MAX_DIFF_LINES);
  if (diff.length > MAX_DIFF_LINES) shown.push(`… and ${diff.length - MAX_DIFF_LINES} more changes`);
  return { statements: [...lines, ...shown], granted, revoked, other: adminChanges.length + profileChanges.length };
}

function changedProfiles(now: readonly ProfileRow[], before: readonly ProfileRow[]): string[] {
  const old = new Map(before.map((p) => [p.accountName, canonicalJson(p)]));
  return now.filter((p) => old.get(p.accountName) !== canonicalJson(p)).map((p) => p.accountName);
}

type Prepared = { store: DecisionSnapshotStore; previous: DecisionSnapshot | null; state: State; hash: string } | { error: AccessError };

async function prepare(connection: AccessConnection, desired: AccessDesiredState): Promise<Prepared> {
  const store = connection.decisionSnapshots;
  if (store === undefined) return { error: storeMissing };
  let previous: DecisionSnapshot | null;
  try {
    previous = await store.read(desired.connectionId);
  } catch (err) {
    return { error: storeError("read", err) };
  }
  const state = snapshotState(desired, previous?.state ?? null);
  if ("error" in state) return state;
  return { store, previous, state, hash: stateHash(state) };
}

function storeError(what: string, err: unknown): AccessError {
  return {
    code: "SNAPSHOT_STORE_FAILED",
    errorClass: "TRANSIENT",
    message: `Trino decisions: could not ${what} the decision snapshot: ${err instanceof Error ? err.message : String(err)}`,
  };
}

export const trinoAccess: AccessPort = {
  async plan(connection, desired): Promise<AccessPlanResult> {
    const started = performance.now();
    const p = await prepare(connection, desired);
    if ("error" in p) return { kind: "failed", version: desired.version, error: p.error, durationMs: elapsed(started) };
    const unchanged = p.previous?.hash === p.hash;
    const change = describeChange(p.state, p.previous?.state ?? null);
    return {
      kind: "planned",
      version: desired.version,
      statements: unchanged ? [] : change.statements,
      counts: unchanged ? emptyCounts() : { granted: change.granted, revoked: change.revoked, accountsCreated: 0, other: change.other },
      findings: [],
      warnings: [],
      durationMs: elapsed(started),
    };
  },

  async apply(connection, desired): Promise<AccessApplyResult> {
    const started = performance.now();
    const p = await prepare(connection, desired);
    const failed = (error: AccessError, attempted: string[] = []): AccessApplyResult => ({
      kind: "failed",
      version: desired.version,
      error,
      statements: [],
      statementsAttempted: attempted,
      durationMs: elapsed(started),
    });
    if ("error" in p) return failed(p.error);
    if (p.previous?.hash === p.hash) return { kind: "unchanged", version: desired.version, warnings: [], durationMs: elapsed(started) };
    const change = describeChange(p.state, p.previous?.state ?? null);
    const snapshot: DecisionSnapshot = {
      connectionId: desired.connectionId,
      version: desired.version,
      hash: p.hash,
      publishedAt: new Date().toISOString(),
      state: p.state,
    };
    try {
      await p.store.publish(snapshot);
    } catch (err) {
      return failed(storeError("publish", err), change.statements);
    }
    return {
      kind: "applied",
      version: desired.version,
      statements: change.statements,
      counts: { granted: change.granted, revoked: change.revoked, accountsCreated: 0, other: change.other },
      warnings: [],
      durationMs: elapsed(started),
    };
  },

  async drift(connection, desired): Promise<AccessDriftResult> {
    const started = performance.now();
    const p = await prepare(connection, desired);
    if ("error" in p) return { kind: "failed", version: desired.version, error: p.error, durationMs: elapsed(started) };
    const findings =
      p.previous?.hash === p.hash
        ? []
        : [
            {
              kind: "SNAPSHOT_OUTDATED",
              repairable: true,
              publishedVersion: p.previous?.version ?? null,
              publishedHash: p.previous?.hash ?? null,
              desiredHash: p.hash,
              message: p.previous
                ? `the published decision snapshot v${p.previous.version} differs from the desired state`
                : "no decision snapshot is published",
            },
          ];
    return { kind: "drift", version: desired.version, findings, durationMs: elapsed(started) };
  },
};
