/**
 * The data-policy part of a Databricks reconcile (the Snowflake adapter's data-policies.ts is the
 * model): check the connection, compile the UDFs (pure, before anything is sent), read
 * `<policy catalog>.steward_system` (policy-state.ts) and plan, in this order, the system tables, the
 * salt, the profile rows, then the UDF creates, attaches, detaches and drops (profile.ts, policies.ts).
 * These run before the grants, so a table a user is about to be granted is already masked.
 *
 * Masks and row filters attach to tables (managed or external) only; a view, a materialized view, a
 * shared or foreign table with a spec is skipped with a warning. An unchanged desired state plans 0
 * statements.
 */
import type { AccessDesiredState, AccessFinding } from "../access-types";
import { ucAccountRules } from "./accounts";
import type { UcConfig } from "./config";
import { type CompiledUdfs, desiredUdfs, planUdfs, type UdfSource, udfPrefix } from "./policies";
import { databricksDialect } from "./policy-dialect";
import { readPolicyState } from "./policy-state";
import { planProfiles, SALT_PARAM, saltStatements, storedProfile, systemStatements } from "./profile";
import type { RunSql } from "./statement-client";

export class PolicyConfigError extends Error {}

/** Object types ALTER TABLE … SET MASK / SET ROW FILTER applies to (privileges.ts objectTypeOf). */
const MASKABLE = new Set(["TABLE", "EXTERNAL_TABLE"]);

/** Where the data-policy statements go, once the connection is known to need them. */
export type PolicyTarget = { warehouseId: string; policyCatalog: string; prefix: string; compiled: CompiledUdfs };

/**
 * Pure, before connecting. null: nothing to enforce or maintain (no data-policy state, or a connection
 * without a warehouse and policy catalog and without specs). Specs that cannot be enforced are a
 * PolicyConfigError: the run fails rather than grant unmasked access.
 */
export function policyTarget(config: UcConfig, desired: AccessDesiredState): PolicyTarget | null {
  const wanted = desired.dataPolicies;
  const specs = (wanted?.views.length ?? 0) > 0;
  if (config.flavor === "OSS") {
    if (specs)
      throw new PolicyConfigError(
        "the OSS Unity Catalog server has no row filters or column masks (and no SQL to create them); remove the data policies from this connection's sources or connect a Databricks workspace",
      );
    return null;
  }
  if (!wanted) return null;
  const { warehouseId, policyCatalog } = config;
  if (!warehouseId || !policyCatalog) {
    if (!specs) return null;
    throw new PolicyConfigError(
      `data policies need the connection's ${!warehouseId ? "warehouseId (the SQL warehouse that runs the mask and row-filter DDL)" : "policyCatalog (where Steward creates steward_system)"}; set it in the connection`,
    );
  }
  const prefix = udfPrefix(desired.connectionId);
  const objects = new Map(desired.objects.map((o) => [o.id, o]));
  const sources: UdfSource[] = [];
  const warnings: string[] = [];
  for (const spec of wanted.views) {
    const o = objects.get(spec.sourceId);
    if (!o) continue; // not governed on this connection
    if (!MASKABLE.has(o.objectType)) {
      warnings.push(
        `object ${spec.sourceId}: row filters and column masks attach only to tables, not to a ${o.objectType}; its data policy is not enforced`,
      );
      continue;
    }
    sources.push({ spec, table: o.path });
  }
  const compiled = desiredUdfs(sources, { dialect: databricksDialect(policyCatalog), prefix, policyCatalog });
  return { warehouseId, policyCatalog, prefix, compiled: { udfs: compiled.udfs, warnings: [...warnings, ...compiled.warnings] } };
}

export type DataPolicyPlan = {
  statements: string[];
  /** The statement that binds `:salt` (run with the salt as its parameter), if planned. */
  saltStatement: string | null;
  findings: AccessFinding[];
  warnings: string[];
};

export const NO_DATA_POLICY_PLAN: DataPolicyPlan = { statements: [], saltStatement: null, findings: [], warnings: [] };

/** Catalogs whose information_schema holds the attachments: the governed ones. */
function governedCatalogs(config: UcConfig, desired: AccessDesiredState): string[] {
  return [...new Set([...config.catalogs, ...desired.objects.map((o) => o.path[0]!)])].sort();
}

export async function planDataPolicies(
  run: RunSql,
  config: UcConfig,
  desired: AccessDesiredState,
  target: PolicyTarget,
): Promise<DataPolicyPlan> {
  const wanted = desired.dataPolicies!;
  const { policyCatalog: catalog } = target;
  const findings: AccessFinding[] = [];
  const warnings = [...target.compiled.warnings];
  const scope = desired.scope ? new Set(desired.scope.accounts) : null;
  // Delta path after a full reconcile: only the scope's profile rows can have changed.
  const quick = scope !== null && wanted.systemCurrent === true;
  const current = await readPolicyState(run, catalog, target.prefix, quick ? [] : governedCatalogs(config, desired), wanted.hashSalt);

  const statements: string[] = [];
  if (!current.systemComplete) {
    statements.push(...systemStatements(catalog));
    findings.push({ kind: "POLICY_SYSTEM_OBJECTS_MISSING", repairable: true, catalog });
  }
  let saltStatement: string | null = null;
  if (!quick) {
    const salt = saltStatements(catalog, current.salt ?? { stored: 0, matching: 0 });
    if (salt.length && (current.salt?.stored ?? 0) > 0) findings.push({ kind: "POLICY_SALT_CHANGED", repairable: true, catalog });
    saltStatement = salt[0] ?? null;
    statements.push(...salt);
  }

  const valid = new Set(desired.accounts.filter((a) => ucAccountRules.validate(a) === null));
  const inScope = (a: string) => !scope || scope.has(a);
  const rows = wanted.profiles.filter((p) => valid.has(p.accountName) && inScope(p.accountName)).map(storedProfile);
  const stored = current.profiles.filter((p) => inScope(p.account));
  const profiles = planProfiles(catalog, rows, stored, scope !== null);
  if (profiles.upserted || profiles.deleted)
    findings.push({ kind: "PROFILE_STALE", repairable: true, upserted: profiles.upserted, deleted: profiles.deleted });
  statements.push(...profiles.statements);
  if (quick) return { statements, saltStatement, findings, warnings };

  const udfs = planUdfs(target.compiled.udfs, current, catalog);
  if (udfs.attached) findings.push({ kind: "POLICY_NOT_ATTACHED", repairable: true, count: udfs.attached, created: udfs.created });
  if (udfs.detached) findings.push({ kind: "EXTRA_POLICY_ATTACHMENT", repairable: true, count: udfs.detached });
  if (udfs.dropped) findings.push({ kind: "UNUSED_POLICY", repairable: true, count: udfs.dropped });
  statements.push(...udfs.statements);
  return { statements, saltStatement, findings, warnings };
}

/** Runs the plan in order, one statement at a time; `applied` grows as each one succeeds. */
export async function applyDataPolicies(
  run: RunSql,
  plan: DataPolicyPlan,
  salt: string,
  applied: string[],
  attempted: string[],
): Promise<void> {
  for (const sql of plan.statements) {
    attempted.splice(0, attempted.length, sql);
    await run(sql, sql === plan.saltStatement ? { [SALT_PARAM]: salt } : undefined);
    applied.push(sql);
    attempted.length = 0;
  }
}
