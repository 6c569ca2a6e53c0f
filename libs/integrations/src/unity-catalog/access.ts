/**
 * The Unity Catalog side of the neutral access contract. Reads the direct grants of every governed
 * table and its parents (GET /permissions, bounded concurrency), plans with planner.ts, and applies
 * one PATCH per securable that differs. Never throws for platform problems: failures come back as
 * `failed` results with the client's code and its class. PATCHes are not transactional: on a failure
 * the ones that succeeded are returned as `statements` (and are in the ledger), the rest as attempted.
 */
import type { AccessDesiredState, AccessPort } from "../access-types";
import {
  isGone,
  ledgerChange,
  type Ready,
  readCurrent,
  ready,
  since,
  started,
  toError,
  type UcAccessDeps,
  unreadFor,
  writeConcurrency,
} from "./access-io";
import { mapLimit } from "./client";
import { groupAccess } from "./group-access";
import { type GrantPlan, planGrants, renderPatch, wireChanges } from "./planner";

export type { UcAccessDeps } from "./access-io";

async function planFor(r: Ready, desired: AccessDesiredState, mode: "plan" | "drift"): Promise<GrantPlan> {
  const ledger = r.ledger ? await r.ledger.read(desired.connectionId) : null;
  const { current, gone } = await readCurrent(r, unreadFor(r, desired, ledger, mode));
  const plan = planGrants(r.prepared, current, {
    ledger,
    unmanagedGrants: desired.settings.unmanagedGrants,
    revokeUnmanaged: ledger !== null,
  });
  for (const g of gone) plan.findings.push({ kind: "SECURABLE_MISSING", repairable: false, securable: g });
  plan.warnings.push(...r.prepared.warnings, ...gone.map((g) => `${g} does not exist (dropped since the last sync?); skipped`));
  return plan;
}

/**
 * OSS grants to user principals (the server has no groups); Databricks grants to Steward's account
 * groups, one per access set (group-access.ts).
 */
export function unityCatalogAccess(deps: UcAccessDeps): AccessPort {
  const groups = groupAccess(deps);
  return {
    async plan(connection, desired) {
      const t = started();
      const r = ready(connection, desired, deps);
      if ("error" in r) return { kind: "failed", version: desired.version, error: r.error, durationMs: since(t) };
      if (r.config.flavor === "DATABRICKS") return groups.plan(r, desired, t);
      try {
        const plan = await planFor(r, desired, "plan");
        const statements = plan.patches.map((p) => renderPatch(p, r.config.flavor));
        return {
          kind: "planned",
          version: desired.version,
          statements,
          counts: plan.counts,
          findings: plan.findings,
          warnings: plan.warnings,
          durationMs: since(t),
        };
      } catch (err) {
        return { kind: "failed", version: desired.version, error: toError(err), durationMs: since(t) };
      }
    },

    async drift(connection, desired) {
      const t = started();
      const r = ready(connection, desired, deps);
      if ("error" in r) return { kind: "failed", version: desired.version, error: r.error, durationMs: since(t) };
      if (r.config.flavor === "DATABRICKS") return groups.drift(r, desired, t);
      try {
        const plan = await planFor(r, desired, "drift");
        return { kind: "drift", version: desired.version, findings: plan.findings, durationMs: since(t) };
      } catch (err) {
        return { kind: "failed", version: desired.version, error: toError(err), durationMs: since(t) };
      }
    },

    async apply(connection, desired) {
      const t = started();
      const r = ready(connection, desired, deps);
      if ("error" in r)
        return { kind: "failed", version: desired.version, error: r.error, statements: [], statementsAttempted: [], durationMs: since(t) };
      if (r.config.flavor === "DATABRICKS") return groups.apply(r, desired, t);
      let plan: GrantPlan;
      try {
        plan = await planFor(r, desired, "plan");
      } catch (err) {
        return {
          kind: "failed",
          version: desired.version,
          error: toError(err),
          statements: [],
          statementsAttempted: [],
          durationMs: since(t),
        };
      }
      if (plan.patches.length === 0) return { kind: "unchanged", version: desired.version, warnings: plan.warnings, durationMs: since(t) };
      const done: string[] = [];
      const attempted: string[] = [];
      const gone = new Set<string>();
      try {
        await mapLimit(plan.patches, writeConcurrency(r.config), async (p) => {
          const statement = renderPatch(p, r.config.flavor);
          try {
            await r.client.updatePermissions(p.securable.type, p.securable.parts, wireChanges(p, r.config.flavor));
          } catch (err) {
            if (await isGone(r, p, err)) {
              gone.add(statement);
              plan.warnings.push(
                `${p.securable.type} ${p.securable.parts.join(".")} does not exist (dropped since the last sync?); skipped`,
              );
              return;
            }
            attempted.push(statement);
            throw err;
          }
          done.push(statement);
          await r.ledger?.record(desired.connectionId, ledgerChange(p));
        });
      } catch (err) {
        return {
          kind: "failed",
          version: desired.version,
          error: toError(err),
          statements: done,
          statementsAttempted: attempted,
          durationMs: since(t),
        };
      }
      // Report in plan order (requests finish in any order under concurrency).
      const statements = plan.patches.map((p) => renderPatch(p, r.config.flavor)).filter((x) => !gone.has(x));
      if (statements.length === 0) return { kind: "unchanged", version: desired.version, warnings: plan.warnings, durationMs: since(t) };
      return { kind: "applied", version: desired.version, statements, counts: plan.counts, warnings: plan.warnings, durationMs: since(t) };
    },
  };
}
