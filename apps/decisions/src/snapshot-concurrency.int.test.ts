/**
 * The decision snapshot stays correct under concurrent changes: the real worker reconciles a TRINO
 * connection (its adapter only publishes snapshots, so no Trino server is needed) while several tasks
 * change policies, memberships, attributes, data policies and projects at once. Once everything is
 * settled, the published snapshot must equal what Steward computes from scratch now, and the real
 * decision service must answer every user × table as that fresh state says. Versions only go forward.
 *
 * The catalog (one Trino catalog, five schemas, 30 tables, hostile names among them) is written
 * with the catalog sync's own planner, as a sync through Trino would leave it, and registered with
 * the ordinary use-case; createConnection is not used because it test-connects a real Trino.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  acknowledgeProjectPurposes,
  computeDesiredAccess,
  createDataPolicy,
  createPolicy,
  createProject,
  createPurpose,
  dataPolicyDesiredState,
  decisionExtras,
} from "@steward/access";
import { planSync, registerDataSources, tagColumn } from "@steward/catalog";
import { type Actor, createLogger, parseAddressList, systemActor } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { addGroupMember, createGroup, createUser, setUserAttribute } from "@steward/identity";
import type { CrawledObject } from "@steward/integrations";
import { HOSTILE_NAMES } from "@steward/integrations/sql/hostile-names";
import { opaRequest, tableResource } from "@steward/integrations/trino/opa/testing";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushPrefix, REDIS_URL, testConfig, testKeyring, uniquePrefix, waitFor } from "../../worker/src/test-support";
import { type RunningWorker, startWorker } from "../../worker/src/worker";
import { type RunningDecisionService, startDecisionService } from "./service";
import { BURST_CLEARANCES, BURST_REGIONS, type BurstWorld, policyInput, random, runBurst } from "./testing/change-burst";

const id = randomBytes(3).toString("hex");
const prefix = uniquePrefix("snapshot-burst");
const system = systemActor("test");
const token = `tok_${randomBytes(24).toString("base64url")}`;
const CATALOG = "lake";
// Trino keeps quoted identifiers as written: the decision path must match them byte for byte.
const SCHEMAS = ["sales", "hr", HOSTILE_NAMES[4]!, HOSTILE_NAMES[3]!, "UPPER Case"];
const TABLES = ["orders", "people", HOSTILE_NAMES[0]!, "it's", "emoji😀", "t5"];
const USERS = 20;

type UserActor = Actor & { kind: "USER" };
type Table = { sourceId: string; path: [string, string, string] };

let t: TestDatabase;
let worker: RunningWorker;
let service: RunningDecisionService;
let connectionId = "";
let governor: UserActor;
const users: UserActor[] = [];
const groups: string[] = [];
let tables: Table[] = [];
let world: BurstWorld;
const reconcilePaths: ("delta" | "full")[] = [];

/**
 * The worker's logger: its "reconcile finished" debug lines say which path each run took (a burst
 * must exercise the delta merge, not only full reconciles); warnings and errors go to stderr.
 */
function workerLogger() {
  return pino(
    { name: "snapshot-burst-worker", level: "debug" },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { msg?: string; level: number; path?: "delta" | "full" };
        if (entry.msg === "reconcile finished" && entry.path) reconcilePaths.push(entry.path);
        else if (entry.level >= 40) process.stderr.write(line);
      },
    },
  );
}

const asUser = (u: { id: string; username: string }, roles: ("GOVERNOR" | "ADMIN")[] = []): UserActor => ({
  kind: "USER",
  userId: u.id,
  username: u.username,
  roles: new Set(roles),
});

/** Settled: every event dispatched, the desired version applied, and the published snapshot served. */
async function settled() {
  if ((await t.db.outboxEvent.count({ where: { processedAt: null } })) > 0) return null;
  const state = await t.db.connectionAccessState.findUnique({ where: { connectionId } });
  if (!(state && state.desiredVersion > 0 && state.appliedVersion >= state.desiredVersion)) return null;
  const published = await t.db.decisionSnapshot.findUnique({ where: { connectionId } });
  return published && service.cache.get(connectionId)?.served?.version === published.version ? { state, published } : null;
}

/** Samples the served version while a burst runs: it may only ever go up. */
function watchServedVersions() {
  const seen: number[] = [];
  const sample = () => {
    const v = service.cache.get(connectionId)?.served?.version;
    if (v !== undefined && v !== seen.at(-1)) seen.push(v);
  };
  const timer = setInterval(sample, 2);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return seen;
    },
  };
}

async function decide(user: string, operation: string, table: Table): Promise<boolean> {
  const [catalog, schema, name] = table.path;
  const res = await fetch(`http://127.0.0.1:${service.port}/decisions/TRINO/${connectionId}/${token}/allow`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(opaRequest(user, { operation, resource: tableResource(catalog, schema, name, ["id", "email"]) })),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { result: boolean }).result;
}

const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

async function seedCatalog() {
  const crawled: CrawledObject[] = SCHEMAS.flatMap((schema) =>
    TABLES.map((name) => ({
      path: [CATALOG, schema, name],
      objectType: "TABLE" as const,
      columns: [
        { name: "id", dataType: "bigint", ordinal: 1, nullable: false },
        { name: "email", dataType: "varchar", ordinal: 2, nullable: true },
        { name: "region", dataType: "varchar", ordinal: 3, nullable: true },
      ],
    })),
  );
  // The sync's own diff against an empty catalog: the same nodes (parents derived) a first sync writes.
  const plan = planSync(crawled, []);
  await t.db.catalogNode.createMany({
    data: plan.inserts.map((n) => ({ ...n, connectionId, columns: n.columns ?? undefined, columnsHash: n.columnsHash })),
  });
  await registerDataSources({ db: t.db, secretBox: worker.context.secretBox }, system, { connectionId, wholeConnection: true });
  const sources = await t.db.dataSource.findMany({ where: { connectionId }, include: { catalogNode: true } });
  return sources.map((s) => ({ sourceId: s.id, path: s.catalogNode.path as [string, string, string] }));
}

beforeAll(async () => {
  t = await createTestDatabase();
  const logger = createLogger({ name: "snapshot-burst-test", level: process.env.TEST_LOG ?? "warn" });
  const keyring = testKeyring();
  worker = await startWorker({
    databaseUrl: t.url,
    redisUrl: REDIS_URL,
    encryptionKeys: keyring,
    port: 0,
    config: testConfig(prefix),
    logger: workerLogger(),
  });
  service = await startDecisionService({
    databaseUrl: t.url,
    encryptionKeys: keyring,
    port: 0,
    config: {
      DECISIONS_ON_OUTAGE: "serve-last",
      DECISIONS_STALE_AFTER_MS: 10_000,
      DECISIONS_POLL_MS: 2_000,
      DECISIONS_BODY_LIMIT_BYTES: 1024 * 1024,
      DECISIONS_AUDIT_RETENTION_DAYS: 30,
      DECISIONS_AUDIT_FLUSH_MS: 200,
      DECISIONS_AUDIT_BATCH_SIZE: 1_000,
      DECISIONS_AUDIT_QUEUE_MAX: 100_000,
    },
    logger,
    metricsAccess: { allow: parseAddressList("loopback") },
  });

  const connection = await t.db.connection.create({
    data: {
      name: `trino ${id}`,
      kind: "TRINO",
      config: { host: "127.0.0.1", port: 8080, user: "steward", catalogs: [CATALOG] },
      inboundSecretCiphertext: "x",
      decisionTokenHash: createHash("sha256").update(token).digest("hex"),
      decisionTokenIssuedAt: new Date(),
    },
  });
  connectionId = connection.id;
  tables = await seedCatalog();
  expect(tables).toHaveLength(SCHEMAS.length * TABLES.length);

  const d = { db: t.db };
  const g = await createUser(d, system, { username: `sc${id}gov`, displayName: "Gov", email: `gov${id}@example.com`, roles: ["GOVERNOR"] });
  governor = asUser(g, ["GOVERNOR"]);
  for (let i = 0; i < USERS; i++) {
    // One admin: privileged accounts are part of the snapshot too.
    const roles = i === USERS - 1 ? (["ADMIN"] as const) : [];
    const u = await createUser(d, system, {
      username: `sc${id}u${i}`,
      displayName: `U${i}`,
      email: `u${i}${id}@example.com`,
      roles: [...roles],
    });
    users.push(asUser(u, [...roles]));
    await setUserAttribute(d, system, { userId: u.id, key: "region", values: [BURST_REGIONS[i % 3]!] });
    await setUserAttribute(d, system, { userId: u.id, key: "clearance", values: [BURST_CLEARANCES[i % 2]!] });
  }
  for (const name of ["analysts", "writers", "auditors", "interns"])
    groups.push((await createGroup(d, system, { name: `${name} ${id}` })).id);
  const members = new Set<string>();
  for (let i = 0; i < USERS; i += 3) {
    await addGroupMember(d, system, { groupId: groups[i % groups.length]!, userId: users[i]!.userId });
    members.add(`${groups[i % groups.length]}/${users[i]!.userId}`);
  }
  const researchId = (await createPurpose(d, governor, { name: `Research ${id}`, acknowledgement: "research only" })).id;
  const projects = new Map<string, string>();
  for (const u of users.slice(0, 5)) {
    const project = await createProject(d, u, { name: `study ${u.username}`, purposeIds: [researchId] });
    await acknowledgeProjectPurposes(d, u, project.id);
    projects.set(u.userId, project.id);
  }
  for (const table of tables.filter((x) => x.path[1] === "hr")) {
    await tagColumn(
      { db: t.db, secretBox: worker.context.secretBox },
      system,
      { dataSourceId: table.sourceId, column: "email", tag: "PII" },
      true,
    );
  }
  const rowPolicy = { id: "", name: `own region ${id}` };
  world = {
    db: t.db,
    admin: system,
    governor,
    users,
    groups,
    tables,
    connectionId,
    catalog: CATALOG,
    schemas: SCHEMAS,
    researchId,
    rowPolicy,
    projects,
    members,
    policyIds: [],
    label: id,
  };
  const seed = random(1);
  for (let i = 0; i < 6; i++)
    world.policyIds.push((await createPolicy(d, governor, policyInput(world, seed, `base ${i} ${id}`))).policy.id);
  await createDataPolicy(d, governor, {
    name: `hash PII ${id}`,
    engineDefinition: {
      scope: { kind: "connection", connectionId },
      rule: { kind: "mask", columns: { kind: "tagged", tag: "PII" }, mask: { kind: "hash" } },
      except: { kind: "purpose", purpose: researchId },
    },
  });
  rowPolicy.id = (
    await createDataPolicy(d, governor, {
      name: rowPolicy.name,
      engineDefinition: {
        scope: { kind: "schema", connectionId, database: CATALOG, schema: "sales" },
        rule: { kind: "rows", rule: { kind: "matchAttribute", column: "region", attribute: "region" } },
      },
    })
  ).policy.id;
  await waitFor(settled, { timeoutMs: 120_000, what: "the first decision snapshot published and served" });
}, 300_000);

afterAll(async () => {
  await service?.stop();
  await worker?.stop();
  await flushPrefix(prefix);
  await t?.drop();
}, 60_000);

async function burstThenCheck(round: number) {
  const watch = watchServedVersions();
  reconcilePaths.length = 0;
  const before = (await t.db.decisionSnapshot.findUniqueOrThrow({ where: { connectionId } })).version;
  // ~60 changes from five tasks at once; the worker reconciles while they are still coming in.
  await runBurst(world, round);
  const { state, published } = await waitFor(settled, { timeoutMs: 180_000, intervalMs: 100, what: `burst ${round} settled` });
  const served = watch.stop();

  // (c) Forward only: what the service served never went back, and the newest version was published.
  expect(served).toEqual([...served].sort((x, y) => x - y));
  expect(published.version).toBeGreaterThan(before);
  expect(served.at(-1)).toBe(published.version);
  // The snapshot carries the version of the last run that changed something; any later run found
  // nothing to publish (a version whose content is unchanged is not re-published).
  const runs = await t.db.reconcileRun.findMany({
    where: { connectionId, desiredVersion: { gt: before } },
    orderBy: { finishedAt: "asc" },
  });
  expect(runs.filter((r) => r.status === "FAILED")).toEqual([]);
  const appliedRuns = runs.filter((r) => r.status === "APPLIED").map((r) => r.desiredVersion);
  expect(appliedRuns).toEqual([...appliedRuns].sort((x, y) => x - y));
  expect(appliedRuns.at(-1)).toBe(published.version);
  expect(runs.filter((r) => r.desiredVersion > published.version).every((r) => r.status === "UNCHANGED")).toBe(true);
  expect(state.appliedVersion).toBeGreaterThanOrEqual(published.version);
  // Both paths ran during the burst: deltas merged into snapshots that full runs published.
  expect(new Set(reconcilePaths)).toEqual(new Set(["delta", "full"]));

  // (a) The snapshot equals the desired state computed from scratch now.
  const fresh = await computeDesiredAccess(t.db, connectionId, new Date());
  const freshData = await dataPolicyDesiredState(t.db, worker.context.secretBox, connectionId, fresh.accountUsers, fresh.access);
  const freshExtras = await decisionExtras(t.db, connectionId, fresh.accountUsers);
  const snapshot = published.state as {
    accounts: string[];
    access: { accountName: string; objectId: string; level: string }[];
    objects: { id: string }[];
    dataPolicies: { views: unknown[]; profiles: { accountName: string }[] };
    decisions: { privilegedAccounts: string[] };
  };
  const byEntry = (x: { accountName: string; objectId: string }, y: { accountName: string; objectId: string }) =>
    x.accountName.localeCompare(y.accountName) || x.objectId.localeCompare(y.objectId);
  expect(snapshot.access).toEqual(json([...fresh.access].sort(byEntry)));
  expect(snapshot.accounts).toEqual([...fresh.accounts].sort());
  expect(snapshot.objects.map((o) => o.id)).toEqual(fresh.objects.map((o) => o.id).sort());
  expect(snapshot.dataPolicies.profiles).toEqual(json([...freshData.profiles].sort((x, y) => x.accountName.localeCompare(y.accountName))));
  expect(snapshot.dataPolicies.views).toEqual(json(freshData.views));
  expect(snapshot.decisions.privilegedAccounts).toEqual(freshExtras.privilegedAccounts);
  // The burst must have changed access at all, or the checks above prove little.
  expect(fresh.access.length).toBeGreaterThan(0);

  // (b) The decision service answers every user × table as the fresh state says.
  const level = new Map(fresh.access.map((e) => [`${e.accountName}\u0000${e.objectId}`, e.level]));
  const privileged = new Set(freshExtras.privilegedAccounts);
  const accounts = [governor, ...users].map((u) => u.username);
  const checks = accounts.flatMap((account) => tables.map((table) => ({ account, table })));
  const mismatches: string[] = [];
  for (let i = 0; i < checks.length; i += 25) {
    await Promise.all(
      checks.slice(i, i + 25).map(async ({ account, table }) => {
        const want = privileged.has(account) ? "WRITE" : level.get(`${account}\u0000${table.sourceId}`);
        const [select, insert] = await Promise.all([
          decide(account, "SelectFromColumns", table),
          decide(account, "InsertIntoTable", table),
        ]);
        if (select !== (want !== undefined) || insert !== (want === "WRITE"))
          mismatches.push(`${account} ${table.path.join(".")}: want ${want ?? "none"}, select ${select}, insert ${insert}`);
      }),
    );
  }
  expect(mismatches).toEqual([]);
  const allowed = checks.filter(({ account, table }) => privileged.has(account) || level.has(`${account}\u0000${table.sourceId}`));
  // Both answers occur: a service that allowed or denied everything would fail here.
  expect(allowed.length).toBeGreaterThan(0);
  expect(allowed.length).toBeLessThan(checks.length);
}

describe("decision snapshot under concurrent changes", () => {
  it("after a burst of ~60 concurrent changes, the snapshot and every answer match a fresh evaluation", async () => {
    await burstThenCheck(1);
  }, 300_000);

  it("and again after a second burst on top of the first", async () => {
    await burstThenCheck(2);
  }, 300_000);
});
