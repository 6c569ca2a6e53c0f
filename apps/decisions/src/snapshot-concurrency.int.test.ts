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
  deletePolicy,
  switchProject,
  updateDataPolicy,
  updatePolicy,
} from "@steward/access";
import { planSync, registerDataSources, tagColumn } from "@steward/catalog";
import { type Actor, createLogger, parseAddressList, systemActor } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { addGroupMember, createGroup, createUser, removeGroupMember, setUserAttribute } from "@steward/identity";
import type { CrawledObject } from "@steward/integrations";
import { HOSTILE_NAMES } from "@steward/integrations/sql/hostile-names";
import { opaRequest, tableResource } from "@steward/integrations/trino/opa/testing";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushPrefix, REDIS_URL, testConfig, testKeyring, uniquePrefix, waitFor } from "../../worker/src/test-support";
import { type RunningWorker, startWorker } from "../../worker/src/worker";
import { type RunningDecisionService, startDecisionService } from "./service";

const id = randomBytes(3).toString("hex");
const prefix = uniquePrefix("snapshot-burst");
const system = systemActor("test");
const token = `tok_${randomBytes(24).toString("base64url")}`;
const CATALOG = "lake";
// Trino keeps quoted identifiers as written: the decision path must match them byte for byte.
const SCHEMAS = ["sales", "hr", HOSTILE_NAMES[4]!, HOSTILE_NAMES[3]!, "UPPER Case"];
const TABLES = ["orders", "people", HOSTILE_NAMES[0]!, "it's", "emoji😀", "t5"];
const REGIONS = ["EU", "US", "APAC"];
const CLEARANCES = ["low", "high"];
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
let researchId = "";
let rowPolicyId = "";
const projects = new Map<string, string>(); // userId → their project (research purpose, acknowledged)
const policyIds: string[] = []; // live subscription policies, shared out to the policy tasks per burst
const members = new Set<string>(); // `${groupId}/${userId}`: only the membership task changes them
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

/** Small seeded PRNG (mulberry32): a failing burst can be replayed from its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const some = <T>(xs: readonly T[], n: number): T[] => [...xs].sort(() => next() - 0.5).slice(0, n);
  const pause = (minMs: number, maxMs: number) => new Promise((r) => setTimeout(r, minMs + int(maxMs - minMs)));
  return { next, int, pick, some, pause };
}
type Rng = ReturnType<typeof random>;

/** A subscription policy definition drawn at random over this connection's groups, attributes and tables. */
function policyInput(rng: Rng, name: string) {
  const condition =
    rng.next() < 0.5
      ? { kind: "group", group: rng.pick(groups) }
      : { kind: "attribute", key: rng.pick(["region", "clearance"]), match: "anyOf", values: rng.some([...REGIONS, ...CLEARANCES], 2) };
  const scope =
    rng.next() < 0.5
      ? { kind: "sources", sourceIds: rng.some(tables, 1 + rng.int(6)).map((x) => x.sourceId) }
      : { kind: "schema", connectionId, database: CATALOG, schema: rng.pick(SCHEMAS) };
  return { name, accessType: rng.next() < 0.4 ? "WRITE" : "READ", restriction: { kind: "conditions", condition }, scope };
}

/**
 * Creates, updates and deletes subscription policies (full-scope versions). Done sooner than the
 * user-scoped tasks, so the burst's tail reconciles on the delta path, merging into the snapshot
 * while memberships, attributes and projects keep changing.
 */
async function policyTask(rng: Rng, label: string, owned: string[]) {
  for (let i = 0; i < 8; i++) {
    await rng.pause(10, 80);
    const op = i < 3 ? "create" : i < 6 ? "update" : "delete";
    if (op === "create") owned.push((await createPolicy({ db: t.db }, governor, policyInput(rng, `${label} p${i} ${id}`))).policy.id);
    else if (op === "update") {
      const target = rng.pick(owned);
      await updatePolicy({ db: t.db }, governor, { id: target, ...policyInput(rng, `${label} p${i} ${id}`) });
    } else await deletePolicy({ db: t.db }, governor, owned.splice(rng.int(owned.length), 1)[0]!);
  }
}

/** Adds and removes group members (user-scoped deltas). */
async function membershipTask(rng: Rng) {
  for (let i = 0; i < 16; i++) {
    await rng.pause(20, 120);
    const [groupId, userId] = [rng.pick(groups), rng.pick(users).userId];
    const key = `${groupId}/${userId}`;
    if (members.delete(key)) await removeGroupMember({ db: t.db }, system, { groupId, userId });
    else {
      await addGroupMember({ db: t.db }, system, { groupId, userId });
      members.add(key);
    }
  }
}

/** Sets attributes (user-scoped deltas). */
async function attributeTask(rng: Rng) {
  for (let i = 0; i < 16; i++) {
    await rng.pause(20, 120);
    const key = rng.pick(["region", "clearance"]);
    const values = rng.some(key === "region" ? REGIONS : CLEARANCES, 1 + rng.int(2));
    await setUserAttribute({ db: t.db }, system, { userId: rng.pick(users).userId, key, values });
  }
}

/** A data policy created and updated, the row filter re-scoped, and project switches (profile deltas). */
async function dataAndProjectTask(rng: Rng, round: number) {
  const switchers = [...projects.keys()];
  const switchOnce = async () => {
    await rng.pause(20, 150);
    const userId = rng.pick(switchers);
    const u = users.find((x) => x.userId === userId)!;
    const current = (await t.db.user.findUniqueOrThrow({ where: { id: userId } })).currentProjectId;
    await switchProject({ db: t.db }, u, current ? null : projects.get(userId)!);
  };
  await switchOnce();
  const created = await createDataPolicy({ db: t.db }, governor, {
    name: `null emails round ${round} ${id}`,
    engineDefinition: {
      scope: { kind: "sources", sourceIds: rng.some(tables, 4).map((x) => x.sourceId) },
      rule: { kind: "mask", columns: { kind: "names", names: ["email"] }, mask: { kind: "null" } },
      except: { kind: "group", group: rng.pick(groups) },
    },
  });
  await switchOnce();
  await updateDataPolicy({ db: t.db }, governor, {
    id: created.policy.id,
    name: `null emails round ${round} ${id}`,
    engineDefinition: {
      scope: { kind: "schema", connectionId, database: CATALOG, schema: rng.pick(SCHEMAS) },
      rule: { kind: "mask", columns: { kind: "names", names: ["email"] }, mask: { kind: "constant", value: "hidden" } },
      except: { kind: "purpose", purpose: researchId },
    },
  });
  await switchOnce();
  await updateDataPolicy({ db: t.db }, governor, {
    id: rowPolicyId,
    name: `own region ${id}`,
    engineDefinition: {
      scope: { kind: "sources", sourceIds: rng.some(tables, 5).map((x) => x.sourceId) },
      rule: { kind: "rows", rule: { kind: "matchAttribute", column: "region", attribute: "region" } },
    },
  });
  for (let i = 0; i < 4; i++) await switchOnce();
}

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
  const timer = setInterval(() => {
    const v = service.cache.get(connectionId)?.served?.version;
    if (v !== undefined && v !== seen.at(-1)) seen.push(v);
  }, 2);
  return {
    stop: () => {
      clearInterval(timer);
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
    await setUserAttribute(d, system, { userId: u.id, key: "region", values: [REGIONS[i % 3]!] });
    await setUserAttribute(d, system, { userId: u.id, key: "clearance", values: [CLEARANCES[i % 2]!] });
  }
  for (const name of ["analysts", "writers", "auditors", "interns"])
    groups.push((await createGroup(d, system, { name: `${name} ${id}` })).id);
  for (let i = 0; i < USERS; i += 3) {
    await addGroupMember(d, system, { groupId: groups[i % groups.length]!, userId: users[i]!.userId });
    members.add(`${groups[i % groups.length]}/${users[i]!.userId}`);
  }
  researchId = (await createPurpose(d, governor, { name: `Research ${id}`, acknowledgement: "research only" })).id;
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
  const seed = random(1);
  for (let i = 0; i < 6; i++) policyIds.push((await createPolicy(d, governor, policyInput(seed, `base ${i} ${id}`))).policy.id);
  await createDataPolicy(d, governor, {
    name: `hash PII ${id}`,
    engineDefinition: {
      scope: { kind: "connection", connectionId },
      rule: { kind: "mask", columns: { kind: "tagged", tag: "PII" }, mask: { kind: "hash" } },
      except: { kind: "purpose", purpose: researchId },
    },
  });
  rowPolicyId = (
    await createDataPolicy(d, governor, {
      name: `own region ${id}`,
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
  const rng = random(1_000 + round);
  const [a, b] = [policyIds.filter((_, i) => i % 2 === 0), policyIds.filter((_, i) => i % 2 === 1)];
  const watch = watchServedVersions();
  reconcilePaths.length = 0;
  const before = (await t.db.decisionSnapshot.findUniqueOrThrow({ where: { connectionId } })).version;
  // ~60 changes from five tasks at once; the worker reconciles while they are still coming in.
  await Promise.all([
    policyTask(random(rng.int(1e9)), `r${round}a`, a),
    policyTask(random(rng.int(1e9)), `r${round}b`, b),
    membershipTask(random(rng.int(1e9))),
    attributeTask(random(rng.int(1e9))),
    dataAndProjectTask(random(rng.int(1e9)), round),
  ]);
  policyIds.splice(0, policyIds.length, ...a, ...b);
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
