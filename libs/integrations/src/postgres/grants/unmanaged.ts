import type { ActualState } from "./state";
import { sortPrivileges } from "./statements";
import type { DesiredState, DriftFinding } from "./types";

/**
 * Grants on desired objects that Steward did not make (see DIRECT_SQL in catalog.ts for who is
 * exempt). One finding per (relation, grantee): a relation listed twice in the desired state, or a
 * grantee holding privileges from several grantors, is still reported once.
 */
export function unmanagedGrantFindings(desired: DesiredState, actual: ActualState): DriftFinding[] {
  const objects = new Map(desired.objects.map((o) => [o.id, o]));
  const byKey = new Map<string, Extract<DriftFinding, { kind: "UNMANAGED_GRANT" }>>();
  for (const d of actual.directGrants) {
    const o = objects.get(d.objectId);
    if (!o) continue;
    const key = JSON.stringify([o.schema, o.name, d.public ? null : d.grantee]);
    const seen = byKey.get(key);
    if (seen) {
      seen.privileges = sortPrivileges([...seen.privileges, ...d.privileges]);
      continue;
    }
    byKey.set(key, {
      kind: "UNMANAGED_GRANT",
      grantee: d.grantee,
      ...(d.public ? { public: true as const } : {}),
      objectId: o.id,
      schema: o.schema,
      name: o.name,
      privileges: sortPrivileges(d.privileges),
    });
  }
  return [...byKey.values()];
}
