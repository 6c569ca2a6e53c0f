/**
 * The Unity Catalog side of the neutral access contract. Reads the direct grants of every governed
 * table and its parents (GET /permissions, bounded concurrency), plans with planner.ts, and applies
 * one PATCH per securable that differs. Never throws for platform problems: failures come back as
 * `failed` results with the client's code and its class. PATCHes are not transactional: on a failure
 * the ones that succeeded are returned as `statements` (and are in the ledger), the rest as attempted.
 */
import type { AccessConnection, AccessDesiredState, AccessError, AccessPort } from "../access-types";
import { ucAccountRules } from "./accounts";
import { createUcClient, mapLimit, UcApiError, type UcClient } from "./client";
import { UcConfig, UcCredentials } from "./config";
import { classifyUcError } from "./errors";
import type { UcGrantLedger } from "./ledger";
import {
  type CurrentGrants,
  currentFrom,
  type GrantPlan,
  ledgerKey,
  type PlannedPatch,
  type PreparedState,
  planGrants,
  prepareState,
  renderPatch,
  securableKey,
  wireChanges,
} from "./planner";

export type UcAccessDeps = { ledger?: UcGrantLedger; fetch?: typeof fetch; revokeUnmanaged: boolean };

const started = () => performance.now();
const since = (t: number) => Math.round((performance.now() - t) * 100) / 100;

function toError(err: unknown): AccessError {
  if (err instanceof UcApiError) return { code: err.code, errorClass: classifyUcError(err.code), message: `${err.code}: ${err.message}` };
  const message = err instanceof Error ? err.message : String(err);
  return { code: "INTERNAL", errorClass: "PERMANENT", message: `INTERNAL: ${message}` };
}

type Ready = { config: UcConfig; client: UcClient; prepared: PreparedState };

function ready(connection: AccessConnection, desired: AccessDesiredState, deps: UcAccessDeps): Ready | { error: AccessError } {
  const config = UcConfig.safeParse(connection.config);
  const credentials = UcCredentials.safeParse(connection.credentials ?? {});
  if (!config.success || !credentials.success)
    return {
      error: {
        code: "INVALID_CONFIG",
        errorClass: "CONFIGURATION",
        message: "INVALID_CONFIG: the stored connection config or token is not valid",
      },
    };
  try {
    const prepared = prepareState(desired, ucAccountRules);
    return { config: config.data, client: createUcClient(config.data, credentials.data, deps.fetch), prepared };
  } catch (err) {
    return { error: toError(err) };
  }
}

/** Reads the grants of every securable; a securable that is gone (404) is left out and reported. */
async function readCurrent(r: Ready): Promise<{ current: CurrentGrants; gone: string[] }> {
  const current: CurrentGrants = new Map();
  const gone: string[] = [];
  await mapLimit(r.prepared.securables, r.config.concurrency, async (s) => {
    try {
      current.set(securableKey(s), currentFrom(await r.client.getPermissions(s.type, s.parts)));
    } catch (err) {
      if (err instanceof UcApiError && err.code === "NOT_FOUND") gone.push(`${s.type} ${s.parts.join(".")}`);
      else throw err;
    }
  });
  return { current, gone: gone.sort() };
}

async function planFor(r: Ready, desired: AccessDesiredState, deps: UcAccessDeps): Promise<GrantPlan> {
  const ledger = deps.ledger ? await deps.ledger.read(desired.connectionId) : null;
  const { current, gone } = await readCurrent(r);
  const plan = planGrants(r.prepared, current, {
    ledger,
    unmanagedGrants: desired.settings.unmanagedGrants,
    revokeUnmanaged: deps.revokeUnmanaged,
  });
  for (const g of gone) plan.findings.push({ kind: "SECURABLE_MISSING", repairable: false, securable: g });
  plan.warnings.push(...r.prepared.warnings, ...gone.map((g) => `${g} does not exist (dropped since the last sync?); skipped`));
  return plan;
}

function ledgerChange(p: PlannedPatch): { added: string[]; removed: string[] } {
  return {
    added: p.changes.flatMap((c) => c.add.map((x) => ledgerKey(p.securable, c.principal, x))),
    removed: p.changes.flatMap((c) => c.remove.map((x) => ledgerKey(p.securable, c.principal, x))),
  };
}

export function unityCatalogAccess(deps: UcAccessDeps): AccessPort {
  return {
    async plan(connection, desired) {
      const t = started();
      const r = ready(connection, desired, deps);
      if ("error" in r) return { kind: "failed", version: desired.version, error: r.error, durationMs: since(t) };
      try {
        const plan = await planFor(r, desired, deps);
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
      try {
        const plan = await planFor(r, desired, deps);
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
      let plan: GrantPlan;
      try {
        plan = await planFor(r, desired, deps);
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
      try {
        await mapLimit(plan.patches, r.config.concurrency, async (p) => {
          const statement = renderPatch(p, r.config.flavor);
          try {
            await r.client.updatePermissions(p.securable.type, p.securable.parts, wireChanges(p, r.config.flavor));
          } catch (err) {
            attempted.push(statement);
            throw err;
          }
          done.push(statement);
          await deps.ledger?.record(desired.connectionId, ledgerChange(p));
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
      const statements = plan.patches.map((p) => renderPatch(p, r.config.flavor));
      return { kind: "applied", version: desired.version, statements, counts: plan.counts, warnings: plan.warnings, durationMs: since(t) };
    },
  };
}
