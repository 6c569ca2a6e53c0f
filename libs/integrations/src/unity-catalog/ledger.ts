/**
 * Which grants in Unity Catalog Steward made. UC keeps no grantor for a privilege, and the OSS server
 * has no groups to tell Steward's grants apart by principal, so the adapter records what it adds and
 * removes (keys from planner.ts `ledgerKey`). The store behind it is the caller's: the metadata DB in
 * production (`AccessConnection.grantLedger`, PlatformGrantRecord rows), a Map in tests. Writes happen
 * after each PATCH succeeds, so what is recorded never lags behind what is on the platform by more
 * than the request in flight.
 */
import type { GrantLedger } from "../access-types";

export type UcGrantLedger = GrantLedger;

/** A ledger in process memory (tests, benches, and a worker that reconciles one connection alone). */
export function memoryGrantLedger(): UcGrantLedger & { entries(connectionId: string): string[] } {
  const store = new Map<string, Set<string>>();
  const of = (id: string) => store.get(id) ?? store.set(id, new Set()).get(id)!;
  return {
    async read(connectionId) {
      return new Set(of(connectionId));
    },
    async record(connectionId, { added, removed }) {
      const set = of(connectionId);
      for (const k of removed) set.delete(k);
      for (const k of added) set.add(k);
    },
    entries: (connectionId) => [...of(connectionId)].sort(),
  };
}
