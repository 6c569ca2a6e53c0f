/**
 * A Databricks (DATABRICKS_UC, flavor DATABRICKS) connection through reconcileConnection, against the
 * LOCAL Statement Execution API emulator (no Databricks warehouse): a governor's data policy becomes a
 * mask UDF attached on the warehouse before the subscription's grants, with the user's profile row and
 * the deployment's salt (bound as a parameter: never in a recorded statement); a second reconcile sends
 * nothing; deleting the policy detaches and drops the UDF. An OSS-flavor connection with the same data
 * policy fails CONFIGURATION and sends nothing.
 */
import { randomBytes } from "node:crypto";
import { parseKeyring, SecretBox, systemActor } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { type StatementServer, startStatementServer } from "@steward/integrations/unity-catalog/statement-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HASH_SALT_LABEL } from "../data-policies/data-desired";
import { createDataPolicy, deleteDataPolicy } from "../data-policies/data-policy-commands";
import { createPolicy } from "../policies/policy-commands";
import { bumpDesiredVersions } from "./desired-version";
import { type ReconcileDeps, reconcileConnection } from "./reconcile-connection";

const TABLE = ["main", "crm", "customers"];
const ann = "ann@example.com";
let t: TestDatabase;
let server: StatementServer;
let deps: ReconcileDeps;
let connectionId = "";
let sourceId = "";
let dataPolicyId = "";
const governor = systemActor("dbx-policies-test");

async function reconcileNow(id = connectionId) {
  const [bumped] = await t.db.$transaction((tx) => bumpDesiredVersions(tx, [id]));
  return reconcileConnection(deps, id, bumped!.version);
}

async function connection(flavor: "DATABRICKS" | "OSS"): Promise<string> {
  const conn = await t.db.connection.create({
    data: {
      name: `dbx-${flavor}`,
      kind: "DATABRICKS_UC",
      config: { url: server.url, flavor, catalogs: ["main"], warehouseId: server.warehouseId, policyCatalog: "gov" },
      credentialsCiphertext: deps.secretBox.seal(JSON.stringify({ token: server.token })),
      inboundSecretCiphertext: "x",
    },
  });
  const node = await t.db.catalogNode.create({
    data: { connectionId: conn.id, kind: "OBJECT", name: TABLE[2]!, path: TABLE, pathKey: TABLE.join("\u001f"), objectType: "TABLE" },
  });
  const source = await t.db.dataSource.create({
    data: { connectionId: conn.id, catalogNodeId: node.id, name: `${flavor}.${TABLE.join(".")}`, objectType: "TABLE" },
  });
  for (const [ordinal, [name, dataType]] of [
    ["id", "int"],
    ["email", "string"],
  ].entries())
    await t.db.dataSourceColumn.create({ data: { dataSourceId: source.id, name: name!, dataType: dataType!, ordinal, nullable: true } });
  return source.id;
}

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startStatementServer();
  server.scim.model.addUser(ann); // the workspace's user, whom Steward's group takes as a member
  server.model.addCatalog("gov");
  server.model.addTable(TABLE, [
    { name: "id", type: "INT" },
    { name: "email", type: "STRING" },
  ]);
  deps = { db: t.db, secretBox: new SecretBox(parseKeyring(`k1:${randomBytes(32).toString("base64")}`)) };
  sourceId = await connection("DATABRICKS");
  connectionId = (await t.db.dataSource.findUniqueOrThrow({ where: { id: sourceId } })).connectionId;
  const user = await t.db.user.create({ data: { username: "ann", displayName: "Ann", email: ann } });
  await t.db.platformAccount.create({ data: { userId: user.id, platform: "DATABRICKS_UC", accountName: ann } });
}, 120_000);

/** What `user` holds on a securable through Steward's groups (on Databricks grants go to groups, never users). */
function heldThroughGroups(securable: string, user: string): Set<string> {
  const id = server.scim.model.userNamed(user)?.id;
  const held = new Set<string>();
  for (const g of server.scim.model.groups.values())
    if (id && g.members.has(id)) for (const p of server.grants.get(securable)?.get(g.displayName) ?? []) held.add(p);
  expect(server.grants.get(securable)?.get(user)).toBeUndefined();
  return held;
}

afterAll(async () => {
  await server?.close();
  await t?.drop();
});

describe("Databricks row filters and masks through reconcileConnection (Statement Execution API emulator)", () => {
  it("a data policy becomes a mask UDF attached before the grants, with the profile row and the salt; the salt is never recorded", async () => {
    await createPolicy({ db: t.db }, governor, {
      name: "everyone reads customers",
      accessType: "READ",
      restriction: { kind: "anyone" },
      scope: { kind: "sources", sourceIds: [sourceId] },
    });
    const { policy } = await createDataPolicy({ db: t.db }, governor, {
      name: "hash emails",
      definition: { scope: { sources: [sourceId] }, rule: { mask: { columns: { names: ["email"] }, mask: { hash: true } } } },
    });
    dataPolicyId = policy.id;
    expect(await reconcileNow()).toMatchObject({ kind: "applied" });

    const m = server.model;
    expect(m.maskOf(TABLE, "email")).toMatch(/^stw_[0-9a-f]{8}_m_/);
    expect(m.table(["gov", "steward_system", "profile"])!.rows.map((r) => r.account)).toEqual([ann]);
    const salt = deps.secretBox.derive(HASH_SALT_LABEL);
    expect(m.table(["gov", "steward_system", "hash_salt"])!.rows).toEqual([{ salt }]);
    expect(heldThroughGroups("table/main.crm.customers", ann)).toEqual(new Set(["SELECT"]));
    const lastSql = server.requests.lastIndexOf("POST /api/2.0/sql/statements");
    expect(server.requests.findIndex((r) => r.startsWith("PATCH "))).toBeGreaterThan(lastSql);

    const run = await t.db.reconcileRun.findFirstOrThrow({ where: { connectionId }, orderBy: { startedAt: "desc" } });
    expect(run.status).toBe("APPLIED");
    expect(run.statements.some((s) => s.includes("SET MASK"))).toBe(true);
    expect(run.statements.some((s) => s.includes(salt))).toBe(false);
    expect(m.statements.some((s) => s.sql.includes(salt))).toBe(false);
  });

  it("a second reconcile sends no change", async () => {
    const before = server.model.statements.filter((s) => !s.sql.startsWith("SELECT")).length;
    expect(await reconcileNow()).toMatchObject({ kind: "unchanged" });
    expect(server.model.statements.filter((s) => !s.sql.startsWith("SELECT")).length).toBe(before);
  });

  it("deleting the data policy detaches the mask and drops its UDF; the grant stays", async () => {
    const mask = server.model.maskOf(TABLE, "email")!;
    await deleteDataPolicy({ db: t.db }, governor, dataPolicyId);
    expect(await reconcileNow()).toMatchObject({ kind: "applied" });
    expect(server.model.maskOf(TABLE, "email")).toBeNull();
    expect([...server.model.functions.values()].map((f) => f.parts[2])).not.toContain(mask);
    expect(heldThroughGroups("table/main.crm.customers", ann)).toEqual(new Set(["SELECT"]));
  });

  it("an OSS-flavor connection whose source has a data policy fails CONFIGURATION and sends nothing", async () => {
    const ossSource = await connection("OSS");
    const ossConnection = (await t.db.dataSource.findUniqueOrThrow({ where: { id: ossSource } })).connectionId;
    await createPolicy({ db: t.db }, governor, {
      name: "everyone reads oss customers",
      accessType: "READ",
      restriction: { kind: "anyone" },
      scope: { kind: "sources", sourceIds: [ossSource] },
    });
    await createDataPolicy({ db: t.db }, governor, {
      name: "null oss emails",
      definition: { scope: { sources: [ossSource] }, rule: { mask: { columns: { names: ["email"] }, mask: { null: true } } } },
    });
    const requests = server.requests.length;
    const out = await reconcileNow(ossConnection);
    expect(out).toMatchObject({ kind: "failed", errorClass: "CONFIGURATION" });
    expect(out.kind === "failed" && out.error).toMatch(/OSS Unity Catalog server has no row filters/);
    expect(server.requests.length).toBe(requests);
  });
});
