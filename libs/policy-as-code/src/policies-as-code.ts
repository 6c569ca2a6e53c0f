import {
  connectionsOfChanges,
  countGainsAndLosses,
  isReconciledKind,
  loadDataPolicyInput,
  loadPolicySnapshot,
  planConnectionStatements,
  requirePolicyReader,
  sourceImpact,
  toEngineDataPolicy,
  toEnginePolicy,
} from "@steward/access";
import { type Actor, conflict, parseInput, type SecretBox } from "@steward/core";
import { type Db, type Tx, transaction } from "@steward/db";
import { type AdapterLookup, adapterFor } from "@steward/integrations";
import { type DataPolicy, diffAccess, evaluateAll, levelOf, resolveDataPolicies, type SubscriptionPolicy } from "@steward/policy";
import { stringify } from "yaml";
import { z } from "zod";
import { type ApplySummary, applyDocument } from "./apply";
import { hasChanges, type ObjectChange } from "./diff";
import { loadLiveState } from "./live-state";
import { type Format, parsePolicyDocument } from "./parse";

export type PolicyAsCodeDeps = { db: Db; secretBox: SecretBox; adapterFor?: AdapterLookup; now?: () => Date };

/** A whole file's writes can be thousands of rows; the default interactive-transaction budget is too short. */
const APPLY_TIMEOUT_MS = 120_000;

export type PlatformEffect = { connection: string; kind: string; statements: string[]; error: string | null };
export type PolicyPlan = ApplySummary & {
  digest: string;
  changed: boolean;
  /** (user, source) pairs whose subscription level the file raises or lowers. */
  gainedCount: number;
  lostCount: number;
  /** Per connection that enforces access (or data policies), the statements its next reconcile would run. */
  platforms: PlatformEffect[];
};

const DocumentInput = z.object({ document: z.string() });

/** Thrown inside the dry run's transaction so that it rolls back with what it learnt. */
class DryRun extends Error {
  constructor(
    readonly summary: ApplySummary,
    readonly policies: SubscriptionPolicy[],
    readonly dataPolicies: DataPolicy[],
  ) {
    super("dry run");
  }
}

async function proposedPolicies(tx: Tx) {
  const [policies, dataPolicies] = await Promise.all([
    tx.subscriptionPolicy.findMany({ where: { deletedAt: null }, orderBy: { id: "asc" } }),
    tx.dataPolicy.findMany({ where: { deletedAt: null }, orderBy: { id: "asc" } }),
  ]);
  return { policies: policies.map(toEnginePolicy), dataPolicies: dataPolicies.map(toEngineDataPolicy) };
}

/**
 * What applying a file would change: the same code path as `applyPolicies`, run in a transaction that
 * is always rolled back (so reference, engine and dependency errors surface here with their lines),
 * then the per-platform effect from each affected connection's own planner. Nothing is written.
 */
export async function planPolicies(deps: PolicyAsCodeDeps, actor: Actor | null, input: unknown): Promise<PolicyPlan> {
  const reader = requirePolicyReader(actor);
  const { document } = parseInput(DocumentInput, input);
  const parsed = parsePolicyDocument(document);
  let dry: DryRun | null = null;
  try {
    await transaction(
      deps.db,
      async (tx) => {
        const summary = await applyDocument(tx, reader, parsed, { authorize: false });
        const proposed = await proposedPolicies(tx);
        throw new DryRun(summary, proposed.policies, proposed.dataPolicies);
      },
      { timeoutMs: APPLY_TIMEOUT_MS, maxRetries: 0 },
    );
  } catch (err) {
    if (!(err instanceof DryRun)) throw err;
    dry = err;
  }
  if (!dry) throw new Error("dry run ended without a result");
  const policyChanged = dry.summary.changes.some(
    (c) => c.action !== "UNCHANGED" && (c.section === "subscriptionPolicies" || c.section === "dataPolicies"),
  );
  const effect = policyChanged
    ? await platformEffect(deps, dry.policies, dry.dataPolicies)
    : { gainedCount: 0, lostCount: 0, platforms: [] };
  return { ...dry.summary, digest: parsed.digest, changed: hasChanges(dry.summary.changes), ...effect };
}

async function platformEffect(deps: PolicyAsCodeDeps, policies: SubscriptionPolicy[], dataPolicies: DataPolicy[]) {
  const now = deps.now?.() ?? new Date();
  const base = await loadPolicySnapshot(deps.db);
  const before = evaluateAll(base, now);
  const after = evaluateAll({ ...base, policies }, now);
  const changes = diffAccess(before, after).flatMap((d) =>
    [...new Set([...d.gainedRead, ...d.lostRead, ...d.gainedWrite, ...d.lostWrite])].map((userId) => ({
      dataSourceId: d.sourceId,
      userId,
      before: levelOf(before, userId, d.sourceId),
      after: levelOf(after, userId, d.sourceId),
    })),
  );
  const accessConnections = (await connectionsOfChanges(deps.db, changes)).filter((c) => isReconciledKind(c.kind)).map((c) => c.id);

  const facts = await loadDataPolicyInput(deps.db);
  const viewsBefore = resolveDataPolicies(facts);
  const viewsAfter = resolveDataPolicies({ ...facts, policies: dataPolicies });
  const lookup = deps.adapterFor ?? adapterFor;
  const viewConnections = facts.sources
    .filter((s) => sourceImpact(s.id, viewsBefore.specs.get(s.id) ?? null, viewsAfter.specs.get(s.id) ?? null) !== null)
    .map((s) => s.connectionId);

  const connections = await deps.db.connection.findMany({
    where: { id: { in: [...new Set([...accessConnections, ...viewConnections])] }, deletedAt: null },
    select: { id: true, name: true, kind: true },
    orderBy: { name: "asc" },
  });
  const platforms: PlatformEffect[] = [];
  for (const c of connections) {
    const adapter = lookup(c.kind);
    if (!adapter.access || (!isReconciledKind(c.kind) && !adapter.capabilities.dataPolicies)) continue;
    try {
      const plan = await planConnectionStatements(deps, c.id, policies, dataPolicies);
      platforms.push({ connection: c.name, kind: c.kind, ...plan });
    } catch (err) {
      platforms.push({ connection: c.name, kind: c.kind, statements: [], error: (err as Error).message });
    }
  }
  return { ...countGainsAndLosses(changes), platforms };
}

const ApplyInput = DocumentInput.extend({
  expectedDigest: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "a sha256 in hex")
    .nullish(),
});

/**
 * Applies a file: all of it in one transaction or nothing. `expectedDigest` (the digest a plan
 * showed) refuses a file that changed since it was reviewed.
 */
export async function applyPolicies(
  deps: PolicyAsCodeDeps,
  actor: Actor | null,
  input: unknown,
): Promise<ApplySummary & { digest: string }> {
  requirePolicyReader(actor);
  const data = parseInput(ApplyInput, input);
  const parsed = parsePolicyDocument(data.document);
  if (data.expectedDigest && data.expectedDigest !== parsed.digest)
    throw conflict(`The file's digest is ${parsed.digest}, not the expected ${data.expectedDigest}: plan it again`);
  const summary = await transaction(deps.db, (tx) => applyDocument(tx, actor, parsed), { timeoutMs: APPLY_TIMEOUT_MS, maxRetries: 0 });
  return { ...summary, digest: parsed.digest };
}

export const SCHEMA_URL = "https://steward.dev/schemas/steward-policies.schema.json";

/** The live state as a file (stable order), so that export → apply changes nothing. */
export async function exportPolicies(deps: { db: Db }, actor: Actor | null, format: Format = "YAML"): Promise<string> {
  requirePolicyReader(actor);
  const { document } = await loadLiveState(deps.db);
  if (format === "JSON") return `${JSON.stringify(document, null, 2)}\n`;
  return `# yaml-language-server: $schema=${SCHEMA_URL}\n${stringify(document, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

export type { ObjectChange };
