import type { Actor } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { HOSTILE_NAMES } from "@steward/integrations/sql/hostile-names";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scopeOfEvent } from "../propagation/delta-scope";
import { createDataPolicy, deleteDataPolicy, updateDataPolicy } from "./data-policy-commands";
import { listDataPolicyVersions } from "./data-policy-queries";

let t: TestDatabase;
let governor: Actor;
let alice: Actor;
let customers = "";

const deps = () => ({ db: t.db });
const counts = async () => ({
  audit: await t.db.auditEvent.count(),
  outbox: await t.db.outboxEvent.count(),
  policies: await t.db.dataPolicy.count(),
  versions: await t.db.dataPolicyVersion.count(),
});

async function user(username: string, roles: "GOVERNOR"[] = []) {
  const u = await t.db.user.create({
    data: { username, displayName: username, email: `${username}@example.com`, roles: { create: roles.map((role) => ({ role })) } },
  });
  return { kind: "USER" as const, userId: u.id, username, roles: new Set(roles) };
}

beforeAll(async () => {
  t = await createTestDatabase();
  governor = await user("gov", ["GOVERNOR"]);
  alice = await user("alice");
  const conn = await t.db.connection.create({ data: { name: "wh", kind: "POSTGRES", config: {}, inboundSecretCiphertext: "x" } });
  const node = await t.db.catalogNode.create({
    data: {
      connectionId: conn.id,
      kind: "OBJECT",
      name: "customers",
      path: ["wh", "crm", "customers"],
      pathKey: "wh\u001fcrm\u001fcustomers",
      objectType: "TABLE",
    },
  });
  customers = (
    await t.db.dataSource.create({ data: { connectionId: conn.id, catalogNodeId: node.id, name: "wh.crm.customers", objectType: "TABLE" } })
  ).id;
  for (const [ordinal, name] of ["id", "email", "region"].entries())
    await t.db.dataSourceColumn.create({
      data: { dataSourceId: customers, name, dataType: name === "id" ? "integer" : "text", ordinal, nullable: true },
    });
});
afterAll(() => t?.drop());

const hashEmail = (sources: string[]) => ({
  scope: { sources },
  rule: { mask: { columns: { names: ["email"] }, mask: { hash: true } } },
});

describe("data policies", () => {
  it("creates, versions, updates and deletes, each with an audit row and a full-scope event", async () => {
    await expect(createDataPolicy(deps(), alice, { name: "x", definition: hashEmail([customers]) })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const { policy, warnings } = await createDataPolicy(deps(), governor, { name: "hash emails", definition: hashEmail([customers]) });
    expect(warnings).toEqual([]);
    expect(policy.definition).toEqual({
      scope: { kind: "sources", sourceIds: [customers] },
      rule: { kind: "mask", columns: { kind: "names", names: ["email"] }, mask: { kind: "hash" } },
    });
    const event = await t.db.outboxEvent.findFirstOrThrow({ orderBy: { id: "desc" } });
    expect(event.type).toBe("data_policy.changed");
    expect(scopeOfEvent(event)).toBe("full");

    // Same content again: nothing written.
    const before = await counts();
    await updateDataPolicy(deps(), governor, { id: policy.id, name: "hash emails", definition: hashEmail([customers]) });
    expect(await counts()).toEqual(before);

    const updated = await updateDataPolicy(deps(), governor, {
      id: policy.id,
      name: "hash emails",
      definition: { ...hashEmail([customers]), rule: { mask: { columns: { names: ["email"] }, mask: { showLast: 4 } } } },
    });
    expect(updated.policy.version).toBe(2);
    expect((await listDataPolicyVersions(deps(), governor, policy.id)).map((v) => [v.version, v.change])).toEqual([
      [2, "UPDATED"],
      [1, "CREATED"],
    ]);
    await deleteDataPolicy(deps(), governor, policy.id);
    expect((await listDataPolicyVersions(deps(), governor, policy.id))[0]?.change).toBe("DELETED");
  });

  it("stores hostile strings as data (constants, regexes, attribute values) for the SQL layer to quote", async () => {
    for (const [i, hostile] of HOSTILE_NAMES.slice(0, 3).entries()) {
      const { policy } = await createDataPolicy(deps(), governor, {
        name: `constant ${i}`,
        definition: { scope: { sources: [customers] }, rule: { mask: { columns: { names: ["email"] }, mask: { constant: hostile } } } },
      });
      expect((policy.definition as { rule: { mask: { value: string } } }).rule.mask.value).toBe(hostile);
    }
  });

  it("refuses bad input with field paths and writes nothing", async () => {
    const before = await counts();
    const bad: [unknown, string][] = [
      [
        { scope: { sources: [customers] }, rule: { mask: { columns: { names: ["nope"] }, mask: { hash: true } } } },
        "input.definition.rule.mask.columns.names[0]",
      ],
      [
        {
          scope: { sources: ["00000000-0000-4000-8000-000000000000"] },
          rule: { mask: { columns: { names: ["email"] }, mask: { null: true } } },
        },
        "input.definition.scope.sources[0]",
      ],
      [
        {
          scope: { sources: [customers] },
          rule: { mask: { columns: { names: ["email"] }, mask: { regexReplace: { pattern: "([a-z", replacement: "x" } } } },
        },
        "input.definition.rule.mask.mask.regexReplace.pattern",
      ],
      [{ scope: { sources: [customers] }, rule: { mask: { columns: { names: ["id"] }, mask: { roundNumber: 0 } } } }, "roundNumber"],
      [
        { scope: { sources: [customers] }, rule: { rows: { timeWindow: { column: "'; DROP TABLE x; --", days: 30 } } } },
        "input.definition.rule.rows.timeWindow.column",
      ],
      [{ scope: { sources: [customers] }, rule: { rows: { where: "id IN (SELECT 1)" } } }, "input.definition.rule.rows.where"],
      [
        { scope: { sources: [customers] }, rule: { rows: { where: "region = 'x'; DROP TABLE x; --" } } },
        "input.definition.rule.rows.where",
      ],
      [{ scope: { sources: [customers] }, rule: { rows: { where: "missing_column = 1" } } }, "input.definition.rule.rows.where"],
      [{ scope: { sources: [customers], all: true }, rule: { rows: { matchGroups: "region" } } }, "input.definition.scope"],
    ];
    for (const [definition, path] of bad) {
      const err = await createDataPolicy(deps(), governor, { name: "bad", definition }).catch((e) => e);
      expect(err, JSON.stringify(definition)).toMatchObject({ code: "BAD_USER_INPUT" });
      expect((err.fields as { path: string }[]).map((f) => f.path).join(" "), JSON.stringify(definition)).toContain(path);
    }
    expect(await counts()).toEqual(before);
  });
});
