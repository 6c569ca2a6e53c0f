/**
 * Trino governed by Steward, end to end on real parts: a real Trino 476 (started here from the Maven
 * cache, see libs/integrations/src/trino/testing) whose stock `opa` access control calls this
 * decision service, which answers from snapshots the real worker publishes after every change. The
 * warehouse is a real PostgreSQL database behind Trino's postgresql catalog.
 *
 * As the cluster is set up in real life: it is registered while open (allow-all) so Steward can sync
 * its catalog, a decision token is issued, and the cluster restarts with the generated
 * access-control properties. Then every query below runs as the end user through Trino.
 */
import { createHash } from "node:crypto";
import {
  acknowledgeProjectPurposes,
  createDataPolicy,
  createPolicy,
  createProject,
  createPurpose,
  HASH_SALT_LABEL,
  issueDecisionToken,
  switchProject,
} from "@steward/access";
import { createConnection, tagColumn } from "@steward/catalog";
import { type Actor, createLogger, parseAddressList, systemActor } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { addGroupMember, createGroup, createUser, setUserAttribute } from "@steward/identity";
import { cleanup, query, runId } from "@steward/integrations/grants/testing";
import { createTrinoClient, type RunningTrino, startTrino, type TrinoQueryResult } from "@steward/integrations/trino/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushPrefix, REDIS_URL, testConfig, testKeyring, uniquePrefix, waitFor } from "../../worker/src/test-support";
import { type RunningWorker, startWorker } from "../../worker/src/worker";
import { type RunningDecisionService, startDecisionService } from "./service";

const id = runId();
const prefix = uniquePrefix("trino");
const warehouse = `stw_trino_${id}`;
const ROWS = [
  [1, "Ann", "ann@example.com", "EU"],
  [2, "Ben", "ben@example.com", "US"],
  [3, "Cat", "cat@example.com", "EU"],
] as const;
const keyring = testKeyring();
const system = systemActor("test");
const names = { gov: `tr_${id}_gov`, alice: `tr_${id}_alice`, bob: `tr_${id}_bob` };

let t: TestDatabase;
let worker: RunningWorker;
let service: RunningDecisionService;
let trino: RunningTrino | undefined;
let connectionId = "";
let employeesId = "";
let budgetsId = "";
let researchId = "";
let governor: Actor & { kind: "USER" };
let alice: Actor & { kind: "USER" };
const user = (userId: string, username: string, roles: ("GOVERNOR" | "ADMIN")[] = []): Actor & { kind: "USER" } => ({
  kind: "USER",
  userId,
  username,
  roles: new Set(roles),
});

const hashed = (value: string) =>
  createHash("sha256")
    .update(worker.context.secretBox.derive(HASH_SALT_LABEL) + value)
    .digest("hex");

/** Runs `sql` in Trino as `who`; a refusal comes back as the error's text so tests can assert on it. */
async function asUser(who: string, sql: string): Promise<TrinoQueryResult | string> {
  const client = createTrinoClient({ server: trino!.url, user: who, timeoutMs: 60_000 });
  try {
    return await client.query(sql);
  } catch (err) {
    return err instanceof Error ? `${(err as { code?: string }).code ?? "ERROR"}: ${err.message}` : String(err);
  }
}
async function rowsAs(who: string, sql: string): Promise<unknown[][]> {
  const r = await asUser(who, sql);
  if (typeof r === "string") throw new Error(r);
  return r.rows;
}

const settled = async () => {
  const s = await t.db.connectionAccessState.findUnique({ where: { connectionId } });
  if (!(s && s.desiredVersion > 0 && s.appliedVersion >= s.desiredVersion)) return null;
  const published = await t.db.decisionSnapshot.findUnique({ where: { connectionId } });
  return published && service.cache.get(connectionId)?.served?.version === published.version ? s : null;
};

beforeAll(async () => {
  t = await createTestDatabase();
  await query(`CREATE DATABASE ${warehouse}`);
  await query(
    `CREATE SCHEMA hr; CREATE TABLE hr.employees (id int, name text, email text, region text);
     INSERT INTO hr.employees VALUES ${ROWS.map((r) => `(${r[0]}, '${r[1]}', '${r[2]}', '${r[3]}')`).join(", ")};
     CREATE SCHEMA finance; CREATE TABLE finance.budgets (id int, code text); INSERT INTO finance.budgets VALUES (1, 'B-1')`,
    [],
    { database: warehouse },
  );
  const logger = createLogger({ name: "trino-test", level: process.env.TEST_LOG ?? "warn" });
  worker = await startWorker({
    databaseUrl: t.url,
    redisUrl: REDIS_URL,
    encryptionKeys: keyring,
    port: 0,
    config: testConfig(prefix),
    logger,
  });
  service = await startDecisionService({
    databaseUrl: t.url,
    encryptionKeys: keyring,
    port: 0,
    config: {
      DECISIONS_ON_OUTAGE: "serve-last",
      DECISIONS_STALE_AFTER_MS: 10_000,
      DECISIONS_POLL_MS: 2_000,
      DECISIONS_BODY_LIMIT_BYTES: 64 * 1024 * 1024,
      DECISIONS_AUDIT_RETENTION_DAYS: 30,
      DECISIONS_AUDIT_FLUSH_MS: 100,
      DECISIONS_AUDIT_BATCH_SIZE: 1_000,
      DECISIONS_AUDIT_QUEUE_MAX: 100_000,
    },
    logger,
    metricsAccess: { allow: parseAddressList("loopback") },
  });

  const d = { db: t.db };
  const g = await createUser(d, system, {
    username: names.gov,
    displayName: "Gov",
    email: `${names.gov}@example.com`,
    roles: ["GOVERNOR", "ADMIN"],
  });
  governor = user(g.id, g.username, ["GOVERNOR", "ADMIN"]);
  const a = await createUser(d, system, { username: names.alice, displayName: "Alice", email: `${names.alice}@example.com` });
  alice = user(a.id, a.username);
  const b = await createUser(d, system, { username: names.bob, displayName: "Bob", email: `${names.bob}@example.com` });
  await setUserAttribute(d, system, { userId: a.id, key: "region", values: ["EU"] });
  const writers = await createGroup(d, system, { name: `writers-${id}` });
  await addGroupMember(d, system, { groupId: writers.id, userId: b.id });
  const hrGroup = await createGroup(d, system, { name: `hr-${id}` });
  researchId = (await createPurpose(d, governor, { name: `Research ${id}`, acknowledgement: "I use this data for research only" })).id;

  // Registered while the cluster is open, as a data owner would before switching it to Steward.
  const pg = { url: `postgresql://postgres@127.0.0.1:5432/${warehouse}` };
  const open = await startTrino({ accessControl: { kind: "allow-all" }, postgresql: pg });
  const port = open.port;
  let created: Awaited<ReturnType<typeof createConnection>>;
  try {
    created = await createConnection({ db: t.db, secretBox: worker.context.secretBox }, system, {
      name: "trino",
      kind: "TRINO",
      config: { host: "127.0.0.1", port, user: "steward", catalogs: ["postgresql"] },
      autoRegister: true,
    });
    connectionId = created.connection.id;
    await waitFor(async () => (await t.db.syncRun.findUnique({ where: { id: created.syncRun.id } }))?.status === "SUCCEEDED", {
      timeoutMs: 60_000,
      what: "first sync through Trino",
    });
  } finally {
    await open.stop();
  }
  const { token } = await issueDecisionToken({ db: t.db }, governor, connectionId);
  trino = await startTrino({
    port,
    postgresql: pg,
    accessControl: { kind: "opa", baseUri: `http://127.0.0.1:${service.port}/decisions/TRINO/${connectionId}/${token}` },
  });

  employeesId = (await t.db.dataSource.findFirstOrThrow({ where: { connectionId, name: { endsWith: "hr.employees" } } })).id;
  budgetsId = (await t.db.dataSource.findFirstOrThrow({ where: { connectionId, name: { endsWith: "finance.budgets" } } })).id;
  await tagColumn(
    { db: t.db, secretBox: worker.context.secretBox },
    governor,
    { dataSourceId: employeesId, column: "email", tag: "PII.Email" },
    true,
  );
  await createPolicy(d, governor, {
    name: `EU analysts read employees ${id}`,
    accessType: "READ",
    restriction: { kind: "conditions", condition: { kind: "attribute", key: "region", match: "anyOf", values: ["EU"] } },
    scope: { kind: "sources", sourceIds: [employeesId] },
  });
  await createPolicy(d, governor, {
    name: `writers write budgets ${id}`,
    accessType: "WRITE",
    restriction: { kind: "conditions", condition: { kind: "group", group: writers.id } },
    scope: { kind: "sources", sourceIds: [budgetsId] },
  });
  await createDataPolicy(d, governor, {
    name: `hash PII ${id}`,
    engineDefinition: {
      scope: { kind: "connection", connectionId },
      rule: { kind: "mask", columns: { kind: "tagged", tag: "PII" }, mask: { kind: "hash" } },
      except: {
        kind: "or",
        conditions: [
          { kind: "group", group: hrGroup.id },
          { kind: "purpose", purpose: researchId },
        ],
      },
    },
  });
  await createDataPolicy(d, governor, {
    name: `own region ${id}`,
    engineDefinition: {
      scope: { kind: "sources", sourceIds: [employeesId] },
      rule: { kind: "rows", rule: { kind: "matchAttribute", column: "region", attribute: "region" } },
    },
  });
  await waitFor(settled, { timeoutMs: 60_000, what: "decision snapshot published and loaded" });
}, 300_000);

afterAll(async () => {
  await trino?.stop();
  await service?.stop();
  await worker?.stop();
  await flushPrefix(prefix);
  await cleanup({ databases: [warehouse], rolePrefixes: [], roles: [] });
  await t?.drop();
}, 60_000);

describe("Trino 476 with Steward's decision service (opa access control)", () => {
  it("as alice a permitted SELECT returns her region's rows with the PII column masked", async () => {
    expect(await rowsAs(names.alice, "SELECT id, name, email, region FROM postgresql.hr.employees ORDER BY id")).toEqual([
      [1, "Ann", hashed("ann@example.com"), "EU"],
      [3, "Cat", hashed("cat@example.com"), "EU"],
    ]);
  });

  it("a forbidden SELECT fails with Access Denied, and the query audit says why", async () => {
    const refused = await asUser(names.alice, "SELECT * FROM postgresql.finance.budgets");
    expect(refused).toMatch(/PERMISSION_DENIED: Access Denied/);
    await service.flushAudit();
    const denial = await t.db.decisionRecord.findFirst({
      where: { connectionId, user: names.alice, allowed: false, resource: { contains: "finance.budgets" } },
      orderBy: { at: "desc" },
    });
    expect(denial).not.toBeNull();
    expect(denial!.reason).toMatch(/subscription/i);
    expect(denial!.snapshotVersion).toBe((await t.db.decisionSnapshot.findUniqueOrThrow({ where: { connectionId } })).version);
  });

  it("SHOW SCHEMAS and SHOW TABLES list only what alice may read", async () => {
    const schemas = (await rowsAs(names.alice, "SHOW SCHEMAS FROM postgresql")).map((r) => r[0]);
    expect(schemas).toContain("hr");
    expect(schemas).not.toContain("finance");
    expect(await rowsAs(names.alice, "SHOW TABLES FROM postgresql.hr")).toEqual([["employees"]]);
    // An admin sees everything, in clear.
    expect((await rowsAs(names.gov, "SHOW SCHEMAS FROM postgresql")).map((r) => r[0])).toEqual(expect.arrayContaining(["hr", "finance"]));
    expect(await rowsAs(names.gov, "SELECT email FROM postgresql.hr.employees ORDER BY id")).toEqual(ROWS.map((r) => [r[2]]));
  });

  it("an INSERT needs WRITE: bob (writers) inserts, alice (READ) is refused", async () => {
    expect(await asUser(names.alice, "INSERT INTO postgresql.hr.employees VALUES (9, 'Eve', 'eve@example.com', 'EU')")).toMatch(
      /PERMISSION_DENIED: Access Denied/,
    );
    expect(await asUser(names.alice, "INSERT INTO postgresql.finance.budgets VALUES (9, 'B-9')")).toMatch(
      /PERMISSION_DENIED: Access Denied/,
    );
    const inserted = await asUser(names.bob, "INSERT INTO postgresql.finance.budgets VALUES (2, 'B-2')");
    expect(typeof inserted === "string" ? inserted : inserted.updateCount).toBe(1);
    // WRITE reads too (the default mapping WRITE → READ, WRITE).
    expect(await rowsAs(names.bob, "SELECT id, code FROM postgresql.finance.budgets ORDER BY id")).toEqual([
      [1, "B-1"],
      [2, "B-2"],
    ]);
    // WRITE on one source says nothing about another.
    expect(await asUser(names.bob, "SELECT * FROM postgresql.hr.employees")).toMatch(/PERMISSION_DENIED/);
  });

  it("switching to a project under the exempt purpose shows clear values; switching back masks them again", async () => {
    const project = await createProject({ db: t.db }, alice, { name: `study ${id}`, purposeIds: [researchId] });
    await acknowledgeProjectPurposes({ db: t.db }, alice, project.id);
    await switchProject({ db: t.db }, alice, project.id);
    const email = async () => (await rowsAs(names.alice, "SELECT email FROM postgresql.hr.employees WHERE id = 1"))[0]?.[0];
    await waitFor(async () => (await email()) === "ann@example.com", { timeoutMs: 30_000, what: "clear emails under Research" });
    await switchProject({ db: t.db }, alice, null);
    await waitFor(async () => (await email()) === hashed("ann@example.com"), { timeoutMs: 30_000, what: "masked emails again" });
  });

  it("a new policy is visible in Trino's next query", async () => {
    await createPolicy({ db: t.db }, governor, {
      name: `alice reads budgets ${id}`,
      accessType: "READ",
      restriction: { kind: "conditions", condition: { kind: "attribute", key: "region", match: "anyOf", values: ["EU"] } },
      scope: { kind: "sources", sourceIds: [budgetsId] },
    });
    await waitFor(async () => typeof (await asUser(names.alice, "SELECT code FROM postgresql.finance.budgets")) !== "string", {
      timeoutMs: 30_000,
      what: "budgets readable",
    });
    expect(await rowsAs(names.alice, "SELECT code FROM postgresql.finance.budgets ORDER BY id")).toEqual([["B-1"], ["B-2"]]);
  });
});
