/**
 * A DATABRICKS_UC connection through the registry, end to end in libs/access against the real Unity
 * Catalog OSS server (started here; a missing build fails with the runtime's message): a subscription
 * policy becomes permissions on the server and PlatformGrantRecord rows, a hand-made grant is left
 * alone, and deleting the policy revokes exactly Steward's grants and empties the ledger.
 */
import { randomBytes } from "node:crypto";
import { parseKeyring, SecretBox, systemActor } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { type RunningUnityCatalog, startUnityCatalog } from "@steward/integrations/unity-catalog/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPolicy, deletePolicy } from "../policies/policy-commands";
import { bumpDesiredVersions } from "./desired-version";
import { setUnmanagedGrants } from "./drift-enforcement";
import { decodeLedgerKey, prismaGrantLedger } from "./grant-ledger";
import { checkDrift, type ReconcileDeps, reconcileConnection } from "./reconcile-connection";

const api = "/api/2.1/unity-catalog";
const CATALOG = "stw_Ledger-1";
const SCHEMAS = ["sales", "We-ird@Schema_2"];
const TABLES = [
  [CATALOG, "sales", "orders"],
  [CATALOG, "We-ird@Schema_2", "t@b-LE"],
];
const ann = "ann@example.test";
const hostile = `o'brien"w+back\`tick_ünïcødé_名前@example.test`;
const handMade = "carol@example.test"; // granted by hand, never by Steward

let t: TestDatabase;
let uc: RunningUnityCatalog;
let deps: ReconcileDeps;
let connectionId = "";
let policyId = "";
const sourceIds: string[] = [];
const governor = systemActor("uc-ledger-test");

const enc = (parts: string[]) => parts.map(encodeURIComponent).join(".");

/** Every (securable, principal, privilege) on the governed tables and their parents, as the server says. */
async function serverGrants(): Promise<string[]> {
  const securables: [string, string[]][] = [
    ["catalog", [CATALOG]],
    ...SCHEMAS.map((s): [string, string[]] => ["schema", [CATALOG, s]]),
    ...TABLES.map((p): [string, string[]] => ["table", p]),
  ];
  const out: string[] = [];
  for (const [type, parts] of securables) {
    const res = await uc.rest<{ privilege_assignments: { principal: string; privileges: string[] }[] }>(
      "GET",
      `${api}/permissions/${type}/${enc(parts)}`,
    );
    for (const a of res.privilege_assignments)
      for (const p of a.privileges) out.push(`${type}:${parts.join("\u0000")}\u0001${a.principal}\u0001${p.replaceAll(" ", "_")}`);
  }
  return out.sort();
}

async function ledgerRows(): Promise<string[]> {
  const rows = await t.db.platformGrantRecord.findMany({ where: { connectionId }, select: { key: true } });
  return rows.map((r) => decodeLedgerKey(r.key)).sort();
}

async function reconcileNow() {
  const [bumped] = await t.db.$transaction((tx) => bumpDesiredVersions(tx, [connectionId]));
  return reconcileConnection(deps, connectionId, bumped!.version);
}

beforeAll(async () => {
  t = await createTestDatabase();
  uc = await startUnityCatalog();
  await uc.rest("POST", `${api}/catalogs`, { name: CATALOG });
  for (const s of SCHEMAS) await uc.rest("POST", `${api}/schemas`, { name: s, catalog_name: CATALOG });
  for (const [catalog, schema, name] of TABLES)
    await uc.rest("POST", `${api}/tables`, {
      name,
      catalog_name: catalog,
      schema_name: schema,
      table_type: "EXTERNAL",
      data_source_format: "DELTA",
      columns: [{ name: "id", type_name: "INT", type_text: "int", type_json: "{}", position: 0, nullable: true }],
      storage_location: `file:///tmp/steward-uc-ledger/${schema}/${name}`,
    });
  for (const u of [ann, hostile, handMade]) await uc.createUser(u);

  const secretBox = new SecretBox(parseKeyring(`k1:${randomBytes(32).toString("base64")}`));
  deps = { db: t.db, secretBox };
  const conn = await t.db.connection.create({
    data: {
      name: "uc",
      kind: "DATABRICKS_UC",
      config: { url: uc.url, flavor: "OSS", catalogs: [CATALOG], concurrency: 4, timeoutMs: 15_000 },
      credentialsCiphertext: secretBox.seal(JSON.stringify({ token: uc.adminToken })),
      inboundSecretCiphertext: "x",
    },
  });
  connectionId = conn.id;
  // Steward users map to UC principals through explicit platform accounts (UC user names are e-mails).
  for (const [username, accountName] of [
    ["ann", ann],
    ["obrien", hostile],
  ] as const) {
    const user = await t.db.user.create({ data: { username, displayName: username, email: `${username}@steward.test` } });
    await t.db.platformAccount.create({ data: { userId: user.id, platform: "DATABRICKS_UC", accountName } });
  }
  for (const path of TABLES) {
    const node = await t.db.catalogNode.create({
      data: { connectionId, kind: "OBJECT", name: path[2]!, path, pathKey: path.join("\u001f"), objectType: "EXTERNAL_TABLE" },
    });
    const source = await t.db.dataSource.create({
      data: { connectionId, catalogNodeId: node.id, name: path.join("."), objectType: "EXTERNAL_TABLE" },
    });
    sourceIds.push(source.id);
  }
}, 180_000);

afterAll(async () => {
  await uc?.stop();
  await t?.drop();
});

describe("Unity Catalog through reconcileConnection (real OSS server, ledger in the metadata DB)", () => {
  it("a subscription policy becomes UC permissions, and the ledger rows are exactly what was granted", async () => {
    const created = await createPolicy({ db: t.db }, governor, {
      name: "everyone reads the UC tables",
      accessType: "READ",
      restriction: { kind: "anyone" },
      scope: { kind: "sources", sourceIds },
    });
    policyId = created.policy.id;
    const out = await reconcileNow();
    expect(out).toMatchObject({ kind: "applied" });
    const grants = await serverGrants();
    for (const who of [ann, hostile]) {
      expect(grants).toContain(`catalog:${CATALOG}\u0001${who}\u0001USE_CATALOG`);
      for (const s of SCHEMAS) expect(grants).toContain(`schema:${CATALOG}\u0000${s}\u0001${who}\u0001USE_SCHEMA`);
      for (const p of TABLES) expect(grants).toContain(`table:${p.join("\u0000")}\u0001${who}\u0001SELECT`);
    }
    // 2 principals × (1 catalog + 2 schemas + 2 tables), and nothing else on the server.
    expect(grants).toHaveLength(10);
    expect(await ledgerRows()).toEqual(grants);
    expect(await prismaGrantLedger(t.db).read(connectionId)).toEqual(new Set(grants));
    const run = await t.db.reconcileRun.findFirstOrThrow({ where: { connectionId }, orderBy: { startedAt: "desc" } });
    expect(run.status).toBe("APPLIED");
  });

  it("a second reconcile sends nothing; a hand-made grant is reported, not revoked, and stays out of the ledger", async () => {
    expect(await reconcileNow()).toMatchObject({ kind: "unchanged" });
    await uc.rest("PATCH", `${api}/permissions/table/${enc(TABLES[0]!)}`, {
      changes: [{ principal: handMade, add: ["SELECT"], remove: [] }],
    });
    const findings = await checkDrift(deps, connectionId);
    expect(findings).toEqual([
      expect.objectContaining({ kind: "UNMANAGED_GRANT", accountName: handMade, privilege: "SELECT", repairable: false }),
    ]);
    expect(await reconcileNow()).toMatchObject({ kind: "unchanged" });
    expect(await ledgerRows()).toHaveLength(10);
  });

  it("deleting the policy revokes Steward's grants and removes their ledger rows; the hand-made one stays", async () => {
    await deletePolicy({ db: t.db }, governor, policyId);
    expect(await reconcileNow()).toMatchObject({ kind: "applied" });
    expect(await serverGrants()).toEqual([`table:${TABLES[0]!.join("\u0000")}\u0001${handMade}\u0001SELECT`]);
    expect(await ledgerRows()).toEqual([]);
    expect(await reconcileNow()).toMatchObject({ kind: "unchanged" });
  });

  it("with unmanagedGrants REVOKE the hand-made grant goes too (the ledger tells it from Steward's)", async () => {
    await setUnmanagedGrants({ db: t.db }, governor, connectionId, "REVOKE");
    expect(await reconcileNow()).toMatchObject({ kind: "applied", statements: 1 });
    expect(await serverGrants()).toEqual([]);
    expect(await ledgerRows()).toEqual([]);
  });
});
