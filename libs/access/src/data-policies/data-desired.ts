import type { SecretBox } from "@steward/core";
import type { Db } from "@steward/db";
import type { AccessEntry, DataPolicyDesiredState } from "@steward/integrations";
import { type DataPolicy, resolveDataPolicies } from "@steward/policy";
import { loadDataPolicyInput, loadProfiles } from "./load-data-policies";

/** Label of the per-deployment hash-mask salt derived from the keyring (SecretBox.derive). */
export const HASH_SALT_LABEL = "data-policy-hash-salt";

/**
 * The data policy part of a connection's desired state, for adapters with the `dataPolicies`
 * capability: a view spec per source of this connection that a data policy shapes (every source
 * when the connection reads everything through views), the profile rows of the given accounts
 * (all managed accounts on the full path, the scope's on the delta path) with the sources each may
 * read taken from the desired access, and the hash salt (derived, never stored in the metadata DB).
 */
export async function dataPolicyDesiredState(
  db: Db,
  secretBox: SecretBox,
  connectionId: string,
  accountUsers: readonly { userId: string; accountName: string }[],
  access: readonly AccessEntry[],
  policies?: DataPolicy[],
): Promise<DataPolicyDesiredState> {
  const input = await loadDataPolicyInput(db, { connectionId, ...(policies ? { policies } : {}) });
  const { specs } = resolveDataPolicies(input);
  const readable = new Map<string, string[]>();
  for (const a of access) readable.set(a.accountName, [...(readable.get(a.accountName) ?? []), a.objectId]);
  return {
    viewsForEverything: input.viewsForEverything.has(connectionId),
    views: [...specs.values()].sort((a, b) => a.sourceId.localeCompare(b.sourceId)),
    profiles: await loadProfiles(db, accountUsers, readable),
    hashSalt: secretBox.derive(HASH_SALT_LABEL),
  };
}
