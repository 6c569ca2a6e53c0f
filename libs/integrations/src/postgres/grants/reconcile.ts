import { readActualState } from "./catalog";
import { readAndPlanScoped } from "./delta";
import { scopePrefix, validateDesired } from "./naming";
import { type GrantPlan, planGrants } from "./planner";
import { classifyError, executeStatements, inTransaction } from "./session";
import type {
  DesiredState,
  DriftResult,
  GrantsTarget,
  PlanResult,
  PreStep,
  PreStepResult,
  ReconcileOptions,
  ReconcileResult,
  ReconcileTimings,
} from "./types";
import { withoutUnusableUsers } from "./users";

const NO_PRE: PreStepResult = { statements: [], findings: [], warnings: [] };

const elapsed = (started: number, until = performance.now()) => Math.round((until - started) * 100) / 100;

/** Reads the catalogs and plans, inside the caller's transaction. */
async function readAndPlan(
  client: Parameters<typeof readActualState>[0],
  desired: DesiredState,
): Promise<GrantPlan & { timings: ReconcileTimings }> {
  if (desired.onlyAccounts) return readAndPlanScoped(client, desired, scopePrefix(desired.connectionId, desired.database));
  const t0 = performance.now();
  const actual = await readActualState(client, desired, scopePrefix(desired.connectionId, desired.database));
  const t1 = performance.now();
  const plan = planGrants(desired, actual);
  return { ...plan, timings: { readMs: elapsed(t0, t1), planMs: elapsed(t1), applyMs: 0 } };
}

/** Validation before connecting: a bad name fails fast, without touching the server. */
function invalid(desired: DesiredState, target: GrantsTarget): { error: ReturnType<typeof classifyError> } | undefined {
  try {
    validateDesired(desired);
    return undefined;
  } catch (err) {
    return { error: classifyError(err, target, desired.database) };
  }
}

/**
 * Makes the grants of `desired.database` equal the desired state: reads the catalogs, diffs, and
 * applies the minimal statements in one transaction (all or nothing). Never throws; a database
 * that is already right gets no statement at all.
 */
export async function reconcile(
  target: GrantsTarget,
  input: DesiredState,
  options: ReconcileOptions = {},
  pre?: PreStep,
): Promise<ReconcileResult> {
  const started = performance.now();
  // The connection's own role is never a user's account: it would receive that user's grants.
  const { desired, warnings: skipped } = withoutUnusableUsers(input, target.user);
  const bad = invalid(desired, target);
  if (bad) return { kind: "failed", version: desired.version, error: bad.error, statementsAttempted: [], durationMs: elapsed(started) };
  let attempted: string[] = [];
  const outcome = await inTransaction(
    target,
    desired.database,
    options,
    scopePrefix(desired.connectionId, desired.database),
    async (client) => {
      attempted = [];
      const before = pre ? await pre(client, "apply") : NO_PRE;
      attempted = [...before.statements];
      const plan = await readAndPlan(client, desired);
      const t = performance.now();
      await executeStatements(client, plan.statements, (n) => {
        attempted = [...before.statements, ...plan.statements.slice(0, n)];
      });
      plan.timings.applyMs = elapsed(t);
      const statements = [...before.statements, ...plan.statements];
      return {
        value: { ...plan, statements, warnings: [...before.warnings, ...plan.warnings] },
        commit: statements.length > 0,
      };
    },
  );
  const durationMs = elapsed(started);
  if (!outcome.ok) return { kind: "failed", version: desired.version, error: outcome.error, statementsAttempted: attempted, durationMs };
  const plan = outcome.value;
  const timings = plan.timings;
  const warnings = [...skipped, ...plan.warnings];
  if (plan.statements.length === 0) return { kind: "unchanged", version: desired.version, warnings, durationMs, timings };
  return {
    kind: "applied",
    version: desired.version,
    statements: plan.statements,
    counts: plan.counts,
    warnings,
    durationMs,
    timings,
  };
}

/** Dry run: exactly the statements `reconcile` would run now (same read and planner), nothing applied. */
export async function planReconcile(
  target: GrantsTarget,
  input: DesiredState,
  options: ReconcileOptions = {},
  pre?: PreStep,
): Promise<PlanResult> {
  const started = performance.now();
  const { desired, warnings: skipped } = withoutUnusableUsers(input, target.user);
  const bad = invalid(desired, target);
  if (bad) return { kind: "failed", version: desired.version, error: bad.error, durationMs: elapsed(started) };
  const outcome = await inTransaction(
    target,
    desired.database,
    options,
    scopePrefix(desired.connectionId, desired.database),
    async (client) => {
      // The pre-step really runs (its DDL is what the grants are planned against); nothing commits.
      const before = pre ? await pre(client, "plan") : NO_PRE;
      return { value: { before, plan: await readAndPlan(client, desired) }, commit: false };
    },
  );
  const durationMs = elapsed(started);
  if (!outcome.ok) return { kind: "failed", version: desired.version, error: outcome.error, durationMs };
  const { before, plan } = outcome.value;
  return {
    kind: "planned",
    version: desired.version,
    statements: [...before.statements, ...plan.statements],
    counts: plan.counts,
    findings: plan.findings,
    ...(pre ? { extraFindings: before.findings } : {}),
    warnings: [...skipped, ...before.warnings, ...plan.warnings],
    durationMs,
  };
}

/**
 * Differences between the database and the desired state, e.g. a GRANT or REVOKE on a Steward role
 * made by hand, or a user added to a Steward role by hand (all repaired by the next reconcile), and
 * grants on managed objects made outside Steward (UNMANAGED_GRANT: revoked by reconcile only with
 * `unmanagedGrants: "REVOKE"`), and logins of users Steward no longer manages (STALE_LOGIN).
 */
export async function detectDrift(
  target: GrantsTarget,
  desired: DesiredState,
  options: ReconcileOptions = {},
  pre?: PreStep,
): Promise<DriftResult> {
  const plan = await planReconcile(target, desired, options, pre);
  switch (plan.kind) {
    case "failed":
      return plan;
    case "planned":
      return {
        kind: "drift",
        version: plan.version,
        findings: plan.findings,
        ...(plan.extraFindings ? { extraFindings: plan.extraFindings } : {}),
        durationMs: plan.durationMs,
      };
  }
}
