/**
 * Reserved and shared platform accounts against a real PostgreSQL: they skip only their users (with a
 * visible problem) while everyone else's grants still converge; grants made outside Steward are
 * revoked when the connection asks for it.
 */
import { randomBytes } from "node:crypto";
import { type Actor, parseKeyring, SecretBox, systemActor } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { scopePrefix } from "@steward/integrations/grants";
import { cleanup, query, runId, tryAs } from "@steward/integrations/grants/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPolicy } from "../policies/policy-commands";
import { explainAccess } from "../policies/policy-queries";
import { bumpDesiredVersions } from "./desired-version";
import { setUnmanagedGrants } from "./drift-enforcement";
import { checkDrift, reconcileConnection } from "./reconcile-connection";
import { repairableFindings } from "./sweep-rules";

const run = runId();
const wh = `stw_acct_${run}`;
const ann = `acct_${run}_ann`;
const shared = `acct_${run}_shared`;
const carol = `acct_${run}_carol`; // a role made by hand, outside Steward
let t: TestDatabase;
let connectionId = "";
let source = "";
const ids: Record<string, string> = {};
const governor: Actor = { kind: "USER", userId: "", username: "gov", roles: new Set(["GOVERNOR"]) };
// No credentials are stored, so the box is never opened.
const deps = () => ({ db: t.db, secretBox: new SecretBox(parseKeyring(`k1:${randomBytes(32).toString("base64")}`)) });

async function reconcileNow() {
  const [bumped] = await t.db.$transaction((tx) => bumpDesiredVersions(tx, [connectionId]));
  return reconcileConnection(deps(), connectionId, bumped!.version);
}

beforeAll(async () => {
  t = await createTestDatabase();
  await query(`CREATE DATABASE ${wh}`);
  await query(`CREATE ROLE ${carol} LOGIN`);
  await query("CREATE SCHEMA shop; CREATE TABLE shop.orders (id int); INSERT INTO shop.orders VALUES (1)", [], { database: wh });
  // Written straight to the database: data that predates write-time validation.
  const make = async (username: string) =>
    (ids[username] = (await t.db.user.create({ data: { username, displayName: username, email: `${username}.${run}@example.com` } })).id);
  await make(ann);
  await make("public");
  await make(`pg_${run}`);
  await make(shared); // USERNAME mapping → account `shared`…
  await make(`acct_${run}_other`);
  await t.db.platformAccount.create({ data: { userId: ids[`acct_${run}_other`]!, platform: "POSTGRES", accountName: shared } }); // …and this one too
  governor.userId = (await t.db.user.create({ data: { username: `gov_${run}`, displayName: "gov", email: `gov.${run}@example.com` } })).id;
  const conn = await t.db.connection.create({
    data: {
      name: "wh",
      kind: "POSTGRES",
      config: { host: "127.0.0.1", port: 5432, user: "postgres", databases: [wh] },
      inboundSecretCiphertext: "x",
    },
  });
  connectionId = conn.id;
  const node = await t.db.catalogNode.create({
    data: {
      connectionId,
      kind: "OBJECT",
      name: "orders",
      path: [wh, "shop", "orders"],
      pathKey: `${wh}\u001fshop\u001forders`,
      objectType: "TABLE",
    },
  });
  source = (await t.db.dataSource.create({ data: { connectionId, catalogNodeId: node.id, name: "orders", objectType: "TABLE" } })).id;
  await createPolicy({ db: t.db }, systemActor("test"), {
    name: "everyone reads orders",
    accessType: "READ",
    restriction: { kind: "anyone" },
    scope: { kind: "sources", sourceIds: [source] },
  });
});

afterAll(async () => {
  await cleanup({
    databases: [wh],
    rolePrefixes: connectionId ? [scopePrefix(connectionId, wh)] : [],
    roles: [ann, shared, carol, `gov_${run}`],
  });
  await t?.drop();
});

describe("account problems at reconcile time", () => {
  it("grants everyone else while a reserved name and a shared account skip only their users, visibly", async () => {
    const outcome = await reconcileNow();
    expect(outcome.kind).toBe("applied");
    expect(await tryAs(ann, wh, "SELECT * FROM shop.orders")).toBe("ok");
    // Neither user of the shared account gets a role: a grant there would reach the other person.
    expect((await query("SELECT 1 FROM pg_roles WHERE rolname = $1", [shared])).rowCount).toBe(0);

    const state = await t.db.connectionAccessState.findUniqueOrThrow({ where: { connectionId } });
    const problems = state.accountProblems as { username: string; problem: string }[];
    expect(problems.map((p) => p.username).sort()).toEqual([`acct_${run}_other`, shared, `pg_${run}`, "public"].sort());
    expect(problems.find((p) => p.username === shared)?.problem).toMatch(/also mapped to/);
    const runRow = await t.db.reconcileRun.findFirstOrThrow({ where: { connectionId }, orderBy: { startedAt: "desc" } });
    expect(runRow.status).toBe("APPLIED");
    expect(runRow.accountProblems).toEqual(state.accountProblems);
    expect(runRow.error).toMatch(/users left out/);

    const why = await explainAccess({ db: t.db }, systemActor("test"), ids[shared]!, source);
    expect(why.level).toBe("READ");
    expect(why.platform).toMatchObject({ accountName: shared, level: "NONE", problem: expect.stringMatching(/also mapped to/) });
    const fine = await explainAccess({ db: t.db }, systemActor("test"), ids[ann]!, source);
    expect(fine.platform).toEqual({ accountName: ann, problem: null, level: "READ" });
  });

  it("reports a grant made by hand once, and revokes it only after the connection switches to REVOKE", async () => {
    await query(`GRANT CONNECT ON DATABASE ${wh} TO ${carol}; GRANT USAGE ON SCHEMA shop TO ${carol}`, [], { database: wh });
    await query(`GRANT SELECT ON shop.orders TO ${carol}`, [], { database: wh });
    const findings = await checkDrift(deps(), connectionId);
    expect(findings.filter((f) => f.kind === "UNMANAGED_GRANT")).toEqual([
      {
        kind: "UNMANAGED_GRANT",
        grantee: carol,
        objectId: source,
        schema: "shop",
        name: "orders",
        privileges: ["SELECT"],
        accountName: carol,
        // Reported only: the connection reports unmanaged grants (the default).
        repairable: false,
      },
    ]);
    expect(repairableFindings(findings)).toEqual([]);
    await expect(setUnmanagedGrants({ db: t.db }, { ...governor, roles: new Set() }, connectionId, "REVOKE")).rejects.toMatchObject({
      code: "FORBIDDEN",
    });

    const before = await t.db.connectionAccessState.findUniqueOrThrow({ where: { connectionId } });
    await setUnmanagedGrants({ db: t.db }, governor, connectionId, "REVOKE");
    const after = await t.db.connectionAccessState.findUniqueOrThrow({ where: { connectionId } });
    expect(after).toMatchObject({ unmanagedGrants: "REVOKE", desiredVersion: before.desiredVersion + 1 });
    expect(await t.db.auditEvent.count({ where: { action: "connection.unmanaged_grants_set", targetId: connectionId } })).toBe(1);

    expect(await tryAs(carol, wh, "SELECT * FROM shop.orders")).toBe("ok");
    const outcome = await reconcileConnection(deps(), connectionId, after.desiredVersion);
    expect(outcome.kind).toBe("applied");
    expect(await tryAs(carol, wh, "SELECT * FROM shop.orders")).toMatch(/permission denied/);
    expect(await tryAs(ann, wh, "SELECT * FROM shop.orders")).toBe("ok");
    expect((await checkDrift(deps(), connectionId)).filter((f) => f.kind === "UNMANAGED_GRANT")).toEqual([]);
  });
});
