/**
 * The data-policy part of a Snowflake reconcile: reads `<policy database>.STEWARD_SYSTEM`
 * (policy-state.ts) and plans, in this order, the system objects, the salt, the profile rows, the
 * policy creates, attaches, detaches and drops (profile.ts, policies.ts). These run before the
 * grants, so a table a user is about to be granted is already masked (fail closed).
 *
 * Masks and row filters attach to plain local tables only (ALTER TABLE); a view, a shared table or
 * any other kind with a spec is skipped with a warning. An unchanged desired state plans 0 statements.
 */
import type { AccessDesiredState, AccessFinding } from "../access-types";
import type { SfQuery } from "./client";
import type { SnowflakeConfig } from "./config";
import { showName } from "./naming";
import { desiredPolicies, type PolicySource, planPolicies } from "./policies";
import { snowflakeDialect } from "./policy-dialect";
import { readPolicyState } from "./policy-state";
import { planProfiles, saltStatements, storedProfile, systemStatements } from "./profile";
import type { SfState } from "./state";

export class PolicyConfigError extends Error {}

export type DataPolicyPlan = { statements: string[]; findings: AccessFinding[]; warnings: string[] };

export const NO_DATA_POLICY_PLAN: DataPolicyPlan = { statements: [], findings: [], warnings: [] };

/** Pure check before connecting: specs need somewhere to live. */
export function checkPolicyConfig(config: SnowflakeConfig, desired: AccessDesiredState): void {
  const wanted = desired.dataPolicies;
  if (wanted && wanted.views.length > 0 && !config.policyDatabase)
    throw new PolicyConfigError(
      "data policies need the connection's policyDatabase (where Steward creates STEWARD_SYSTEM); set it in the connection",
    );
}

export type PolicyInput = {
  prefix: string;
  /** Prepared objects (id → parts) and the accounts Steward may write profile rows for. */
  objects: { id: string; parts: string[] }[];
  accounts: string[];
  scope: Set<string> | null;
};

export async function planDataPolicies(
  q: SfQuery,
  config: SnowflakeConfig,
  desired: AccessDesiredState,
  input: PolicyInput,
  state: SfState,
): Promise<DataPolicyPlan> {
  const wanted = desired.dataPolicies;
  const db = config.policyDatabase;
  // Without a policy database and without specs there is nothing to enforce (checkPolicyConfig
  // already refused specs without one).
  if (!wanted || !db) return NO_DATA_POLICY_PLAN;
  const warnings: string[] = [];
  const findings: AccessFinding[] = [];
  const scoped = input.scope !== null;
  // Delta path after a full reconcile: only the scope's profile rows can have changed.
  const quick = scoped && wanted.systemCurrent === true;
  const current = await readPolicyState(q, db, input.prefix);

  const statements: string[] = [];
  if (!current.systemComplete) {
    statements.push(...systemStatements(db));
    findings.push({ kind: "POLICY_SYSTEM_OBJECTS_MISSING", repairable: true, database: db });
  }
  if (!quick) {
    const salt = saltStatements(db, wanted.hashSalt, current.salt);
    if (salt.length && current.salt.length) findings.push({ kind: "POLICY_SALT_CHANGED", repairable: true, database: db });
    statements.push(...salt);
  }

  const valid = new Set(input.accounts);
  const inScope = (a: string) => !input.scope || input.scope.has(a);
  const rows = wanted.profiles.filter((p) => valid.has(p.accountName) && inScope(p.accountName)).map(storedProfile);
  const stored = current.profiles.filter((p) => inScope(p.account));
  const profiles = planProfiles(db, rows, stored, scoped);
  if (profiles.upserted || profiles.deleted)
    findings.push({ kind: "PROFILE_STALE", repairable: true, upserted: profiles.upserted, deleted: profiles.deleted });
  statements.push(...profiles.statements);
  if (quick) return { statements, findings, warnings };

  const byId = new Map(input.objects.map((o) => [o.id, o.parts]));
  const sources: PolicySource[] = [];
  for (const spec of wanted.views) {
    const parts = byId.get(spec.sourceId);
    if (!parts) continue;
    const found = state.objects.get(showName(parts));
    if (!found) continue; // reported by the access planner as missing
    if (found.kind !== "TABLE" || found.shared) {
      warnings.push(
        `object ${spec.sourceId}: masks and row filters attach only to local tables, not to ${found.shared ? "a shared table" : found.kind}; its data policy is not enforced`,
      );
      continue;
    }
    sources.push({ spec, table: parts });
  }
  const compiled = desiredPolicies(sources, { dialect: snowflakeDialect(db), prefix: input.prefix, policyDatabase: db });
  warnings.push(...compiled.warnings);
  const policies = planPolicies(compiled.policies, current, db);
  if (policies.attached)
    findings.push({ kind: "POLICY_NOT_ATTACHED", repairable: true, count: policies.attached, created: policies.created });
  if (policies.detached) findings.push({ kind: "EXTRA_POLICY_ATTACHMENT", repairable: true, count: policies.detached });
  if (policies.dropped) findings.push({ kind: "UNUSED_POLICY", repairable: true, count: policies.dropped });
  statements.push(...policies.statements);
  return { statements, findings, warnings };
}
