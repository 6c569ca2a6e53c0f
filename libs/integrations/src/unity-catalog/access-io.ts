/**
 * What both access paths share (access.ts for user principals, group-access.ts for Databricks
 * groups): connection parsing, grant reads, ledger entries, error mapping.
 */
import type { AccessConnection, AccessDesiredState, AccessError } from "../access-types";
import { ucAccountRules } from "./accounts";
import { createUcClient, mapLimit, UcApiError, type UcClient } from "./client";
import { UcConfig, UcCredentials } from "./config";
import { classifyUcError } from "./errors";
import type { UcGrantLedger } from "./ledger";
import { type CurrentGrants, currentFrom, ledgerKey, type PlannedPatch, type PreparedState, prepareState, securableKey } from "./planner";

/** `ledger`: the fallback when the connection brings none (tests, benches); see ledger.ts. */
export type UcAccessDeps = { ledger?: UcGrantLedger; fetch?: typeof fetch };

export const started = () => performance.now();
export const since = (t: number) => Math.round((performance.now() - t) * 100) / 100;

export function toError(err: unknown): AccessError {
  if (err instanceof UcApiError) return { code: err.code, errorClass: classifyUcError(err.code), message: `${err.code}: ${err.message}` };
  const message = err instanceof Error ? err.message : String(err);
  return { code: "INTERNAL", errorClass: "PERMANENT", message: `INTERNAL: ${message}` };
}

/**
 * The connection's ledger (the metadata DB's, handed in by libs/access) wins over the adapter's own.
 * Without any ledger Steward cannot tell its grants from hand-made ones, so it never revokes others'.
 */
export type Ready = {
  config: UcConfig;
  credentials: UcCredentials;
  client: UcClient;
  prepared: PreparedState;
  ledger: UcGrantLedger | undefined;
};

export function ready(connection: AccessConnection, desired: AccessDesiredState, deps: UcAccessDeps): Ready | { error: AccessError } {
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
    const ledger = connection.grantLedger ?? deps.ledger;
    return {
      config: config.data,
      credentials: credentials.data,
      client: createUcClient(config.data, credentials.data, deps.fetch),
      prepared,
      ledger,
    };
  } catch (err) {
    return { error: toError(err) };
  }
}

/**
 * Reads the grants of the securables (a securable that is gone, 404, is left out and reported).
 * `unread` ones are taken as holding no grant at all, without a request.
 */
export async function readCurrent(r: Ready, unread: Set<string>): Promise<{ current: CurrentGrants; gone: string[] }> {
  const current: CurrentGrants = new Map();
  const gone: string[] = [];
  for (const s of r.prepared.securables) if (unread.has(securableKey(s))) current.set(securableKey(s), new Map());
  const toRead = r.prepared.securables.filter((s) => !unread.has(securableKey(s)));
  await mapLimit(toRead, r.config.concurrency, async (s) => {
    try {
      current.set(securableKey(s), currentFrom(await r.client.getPermissions(s.type, s.parts)));
    } catch (err) {
      if (err instanceof UcApiError && err.code === "NOT_FOUND") gone.push(`${s.type} ${s.parts.join(".")}`);
      else throw err;
    }
  });
  return { current, gone: gone.sort() };
}

/**
 * Securables plan and apply need not read: with a ledger and `unmanagedGrants: REPORT`, a securable
 * where Steward holds no grant and wants none needs no request at all, and one where it holds none yet
 * but wants some is planned as empty (the PATCH only adds; adding a privilege already held is a no-op
 * on the server). That makes an initial reconcile cost its PATCHes and little more. The price: a
 * privilege someone granted by hand there before Steward's first grant is then recorded as Steward's.
 * Drift checks always read everything, and REVOKE mode reads everything (it must see others' grants).
 */
export function unreadFor(r: Ready, desired: AccessDesiredState, ledger: Set<string> | null, mode: "plan" | "drift"): Set<string> {
  if (mode === "drift" || !ledger || desired.settings.unmanagedGrants !== "REPORT" || desired.scope) return new Set();
  const touched = new Set<string>();
  for (const k of ledger) touched.add(k.slice(0, k.indexOf("\u0001")));
  return new Set(r.prepared.securables.map(securableKey).filter((k) => !touched.has(k)));
}

export function ledgerChange(p: PlannedPatch): { added: string[]; removed: string[] } {
  return {
    added: p.changes.flatMap((c) => c.add.map((x) => ledgerKey(p.securable, c.principal, x))),
    removed: p.changes.flatMap((c) => c.remove.map((x) => ledgerKey(p.securable, c.principal, x))),
  };
}

/**
 * The OSS server (0.4.1) updates its authorization model without locking: a permission PATCH running
 * next to another PATCH or GET can fail with a 500 (ConcurrentModificationException in its policy
 * store, seen in the scale test). So writes to OSS go one at a time, after every read has finished;
 * Databricks writes use the connection's limit.
 */
export function writeConcurrency(config: UcConfig): number {
  return config.flavor === "OSS" ? 1 : config.concurrency;
}

/**
 * A PATCH to a securable that was not read (see unreadFor) answers 404 both when the securable is gone
 * and when a principal does not exist; one GET tells the two apart. Gone securables are skipped.
 */
export async function isGone(r: Ready, p: PlannedPatch, err: unknown): Promise<boolean> {
  if (!(err instanceof UcApiError) || err.code !== "NOT_FOUND") return false;
  try {
    await r.client.getPermissions(p.securable.type, p.securable.parts);
    return false;
  } catch (again) {
    return again instanceof UcApiError && again.code === "NOT_FOUND";
  }
}
