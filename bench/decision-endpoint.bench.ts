/**
 * Issue #9 "Performance", first two goals, against the real decision service:
 * - decision endpoint: p99 ≤ 1 ms server-side; throughput ≥ 60 % of a bare node:http server that
 *   answers `{"result":true}` to any POST, under the same autocannon load in the same run;
 * - a batch FilterColumns request with 1,000 columns answered in ≤ 5 ms.
 *
 * A throw-away metadata database (migrated), a Trino connection with a decision token, a realistic
 * snapshot published through the real store (bench/decision-endpoint-fixture.ts), and the real
 * service (`startDecisionService`, production defaults, audit recorder on) in this process. autocannon
 * runs in a worker thread so the load generator never shares the servers' event loop.
 *
 * Server-side latency = `http.server.request.start` → `http.server.response.finish` (node's
 * diagnostics channels): headers parsed → token check, body read, JSON parse, answer, serialise, body
 * handed to the socket. Under load it includes waiting for the event loop between those steps,
 * which is what a caller's p99 is made of; the client's network round trip is not in it.
 *
 *   npm run bench -- decision-endpoint [--users 2000] [--schemas 50] [--tables-per-schema 100]
 *     [--connections 32] [--pipelining 1] [--duration 10] [--warmup 2] [--runs 200] [--audit-sample 100]
 */
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import diagnostics from "node:diagnostics_channel";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { prismaDecisionSnapshotStore } from "@steward/access";
import { createLogger, parseAddressList } from "@steward/core";
import { createDb } from "@steward/db";
import pg from "pg";
import { loadEnv } from "../apps/decisions/src/env";
import { startDecisionService } from "../apps/decisions/src/service";
import { buildFixture, filterColumnsRequest, type MixRequest, requestMix } from "./decision-endpoint-fixture";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "2000" },
    schemas: { type: "string", default: "50" },
    "tables-per-schema": { type: "string", default: "100" },
    "entries-per-user": { type: "string", default: "20" },
    connections: { type: "string", default: "32" },
    pipelining: { type: "string", default: "1" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    runs: { type: "string", default: "200" },
    columns: { type: "string", default: "1000" },
    "audit-sample": { type: "string", default: "100" },
    seed: { type: "string", default: "9" },
  },
});
const num = (name: keyof typeof values) => Number(values[name]);
const ADMIN_URL = process.env.BENCH_ADMIN_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const META = `steward_bench_decisions_${randomBytes(4).toString("hex")}`;
const urlFor = (db: string) => Object.assign(new URL(ADMIN_URL), { pathname: `/${db}` }).toString();
const load1 = () => Number(os.loadavg()[0]!.toFixed(2));
const round = (x: number, digits = 3) => Number(x.toFixed(digits));

async function admin(text: string) {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

function percentiles(xs: number[]) {
  const s = Float64Array.from(xs).sort();
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
  return { samples: s.length, p50: round(at(50)), p90: round(at(90)), p99: round(at(99)), max: round(s[s.length - 1] ?? Number.NaN) };
}

/** Server-side handling time of every request a server answers while `recording`, in ms. */
function serverTimer() {
  const started = new WeakMap<object, bigint>();
  const samples = new Map<http.Server, number[]>();
  let recording: http.Server | null = null;
  type Message = { request: object; server: http.Server };
  const onStart = (m: unknown) => {
    const { request, server } = m as Message;
    if (server === recording) started.set(request, process.hrtime.bigint());
  };
  const onFinish = (m: unknown) => {
    const { request, server } = m as Message;
    const t0 = started.get(request);
    if (t0 === undefined || server !== recording) return;
    const list = samples.get(server) ?? [];
    samples.set(server, list);
    list.push(Number(process.hrtime.bigint() - t0) / 1e6);
  };
  diagnostics.subscribe("http.server.request.start", onStart);
  diagnostics.subscribe("http.server.response.finish", onFinish);
  return {
    record(server: http.Server | null) {
      recording = server;
    },
    take(server: http.Server): number[] {
      const list = samples.get(server) ?? [];
      samples.delete(server);
      return list;
    },
    stop() {
      diagnostics.unsubscribe("http.server.request.start", onStart);
      diagnostics.unsubscribe("http.server.response.finish", onFinish);
    },
  };
}

type LoadResult = { reqPerSec: number; requests: number; non2xx: number; errors: number; timeouts: number; clientP99Ms: number };

/** autocannon in a worker thread (its own event loop; the two cores are still shared). */
function autocannon(port: number, requests: { method: "POST"; path: string; body: string }[], seconds: number): Promise<LoadResult> {
  const code = `
    const { parentPort, workerData } = require("node:worker_threads");
    const autocannon = require("autocannon");
    const opts = { ...workerData, headers: { "content-type": "application/json" } };
    autocannon(opts, (err, raw) => {
      if (err) throw err;
      // Off the main thread autocannon hands back its raw histograms.
      const r = autocannon.aggregateResult([raw], opts);
      parentPort.postMessage({ reqPerSec: raw.totalCompletedRequests / raw.duration, requests: raw.totalCompletedRequests, non2xx: r.non2xx,
        errors: r.errors, timeouts: r.timeouts, clientP99Ms: r.latency.p99 });
    });`;
  const workerData = {
    url: `http://127.0.0.1:${port}`,
    connections: num("connections"),
    pipelining: num("pipelining"),
    duration: seconds,
    requests,
  };
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData });
    worker.once("message", (r: LoadResult) => {
      resolve(r);
      void worker.terminate();
    });
    worker.once("error", reject);
  });
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** One POST over a keep-alive agent; resolves the status, parsed body and client round trip in ms. */
function post(agent: http.Agent, port: number, path: string, body: string): Promise<{ status: number; body: unknown; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
            ms: Number(process.hrtime.bigint() - t0) / 1e6,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function main() {
  const load1AtStart = load1();
  await admin(`CREATE DATABASE ${META}`);
  const stops: (() => Promise<unknown>)[] = [];
  try {
    const migrated = spawnSync(
      process.execPath,
      ["--experimental-wasm-modules", "--no-warnings", "--import", "tsx", "libs/db/src/migrate/cli.ts", "deploy"],
      { env: { ...process.env, DATABASE_URL: urlFor(META) }, encoding: "utf8" },
    );
    if (migrated.status !== 0) throw new Error(`migration failed: ${migrated.stderr}`);
    const db = createDb({ url: urlFor(META), poolSize: 2 });
    stops.push(() => db.$disconnect());

    const token = randomBytes(32).toString("base64url");
    const connection = await db.connection.create({
      data: {
        name: "bench-trino",
        kind: "TRINO",
        config: { host: "trino.bench", user: "steward", auditSamplePercent: num("audit-sample") },
        inboundSecretCiphertext: "unused-by-the-decision-service",
        decisionTokenHash: createHash("sha256").update(token).digest("hex"),
        decisionTokenIssuedAt: new Date(),
      },
    });
    const scale = {
      users: num("users"),
      schemas: num("schemas"),
      tablesPerSchema: num("tables-per-schema"),
      entriesPerUser: num("entries-per-user"),
      seed: num("seed"),
    };
    const fixture = buildFixture(connection.id, scale);
    await prismaDecisionSnapshotStore(db).publish(fixture.snapshot);

    const keyring = `k1:${randomBytes(32).toString("base64")}`;
    // Production defaults for everything the environment would set.
    const env = loadEnv({ DATABASE_URL: urlFor(META), STEWARD_ENCRYPTION_KEYS: keyring });
    const timer = serverTimer();
    stops.push(async () => timer.stop());
    // The service does not expose its server; the first request it answers names it.
    const seen: { server?: http.Server } = {};
    const catchServer = (m: unknown) => {
      seen.server ??= (m as { server: http.Server }).server;
    };
    const service = await startDecisionService({
      databaseUrl: urlFor(META),
      encryptionKeys: keyring,
      port: 0,
      config: env,
      logger: createLogger({ name: "decisions", level: "warn" }),
      metricsAccess: { allow: parseAddressList("loopback") },
    });
    stops.unshift(() => service.stop());
    const served = service.cache.get(connection.id)?.served;
    if (!served) throw new Error("the decision service did not load the published snapshot");

    const base = `/decisions/TRINO/${connection.id}/${encodeURIComponent(token)}`;
    const mix = requestMix(fixture, 50, scale.seed + 1);
    // Every request of the mix once, checked, before any load: the figures are for the answers we claim.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    diagnostics.subscribe("http.server.request.start", catchServer);
    for (const r of mix) {
      const reply = await post(agent, service.port, `${base}/${r.endpoint}`, r.body);
      const result = (reply.body as { result?: unknown }).result;
      if (reply.status !== 200 || JSON.stringify(result) !== JSON.stringify(r.expect))
        throw new Error(`${r.label}: expected 200 ${JSON.stringify(r.expect)}, got ${reply.status} ${JSON.stringify(reply.body)}`);
    }
    diagnostics.unsubscribe("http.server.request.start", catchServer);
    const decisionServer = seen.server;
    if (!decisionServer) throw new Error("could not observe the decision service's HTTP server");

    const baseline = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end('{"result":true}'));
    });
    baseline.keepAliveTimeout = 65_000;
    const baselinePort = await listen(baseline);
    stops.unshift(
      () =>
        new Promise((resolve) => {
          baseline.closeAllConnections();
          baseline.close(resolve);
        }),
    );

    const requests = (prefix: string) =>
      mix.map((r: MixRequest) => ({ method: "POST" as const, path: `${prefix}/${r.endpoint}`, body: r.body }));
    const measure = async (server: http.Server, port: number, prefix: string) => {
      await autocannon(port, requests(prefix), num("warmup"));
      timer.record(server);
      const load = await autocannon(port, requests(prefix), num("duration"));
      timer.record(null);
      return { load, server: percentiles(timer.take(server)) };
    };
    console.log(
      `load: ${num("connections")} connections × pipelining ${num("pipelining")}, ${num("warmup")} s warm-up + ${num("duration")} s, ${mix.length} requests in the mix`,
    );
    const bare = await measure(baseline, baselinePort, base);
    const steward = await measure(decisionServer, service.port, base);
    if (steward.load.non2xx > 0 || steward.load.errors > 0 || steward.load.timeouts > 0)
      throw new Error(
        `decision service under load: ${steward.load.non2xx} non-2xx, ${steward.load.errors} errors, ${steward.load.timeouts} timeouts`,
      );
    await service.flushAudit();
    const auditRows = await db.decisionRecord.count({ where: { connectionId: connection.id } });

    // FilterColumns with 1,000 columns, one request at a time: over HTTP (client round trip and the
    // server's own time) and in-process (parse → answer → serialise on the loaded index).
    const fc = filterColumnsRequest(fixture, num("columns"));
    const runs = num("runs");
    const httpMs: number[] = [];
    for (let i = 0; i < 20 + runs; i++) {
      if (i === 20) timer.record(decisionServer);
      const reply = await post(agent, service.port, `${base}/batch`, fc.body);
      const result = (reply.body as { result?: unknown[] }).result;
      if (reply.status !== 200 || result?.length !== num("columns"))
        throw new Error(`FilterColumns: got ${reply.status}, ${result?.length} columns`);
      if (i >= 20) httpMs.push(reply.ms);
    }
    timer.record(null);
    const fcServer = percentiles(timer.take(decisionServer));
    const inProcessMs: number[] = [];
    for (let i = 0; i < 20 + runs; i++) {
      const t0 = process.hrtime.bigint();
      const answer = served.port.answer(served.index, "batch", JSON.parse(fc.body));
      JSON.stringify(answer.body);
      if (i >= 20) inProcessMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    agent.destroy();
    // Where a request's time goes, per kind of request: the adapter's answer alone, in-process.
    const byKind = new Map<string, number[]>();
    for (let round = 0; round < 5; round++)
      for (const r of mix) {
        const t0 = process.hrtime.bigint();
        served.port.answer(served.index, r.endpoint, JSON.parse(r.body));
        const list = byKind.get(r.label) ?? [];
        byKind.set(r.label, list);
        if (round > 0) list.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    const answerMs = Object.fromEntries([...byKind].map(([label, xs]) => [label, percentiles(xs)]));
    const fcHttp = percentiles(httpMs);
    const fcInProcess = percentiles(inProcessMs);

    const ratio = round(steward.load.reqPerSec / bare.load.reqPerSec, 3);
    const figures = {
      bench: "decision-endpoint",
      reqPerSec: Math.round(steward.load.reqPerSec),
      baselineReqPerSec: Math.round(bare.load.reqPerSec),
      throughputRatio: ratio,
      serverP50Ms: steward.server.p50,
      serverP90Ms: steward.server.p90,
      serverP99Ms: steward.server.p99,
      serverMaxMs: steward.server.max,
      serverSamples: steward.server.samples,
      baselineServerP99Ms: bare.server.p99,
      clientP99Ms: { steward: steward.load.clientP99Ms, baseline: bare.load.clientP99Ms },
      filterColumns1000P50Ms: fcHttp.p50,
      filterColumns1000P99Ms: fcHttp.p99,
      filterColumns1000: { columns: num("columns"), runs, http: fcHttp, server: fcServer, inProcess: fcInProcess },
      inProcessAnswerMs: Object.fromEntries(Object.entries(answerMs).map(([k, v]) => [k, { p50: v.p50, p99: v.p99 }])),
      users: scale.users,
      tables: fixture.objects.length,
      accessEntries: fixture.entries,
      dataPolicyViews: fixture.views,
      audit: { samplePercent: num("audit-sample"), rowsWritten: auditRows },
      load: {
        connections: num("connections"),
        pipelining: num("pipelining"),
        durationS: num("duration"),
        warmupS: num("warmup"),
        mix: mix.length,
      },
      goals: {
        serverP99AtMost1ms: steward.server.p99 <= 1,
        throughputRatioAtLeast0_6: ratio >= 0.6,
        filterColumns1000AtMost5ms: fcHttp.p99 <= 5,
      },
      machine: { nproc: os.cpus().length, cpu: os.cpus()[0]?.model, load1AtStart, load1AtEnd: load1() },
    };
    console.log(
      [
        `snapshot: ${scale.users} users, ${fixture.objects.length} tables, ${fixture.entries} access entries, ${fixture.views} data-policy views`,
        `throughput: Steward ${figures.reqPerSec} req/s vs bare node:http ${figures.baselineReqPerSec} req/s → ratio ${ratio} (goal ≥ 0.6)`,
        `server-side: p50 ${steward.server.p50} ms, p90 ${steward.server.p90} ms, p99 ${steward.server.p99} ms, max ${steward.server.max} ms over ${steward.server.samples} requests (goal p99 ≤ 1 ms; bare server p99 ${bare.server.p99} ms)`,
        `FilterColumns ${num("columns")} columns: HTTP p50 ${fcHttp.p50} / p99 ${fcHttp.p99} ms; server ${fcServer.p50} / ${fcServer.p99} ms; in-process ${fcInProcess.p50} / ${fcInProcess.p99} ms (goal ≤ 5 ms)`,
        `in-process answer by kind (p50 / p99 ms): ${Object.entries(answerMs)
          .map(([k, v]) => `${k} ${v.p50} / ${v.p99}`)
          .join("; ")}`,
        `audit: ${auditRows} decision records written (sample ${num("audit-sample")} % of allowed, every denial); load1 ${load1AtStart} → ${figures.machine.load1AtEnd}`,
      ].join("\n"),
    );
    console.log(JSON.stringify(figures));
  } finally {
    for (const stop of stops) await stop().catch((err: unknown) => console.error(err));
    await admin(`DROP DATABASE IF EXISTS ${META} WITH (FORCE)`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
