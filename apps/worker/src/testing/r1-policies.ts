import { createPolicy } from "@steward/access";
import type { Actor } from "@steward/core";
import type { Db } from "@steward/db";

/**
 * The R1 convergence scenario's policies (shared by the single- and multi-process runs): a group
 * reading the whole connection, an attribute writing one schema, and an OR of a group and an
 * attribute reading everything tagged `Hot` — so random membership, attribute and tag changes move
 * access in every direction.
 */
export async function createR1Policies(deps: { db: Db }, governor: Actor, connectionId: string, groups: readonly string[]): Promise<void> {
  await createPolicy(deps, governor, {
    name: "g0 reads all",
    accessType: "READ",
    restriction: { kind: "conditions", condition: { kind: "group", group: groups[0] } },
    scope: { kind: "connection", connectionId },
  });
  await createPolicy(deps, governor, {
    name: "EU writes s1",
    accessType: "WRITE",
    restriction: { kind: "conditions", condition: { kind: "attribute", key: "region", match: "anyOf", values: ["EU"] } },
    scope: { kind: "schema", connectionId, schema: "s1" },
  });
  await createPolicy(deps, governor, {
    name: "g1 or APAC read hot",
    accessType: "READ",
    restriction: {
      kind: "conditions",
      condition: {
        kind: "or",
        conditions: [
          { kind: "group", group: groups[1] },
          { kind: "attribute", key: "region", match: "anyOf", values: ["APAC"] },
        ],
      },
    },
    scope: { kind: "tag", tag: "Hot" },
  });
}
