import { systemActor } from "@steward/core";
import type { Db } from "@steward/db";
import { createPolicy, updatePolicy } from "./policies/policy-commands";

export const DEMO_TRINO_POLICY_NAME = "analysts read crm through Trino";

/**
 * The demo Trino connection's subscription (`npm run dev`): analysts read the `crm` schema of its
 * catalog, as "Analysts read CRM" grants on the PostgreSQL demo. Masks need nothing here: the demo's
 * hash data policy covers every column tagged `PII.Email`, whichever connection it belongs to.
 * Idempotent by name; a policy left pointing at an earlier (deleted) demo connection is re-pointed.
 * Skipped when the demo group "analysts" is missing.
 */
export async function seedDemoTrinoPolicy(db: Db, connectionId: string, catalog: string): Promise<{ seeded: boolean }> {
  const analysts = await db.group.findUnique({ where: { name: "analysts" }, select: { id: true } });
  if (!analysts) return { seeded: false };
  const definition = {
    name: DEMO_TRINO_POLICY_NAME,
    description: "Demo: the analysts group reads the CRM tables through the local Trino",
    accessType: "READ" as const,
    restriction: { kind: "conditions" as const, condition: { kind: "group" as const, group: analysts.id } },
    scope: { kind: "schema" as const, connectionId, database: catalog, schema: "crm" },
  };
  const deps = { db };
  const system = systemActor("demo-seed");
  const existing = await db.subscriptionPolicy.findFirst({ where: { name: DEMO_TRINO_POLICY_NAME, deletedAt: null } });
  if (!existing) {
    await createPolicy(deps, system, definition);
    return { seeded: true };
  }
  const scope = (existing.definition as { scope?: { connectionId?: unknown } }).scope;
  if (scope?.connectionId === connectionId) return { seeded: false };
  await updatePolicy(deps, system, { id: existing.id, ...definition });
  return { seeded: true };
}
