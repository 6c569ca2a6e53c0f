/**
 * Issue #10: against the real UC OSS server, the initial reconcile of 200 users × 500 tables vs the
 * minimal sequence of PATCH requests that reaches the same state, measured in the same run on an
 * identical second catalog (after a warm-up on a third). Goal: ≤ 1.5×. Writes go one at a time on both
 * sides, as the OSS server requires; Steward skips reading securables it has never granted on (see
 * access.ts `unreadFor`), and a no-change reconcile sends no PATCH.
 *
 *   npm run bench -- uc-reconcile      (needs the UC server cache: docs/platforms/unity-catalog.md)
 */
import os from "node:os";
import type { AccessEntry, AccessObject } from "../libs/integrations/src/access-types";
import { unityCatalogAdapterWith } from "../libs/integrations/src/unity-catalog/adapter";
import { mapLimit } from "../libs/integrations/src/unity-catalog/client";
import { memoryGrantLedger } from "../libs/integrations/src/unity-catalog/ledger";
import { type RunningUnityCatalog, startUnityCatalog } from "../libs/integrations/src/unity-catalog/testing/uc-runtime";

/** Fails the run (never a timing: those are reported, not asserted). */
const expect = (actual: unknown) => ({
  toBe(expected: unknown) {
    if (actual !== expected) throw new Error(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  },
});

const api = "/api/2.1/unity-catalog";
const USERS = 200;
const TABLES = 500;
const SCHEMAS = 10;
const POLICIES = 10;
const CONCURRENCY = 4;
let uc: RunningUnityCatalog;
const users = Array.from({ length: USERS }, (_, i) => `u${i}@scale.test`);

async function makeCatalog(name: string): Promise<void> {
  await uc.rest("POST", `${api}/catalogs`, { name });
  for (let s = 0; s < SCHEMAS; s++) await uc.rest("POST", `${api}/schemas`, { name: `s${s}`, catalog_name: name });
  await mapLimit(
    Array.from({ length: TABLES }, (_, i) => i),
    CONCURRENCY,
    (i) =>
      uc.rest("POST", `${api}/tables`, {
        name: `t${i}`,
        catalog_name: name,
        schema_name: `s${i % SCHEMAS}`,
        table_type: "EXTERNAL",
        data_source_format: "DELTA",
        columns: [{ name: "id", type_name: "INT", type_text: "int", type_json: "{}", position: 0, nullable: true }],
        storage_location: `file:///tmp/steward-uc-scale/${name}/${i}`,
      }),
  );
}

async function setUp(): Promise<void> {
  uc = await startUnityCatalog({ heap: "1g" });
  await mapLimit(users, CONCURRENCY, (u) => uc.createUser(u));
  await makeCatalog("warmup");
  await makeCatalog("steward");
  await makeCatalog("minimal");
}

/** 10 policies: each gives an audience of 20 users READ on 50 tables (the last 5 policies WRITE). */
function desiredFor(catalog: string): { objects: AccessObject[]; access: AccessEntry[] } {
  const objects = Array.from({ length: TABLES }, (_, i) => ({
    id: `t${i}`,
    path: [catalog, `s${i % SCHEMAS}`, `t${i}`],
    objectType: "TABLE",
  }));
  const access: AccessEntry[] = [];
  const perPolicy = TABLES / POLICIES;
  const audience = USERS / POLICIES;
  for (let p = 0; p < POLICIES; p++)
    for (let t = p * perPolicy; t < (p + 1) * perPolicy; t++)
      for (let u = p * audience; u < (p + 1) * audience; u++)
        access.push({ objectId: `t${t}`, accountName: users[u]!, level: p >= 5 ? "WRITE" : "READ" });
  return { objects, access };
}

async function measure(): Promise<void> {
  // The minimal sequence a person would send: one PATCH per securable, with every principal's privileges.
  const { access: minAccess, objects: minObjects } = desiredFor("minimal");
  const bySecurable = new Map<string, Map<string, string[]>>();
  const add = (path: string, principal: string, privs: string[]) => {
    const m = bySecurable.get(path) ?? bySecurable.set(path, new Map()).get(path)!;
    m.set(principal, [...new Set([...(m.get(principal) ?? []), ...privs])]);
  };
  for (const a of minAccess) {
    const o = minObjects.find((x) => x.id === a.objectId)!;
    add(`catalog/${o.path[0]}`, a.accountName, ["USE CATALOG"]);
    add(`schema/${o.path.slice(0, 2).join(".")}`, a.accountName, ["USE SCHEMA"]);
    add(`table/${o.path.join(".")}`, a.accountName, a.level === "WRITE" ? ["SELECT", "MODIFY"] : ["SELECT"]);
  }
  const requests = [...bySecurable].map(([path, m]) => ({
    path,
    changes: [...m].map(([principal, add]) => ({ principal, add, remove: [] })),
  }));
  // The JVM needs a warm-up (the first 500 PATCHes run about twice as slow as the next 500), or
  // whichever side runs second wins: both code paths run once, in full, on a third catalog first.
  const sent = { GET: 0, PATCH: 0 };
  const counting: typeof fetch = (input, init) => {
    const method = (init?.method ?? "GET") as keyof typeof sent;
    if (method in sent) sent[method]++;
    return fetch(input, init);
  };
  const adapter = unityCatalogAdapterWith({ ledger: memoryGrantLedger(), fetch: counting });
  const warm = desiredFor("warmup");
  const warmConnection = {
    config: { url: uc.url, flavor: "OSS", catalogs: ["warmup"], concurrency: CONCURRENCY },
    credentials: { token: uc.adminToken },
  };
  const warmDesired = { connectionId: "warmup", version: 1, accounts: users, settings: { unmanagedGrants: "REPORT" as const }, ...warm };
  const kindOf = (r: Awaited<ReturnType<NonNullable<typeof adapter.access>["apply"]>>) => (r.kind === "failed" ? r.error.message : r.kind);
  expect(kindOf(await adapter.access!.apply(warmConnection, warmDesired))).toBe("applied");
  expect(kindOf(await adapter.access!.apply(warmConnection, { ...warmDesired, version: 2, access: [] }))).toBe("applied");

  const { objects, access } = desiredFor("steward");
  const connection = {
    config: { url: uc.url, flavor: "OSS", catalogs: ["steward"], concurrency: CONCURRENCY },
    credentials: { token: uc.adminToken },
  };
  const desired = { connectionId: "scale", version: 1, objects, accounts: users, access, settings: { unmanagedGrants: "REPORT" as const } };
  const tp = performance.now();
  await adapter.access!.plan(connection, desired);
  console.log(`UC real server: plan (reads only) ${Math.round(performance.now() - tp)} ms`);
  sent.GET = 0;
  sent.PATCH = 0;
  const t1 = performance.now();
  const res = await adapter.access!.apply(connection, desired);
  const stewardMs = performance.now() - t1;
  const stewardSent = { ...sent };
  expect(res.kind).toBe("applied");
  const patches = res.kind === "applied" ? res.statements.length : -1;
  const t0 = performance.now();
  // One at a time: the OSS server's policy store fails concurrent permission updates (see access.ts).
  for (const r of requests) await uc.rest("PATCH", `${api}/permissions/${r.path}`, { changes: r.changes });
  const minimalMs = performance.now() - t0;

  console.log(
    `UC real server: minimal ${requests.length} PATCHes in ${Math.round(minimalMs)} ms; Steward ${sent.PATCH} PATCHes + ${sent.GET} reads in ${Math.round(stewardMs)} ms (${(stewardMs / minimalMs).toFixed(2)}×)`,
  );
  expect(patches).toBe(requests.length);

  const t2 = performance.now();
  const again = await adapter.access!.apply(connection, { ...desired, version: 2 });
  const noChangeMs = performance.now() - t2;
  console.log(`UC real server: no-change reconcile ${again.kind} in ${Math.round(noChangeMs)} ms, 0 PATCHes`);
  expect(again.kind).toBe("unchanged");
  console.log(
    JSON.stringify({
      benchmark: "uc-reconcile",
      users: USERS,
      tables: TABLES,
      minimalPatches: requests.length,
      stewardPatches: stewardSent.PATCH,
      stewardReads: stewardSent.GET,
      minimalMs: Math.round(minimalMs),
      stewardMs: Math.round(stewardMs),
      ratio: Number((stewardMs / minimalMs).toFixed(2)),
      noChangeMs: Math.round(noChangeMs),
      goal: "ratio ≤ 1.5",
      cpus: os.cpus().length,
      loadAvg1m: Number(os.loadavg()[0]!.toFixed(2)),
    }),
  );
}

setUp()
  .then(measure)
  .finally(() => uc?.stop())
  .then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
