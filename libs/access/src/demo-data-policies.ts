import { type Actor, systemActor } from "@steward/core";
import type { Db } from "@steward/db";
import { createDataPolicy } from "./data-policies/data-policy-commands";
import { createPolicy } from "./policies/policy-commands";
import { acknowledgeProjectPurposes, createProject } from "./projects/projects";
import { createPurpose } from "./projects/purposes";

const PURPOSE = "Customer research";

/**
 * Data policies for the demo (`npm run dev`): analysts read the demo warehouse's CRM schema; every
 * column tagged `PII.Email` is hashed for everyone except HR and anyone acting under the purpose
 * "Customer research"; alice owns the project "Churn study" under that purpose (acknowledged, not
 * current), so switching to it in the header shows her customer emails in clear. Skipped when the
 * purpose exists already, or the demo users / connection are missing.
 */
export async function seedDemoDataPolicies(db: Db, connectionId: string): Promise<{ seeded: boolean }> {
  if (await db.purpose.findFirst({ where: { name: PURPOSE } })) return { seeded: false };
  const [alice, analysts, hr, customers] = await Promise.all([
    db.user.findUnique({ where: { username: "alice" }, select: { id: true, username: true } }),
    db.group.findUnique({ where: { name: "analysts" }, select: { id: true } }),
    db.group.findUnique({ where: { name: "hr" }, select: { id: true } }),
    db.dataSource.findFirst({ where: { connectionId, name: { endsWith: ".crm.customers" } }, select: { id: true } }),
  ]);
  if (!alice || !analysts || !hr || !customers) return { seeded: false };
  const system = systemActor("demo-seed");
  const deps = { db };
  const purpose = await createPurpose(deps, system, {
    name: PURPOSE,
    description: "Understanding customers to improve the product",
    acknowledgement: "I use customer data only for aggregate research and never contact customers from it.",
  });
  await createPolicy(deps, system, {
    name: "Analysts read CRM",
    accessType: "READ",
    restriction: { kind: "conditions", condition: { kind: "group", group: analysts.id } },
    scope: { kind: "schema", connectionId, schema: "crm" },
  });
  await createDataPolicy(deps, system, {
    name: "Hash customer emails",
    description: "Emails are hashed (joins still work) except for HR and customer research",
    engineDefinition: {
      scope: { kind: "all" },
      rule: { kind: "mask", columns: { kind: "tagged", tag: "PII.Email" }, mask: { kind: "hash" } },
      except: {
        kind: "or",
        conditions: [
          { kind: "group", group: hr.id },
          { kind: "purpose", purpose: purpose.id },
        ],
      },
    },
  });
  const asAlice: Actor = { kind: "USER", userId: alice.id, username: alice.username, roles: new Set() };
  const project = await createProject(deps, asAlice, {
    name: "Churn study",
    description: "Why customers leave",
    purposeIds: [purpose.id],
    dataSourceIds: [customers.id],
  });
  await acknowledgeProjectPurposes(deps, asAlice, project.id);
  return { seeded: true };
}
