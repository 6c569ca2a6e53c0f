import type { SecretBox } from "@steward/core";
import type { Db } from "@steward/db";
import type { AccessEntry, DataPolicyDesiredState } from "@steward/integrations";
import { type DataPolicy, resolveDataPolicies } from "@steward/policy";
import { loadDataPolicyInput, loadProfiles, type ProfileFacts, readableSources, toProfileRows } from "./load-data-policies";

/** Label of the per-deployment hash-mask salt derived from the keyring (SecretBox.derive). */
export const HASH_SALT_LABEL = "data-policy-hash-salt";

/** The views part of a connection's data policy state: what only full-scope changes can alter. */
export type ConnectionViews = Pick<DataPolicyDesiredState, "viewsForEverything" | "views">;

/**
 * A view spec per source of this connection that a data policy shapes (every source when the
 * connection reads everything through views). `policies` replaces the stored ones (planning).
 */
export async function resolveConnectionViews(db: Db, connectionId: string, policies?: DataPolicy[]): Promise<ConnectionViews> {
  const input = await loadDataPolicyInput(db, { connectionId, ...(policies ? { policies } : {}) });
  const { specs } = resolveDataPolicies(input);
  return {
    viewsForEverything: input.viewsForEverything.has(connectionId),
    views: [...specs.values()].sort((a, b) => a.sourceId.localeCompare(b.sourceId)),
  };
}

/**
 * The data policy part of a connection's desired state, for adapters with the `dataPolicies`
 * capability: the connection's view specs, the profile rows of the given accounts (all managed
 * accounts on the full path) with the sources each may read taken from the desired access, and the
 * hash salt (derived, never stored in the metadata DB).
 */
export async function dataPolicyDesiredState(
  db: Db,
  secretBox: SecretBox,
  connectionId: string,
  accountUsers: readonly { userId: string; accountName: string }[],
  access: readonly AccessEntry[],
  policies?: DataPolicy[],
): Promise<DataPolicyDesiredState> {
  const [views, profiles] = await Promise.all([
    resolveConnectionViews(db, connectionId, policies),
    loadProfiles(db, accountUsers, readableSources(access)),
  ]);
  return { ...views, profiles, hashSalt: secretBox.derive(HASH_SALT_LABEL) };
}

/**
 * The delta path's data policy state: views resolved earlier (the worker's cache; any change that
 * could alter them is full-scope), profile rows from facts the delta already loaded — no catalog,
 * policy or profile query of its own. `systemCurrent` tells the adapter that the system objects and
 * this salt were applied by a full reconcile it can rely on (see DataPolicyDesiredState).
 */
export function deltaDataPolicyState(
  secretBox: SecretBox,
  views: ConnectionViews,
  accountUsers: readonly { userId: string; accountName: string }[],
  facts: ReadonlyMap<string, ProfileFacts>,
  access: readonly AccessEntry[],
  systemCurrent: boolean,
): DataPolicyDesiredState {
  return {
    ...views,
    profiles: toProfileRows(accountUsers, facts, readableSources(access)),
    hashSalt: secretBox.derive(HASH_SALT_LABEL),
    ...(systemCurrent ? { systemCurrent: true } : {}),
  };
}
