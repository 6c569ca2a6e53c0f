/**
 * Brings up the real Steward stack for end-to-end tests: a fresh PostgreSQL database, the API, the
 * worker, the decision service (what Trino's `opa` access control asks) and a production build of the
 * web app, all on non-default ports so a developer's stack on the default ports keeps running beside it.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startTestProvider, type TestAccount } from "@steward/identity/oidc/testing";
import pg from "pg";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

// Overridable so two runs (e.g. a CI check and a developer's run) can share one machine.
const base = Number(process.env.STEWARD_E2E_PORT_BASE ?? 0);
export const PORTS = {
  api: base ? base : 4100,
  worker: base ? base + 1 : 4101,
  web: base ? base + 2 : 3100,
  decisions: base ? base + 3 : 4103,
  oidc: base ? base + 4 : 4104,
} as const;
export const API_URL = `http://127.0.0.1:${PORTS.api}`;
export const WEB_URL = `http://127.0.0.1:${PORTS.web}`;
export const WORKER_URL = `http://127.0.0.1:${PORTS.worker}`;
/** Where a platform governed at query time (Trino) reaches Steward; the API writes it into the generated config. */
export const DECISIONS_URL = `http://127.0.0.1:${PORTS.decisions}`;

/** The OpenID Provider the stack signs in through (oidc-provider, in this process); see OIDC_ACCOUNTS. */
export const OIDC_ISSUER = `http://127.0.0.1:${PORTS.oidc}`;
export const OIDC_PROVIDER_NAME = "Steward Test IdP";
/** People known to the test provider only (Steward creates them on first sign-in), by subject = login. */
export const OIDC_ACCOUNTS: Record<string, TestAccount> = {
  "sso-fiona": {
    claims: {
      email: "fiona@idp.example.com",
      email_verified: true,
      name: "Fiona Single-Sign-On",
      preferred_username: "fiona",
      groups: ["analysts", "finance", "only-at-the-idp"],
      department: "Finance",
    },
  },
};

const ADMIN_DATABASE_URL = process.env.TEST_ADMIN_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** Inside .next (ignored by git and biome) but apart from the developer's own build, which it never clobbers. */
const WEB_DIST_DIR = ".next/e2e";

export type Stack = { runId: string; databaseName: string; databaseUrl: string; logDir: string; stop: () => Promise<void> };

function log(msg: string): void {
  process.stdout.write(`[e2e stack] ${msg}\n`);
}

function databaseUrlFor(name: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function runStep(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, logDir: string): void {
  const started = Date.now();
  const res = spawnSync(cmd, args, { cwd: repoRoot, env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  fs.writeFileSync(path.join(logDir, `${name}.log`), `${res.stdout ?? ""}\n${res.stderr ?? ""}`);
  if (res.status !== 0) {
    throw new Error(
      `${name} failed (exit ${res.status}); see ${path.join(logDir, `${name}.log`)}\n${(res.stderr || res.stdout || "").slice(-2000)}`,
    );
  }
  log(`${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

let stopping = false;

/**
 * Every running stack leaves a record here (its runner's pid, its services' process groups, its
 * database), removed when it stops. A runner killed outright (SIGKILL, a CI job cancelled) cannot stop
 * its detached services, which would then hold this stack's ports; the next run on the same ports reaps
 * them — but never a stack whose runner is still alive, which is a concurrent run, not a leftover.
 */
const STACKS_DIR = path.join(os.tmpdir(), "steward-e2e-stacks");
type StackRecord = { runnerPid: number; groups: number[]; databaseName: string; ports: typeof PORTS };

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

async function reapLeftoverStacks(): Promise<void> {
  if (!fs.existsSync(STACKS_DIR)) return;
  for (const file of fs.readdirSync(STACKS_DIR)) {
    const full = path.join(STACKS_DIR, file);
    let record: StackRecord;
    try {
      record = JSON.parse(fs.readFileSync(full, "utf8")) as StackRecord;
    } catch {
      fs.rmSync(full, { force: true });
      continue;
    }
    if (Object.values(record.ports).every((port) => !Object.values(PORTS).includes(port as never))) continue;
    if (alive(record.runnerPid)) {
      throw new Error(
        `another e2e run (pid ${record.runnerPid}) holds ports ${Object.values(record.ports).join(", ")}; wait for it or set STEWARD_E2E_PORT_BASE`,
      );
    }
    for (const group of record.groups) {
      try {
        process.kill(-group, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await adminQuery(`DROP DATABASE IF EXISTS "${record.databaseName}" WITH (FORCE)`).catch(() => {});
    await adminQuery(`DROP DATABASE IF EXISTS "${record.databaseName}_demo_warehouse" WITH (FORCE)`).catch(() => {});
    fs.rmSync(full, { force: true });
    log(`reaped the leftovers of an interrupted run (${record.databaseName}, process groups ${record.groups.join(", ")})`);
  }
}

function recordStack(runId: string, record: StackRecord): void {
  fs.mkdirSync(STACKS_DIR, { recursive: true });
  fs.writeFileSync(path.join(STACKS_DIR, `${runId}.json`), JSON.stringify(record));
}

function startService(name: string, args: string[], env: NodeJS.ProcessEnv, logDir: string): ChildProcess {
  const out = fs.openSync(path.join(logDir, `${name}.log`), "a");
  // Own process group, so teardown can stop the service and anything it spawned.
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", out, out],
    detached: true,
  });
  child.on("exit", (code, signal) => {
    if (!stopping && code !== 0 && signal === null) log(`${name} exited with code ${code}; see ${path.join(logDir, `${name}.log`)}`);
  });
  return child;
}

async function waitFor(name: string, url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited (code ${child.exitCode}) before it was ready`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} was not ready at ${url} within ${timeoutMs / 1000} s`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }, 8000);
  await exited;
  clearTimeout(timer);
}

export async function startStack(): Promise<Stack> {
  const runId = randomBytes(4).toString("hex");
  const databaseName = `steward_e2e_${runId}`;
  const databaseUrl = databaseUrlFor(databaseName);
  const logDir = path.join(repoRoot, "e2e", "logs", runId);
  fs.mkdirSync(logDir, { recursive: true });
  const children: ChildProcess[] = [];
  let dropped = false;
  let idp: Awaited<ReturnType<typeof startTestProvider>> | undefined;

  const record = (): StackRecord => ({
    runnerPid: process.pid,
    groups: children.flatMap((c) => (c.pid === undefined ? [] : [c.pid])),
    databaseName,
    ports: PORTS,
  });

  /** Known at once, so even a run killed while starting leaves nothing the next run cannot reap. */
  const track = (child: ChildProcess) => {
    children.push(child);
    recordStack(runId, record());
  };

  const stop = async () => {
    stopping = true;
    await Promise.all(children.map(stopProcess));
    await idp?.close();
    fs.rmSync(path.join(STACKS_DIR, `${runId}.json`), { force: true });
    if (!dropped) {
      dropped = true;
      await adminQuery(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
      // The API's demo seed creates a warehouse database beside the metadata one.
      await adminQuery(`DROP DATABASE IF EXISTS "${databaseName}_demo_warehouse" WITH (FORCE)`);
      log(`dropped ${databaseName} and its demo warehouse`);
    }
  };

  await reapLeftoverStacks();
  recordStack(runId, record());
  try {
    log(`run ${runId}: database ${databaseName}, logs in ${logDir}`);
    await adminQuery(`CREATE DATABASE "${databaseName}"`);
    const common = {
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      // A fresh key per run: nothing encrypted in this database outlives it.
      STEWARD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
      LOG_LEVEL: "info",
    };

    // A fresh clone has no generated Prisma client yet (nothing generated is committed).
    if (!fs.existsSync(path.join(repoRoot, "libs/db/src/generated/client.ts"))) {
      runStep("db-generate", "npm", ["run", "--silent", "db:generate"], {}, logDir);
    }
    runStep(
      "migrate",
      process.execPath,
      ["--experimental-wasm-modules", "--no-warnings", "--import", "tsx", "libs/db/src/migrate/cli.ts", "deploy"],
      common,
      logDir,
    );

    const webDir = path.join(repoRoot, "apps/web");
    const reuseBuild = process.env.STEWARD_E2E_REUSE_BUILD === "1" && fs.existsSync(path.join(webDir, WEB_DIST_DIR, "BUILD_ID"));
    const webEnv = { STEWARD_WEB_DIST_DIR: WEB_DIST_DIR, NEXT_TELEMETRY_DISABLED: "1" };
    // `npm run build` runs GraphQL codegen first (prebuild).
    if (!reuseBuild) runStep("web-build", "npm", ["run", "--silent", "-w", "@steward/web", "build"], webEnv, logDir);

    idp = await startTestProvider({
      port: PORTS.oidc,
      clientSecret: randomBytes(24).toString("base64url"),
      redirectUris: [`${WEB_URL}/auth/oidc/callback`],
      accounts: OIDC_ACCOUNTS,
    });
    log(`OpenID Provider at ${idp.issuer}`);
    const api = startService(
      "api",
      ["--import", "tsx", "apps/api/src/main.ts"],
      {
        ...common,
        API_PORT: String(PORTS.api),
        API_HOST: "127.0.0.1",
        STEWARD_DEMO_SEED: "1",
        RATE_LIMIT_PREFIX: `steward_e2e_${runId}:rl`,
        DECISIONS_PUBLIC_URL: DECISIONS_URL,
        OIDC_ISSUER: idp.issuer,
        OIDC_CLIENT_ID: idp.clientId,
        OIDC_CLIENT_SECRET: idp.clientSecret,
        OIDC_REDIRECT_URI: `${WEB_URL}/auth/oidc/callback`,
        OIDC_SCOPES: "openid profile email groups",
        OIDC_PROVIDER_NAME,
        OIDC_CLAIM_MAPPING: JSON.stringify({ groups: { claim: "groups" }, attributes: { department: "department" } }),
        OIDC_ALLOW_INSECURE_HTTP: "true",
      },
      logDir,
    );
    track(api);
    const worker = startService(
      "worker",
      ["--import", "tsx", "apps/worker/src/main.ts"],
      {
        ...common,
        WORKER_PORT: String(PORTS.worker),
        QUEUE_PREFIX: `steward_e2e_${runId}`,
        // Quick retries so a test sees a failed-then-retried delivery settle in seconds.
        WEBHOOK_BACKOFF_MS: "500",
        WEBHOOK_TIMEOUT_MS: "5000",
        OUTBOX_POLL_MS: "100",
      },
      logDir,
    );
    track(worker);
    const decisions = startService(
      "decisions",
      ["--import", "tsx", "apps/decisions/src/main.ts"],
      {
        ...common,
        DECISIONS_PORT: String(PORTS.decisions),
        // Tests read the query audit right after a query: flush its batches quickly.
        DECISIONS_AUDIT_FLUSH_MS: "100",
      },
      logDir,
    );
    track(decisions);
    const web = startService(
      "web",
      [path.join(repoRoot, "node_modules/next/dist/bin/next"), "start", webDir, "-p", String(PORTS.web), "-H", "127.0.0.1"],
      { ...webEnv, STEWARD_API_URL: API_URL, NODE_ENV: "production" },
      logDir,
    );
    track(web);

    await Promise.all([
      waitFor("api", `${API_URL}/readyz`, api, 60_000),
      waitFor("worker", `${WORKER_URL}/readyz`, worker, 60_000),
      waitFor("decisions", `${DECISIONS_URL}/readyz`, decisions, 60_000),
      waitFor("web", `${WEB_URL}/login`, web, 60_000),
    ]);
    log("stack is ready");
    return { runId, databaseName, databaseUrl, logDir, stop };
  } catch (err) {
    await stop().catch((e: unknown) => log(`cleanup failed: ${String(e)}`));
    throw err;
  }
}
