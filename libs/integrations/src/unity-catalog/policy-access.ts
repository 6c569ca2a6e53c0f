/**
 * Puts the Databricks data-policy step in front of the grant reconcile (access.ts) without changing
 * it: plan, apply and drift run the data-policy part first (data-policies.ts, through the Statement
 * Execution API) and then hand the same desired state to the grant port, merging the results.
 *
 * Fail closed, like Snowflake: a connection whose sources have data policies but that cannot enforce
 * them (OSS, or no warehouse / policy catalog) fails INVALID_CONFIG before anything is sent, grants
 * included; a data-policy statement that fails stops the run before any grant is changed. Statements
 * run one at a time and each commits on its own, so a failed result lists the ones applied before it
 * (`statements`) and the refused one (`statementsAttempted`); the next run reads the state again.
 */
import type { AccessApplyResult, AccessDesiredState, AccessError, AccessPort } from "../access-types";
import { PolicyCompileError } from "../sql/policy/dialect";
import { UnsafeIdentifierError } from "../sql/quote";
import { UcApiError } from "./client";
import { UcConfig, UcCredentials } from "./config";
import {
  applyDataPolicies,
  type DataPolicyPlan,
  NO_DATA_POLICY_PLAN,
  PolicyConfigError,
  type PolicyTarget,
  planDataPolicies,
  policyTarget,
} from "./data-policies";
import { classifyUcError } from "./errors";
import { createStatementClient, type StatementClientOptions } from "./statement-client";

export type PolicyAccessDeps = { fetch?: typeof fetch; statements?: Omit<StatementClientOptions, "fetch"> };

const started = () => performance.now();
const since = (t: number) => Math.round((performance.now() - t) * 100) / 100;

function toError(err: unknown): AccessError {
  if (err instanceof PolicyConfigError)
    return { code: "INVALID_CONFIG", errorClass: "CONFIGURATION", message: `INVALID_CONFIG: ${err.message}` };
  if (err instanceof PolicyCompileError || err instanceof UnsafeIdentifierError)
    return { code: "INVALID_INPUT", errorClass: "PERMANENT", message: `INVALID_INPUT: ${err.message}` };
  if (err instanceof UcApiError) return { code: err.code, errorClass: classifyUcError(err.code), message: `${err.code}: ${err.message}` };
  const message = err instanceof Error ? err.message : String(err);
  return { code: "INTERNAL", errorClass: "PERMANENT", message: `INTERNAL: ${message}` };
}

type Prepared = { run: ReturnType<typeof createStatementClient>["run"]; target: PolicyTarget; config: UcConfig } | null;

/** null: no data-policy work here (or a config the grant port will refuse itself). Throws typed errors. */
function prepare(connection: Parameters<AccessPort["plan"]>[0], desired: AccessDesiredState, deps: PolicyAccessDeps): Prepared {
  const config = UcConfig.safeParse(connection.config);
  const credentials = UcCredentials.safeParse(connection.credentials ?? {});
  if (!config.success || !credentials.success) return null;
  const target = policyTarget(config.data, desired);
  if (!target) return null;
  const client = createStatementClient(config.data, credentials.data, target.warehouseId, { ...deps.statements, fetch: deps.fetch });
  return { run: client.run, target, config: config.data };
}

async function planFor(p: Prepared, desired: AccessDesiredState): Promise<DataPolicyPlan> {
  return p ? planDataPolicies(p.run, p.config, desired, p.target) : NO_DATA_POLICY_PLAN;
}

export function withDataPolicies(grants: AccessPort, deps: PolicyAccessDeps = {}): AccessPort {
  return {
    async plan(connection, desired) {
      const t = started();
      let policies: DataPolicyPlan;
      try {
        policies = await planFor(prepare(connection, desired, deps), desired);
      } catch (err) {
        return { kind: "failed", version: desired.version, error: toError(err), durationMs: since(t) };
      }
      const inner = await grants.plan(connection, desired);
      if (inner.kind === "failed") return { ...inner, durationMs: since(t) };
      return {
        ...inner,
        statements: [...policies.statements, ...inner.statements],
        counts: { ...inner.counts, other: inner.counts.other + policies.statements.length },
        findings: [...policies.findings, ...inner.findings],
        warnings: [...policies.warnings, ...inner.warnings],
        durationMs: since(t),
      };
    },

    async drift(connection, desired) {
      const t = started();
      let policies: DataPolicyPlan;
      try {
        policies = await planFor(prepare(connection, desired, deps), desired);
      } catch (err) {
        return { kind: "failed", version: desired.version, error: toError(err), durationMs: since(t) };
      }
      const inner = await grants.drift(connection, desired);
      if (inner.kind === "failed") return { ...inner, durationMs: since(t) };
      return { ...inner, findings: [...policies.findings, ...inner.findings], durationMs: since(t) };
    },

    async apply(connection, desired): Promise<AccessApplyResult> {
      const t = started();
      const applied: string[] = [];
      const attempted: string[] = [];
      let policies: DataPolicyPlan;
      try {
        const p = prepare(connection, desired, deps);
        policies = await planFor(p, desired);
        if (p) await applyDataPolicies(p.run, policies, desired.dataPolicies!.hashSalt, applied, attempted);
      } catch (err) {
        return {
          kind: "failed",
          version: desired.version,
          error: toError(err),
          statements: applied,
          statementsAttempted: attempted,
          durationMs: since(t),
        };
      }
      const inner = await grants.apply(connection, desired);
      const durationMs = since(t);
      switch (inner.kind) {
        case "failed":
          return { ...inner, statements: [...applied, ...inner.statements], durationMs };
        case "unchanged":
          if (applied.length === 0) return { ...inner, warnings: [...policies.warnings, ...inner.warnings], durationMs };
          return {
            kind: "applied",
            version: desired.version,
            statements: applied,
            counts: { granted: 0, revoked: 0, accountsCreated: 0, other: applied.length },
            warnings: [...policies.warnings, ...inner.warnings],
            durationMs,
          };
        case "applied":
          return {
            ...inner,
            statements: [...applied, ...inner.statements],
            counts: { ...inner.counts, other: inner.counts.other + applied.length },
            warnings: [...policies.warnings, ...inner.warnings],
            durationMs,
          };
      }
    },
  };
}
