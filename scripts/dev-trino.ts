/**
 * `npm run dev`'s Trino step, started by scripts/dev.mjs next to the other processes: a real Trino 476
 * on the demo warehouse, governed by Steward. The order is the one a real cluster goes through
 * (apps/decisions/src/trino.int.test.ts): start it open (allow-all), register and sync it, tag and
 * subscribe, issue a decision token, then restart it on the same port with the `opa` access control
 * pointed at the local decision service. Everything else in the stack is usable meanwhile.
 *
 * When this machine cannot run Trino (no JDK 24+, no cached server and no Maven), it prints one line
 * saying why and how to enable it, and exits 0: the rest of the stack stays up.
 */
import net from "node:net";
import { issueDecisionToken, seedDemoTrinoPolicy } from "@steward/access";
import { DEMO_TRINO_CATALOG, DEMO_TRINO_CONNECTION_NAME, seedDemoTrinoConnection } from "@steward/catalog";
import { parseKeyring, SecretBox, systemActor } from "@steward/core";
import { createDb, type Db } from "@steward/db";
import { ensureTrinoInstalled, type RunningTrino, startTrino, TrinoSetupError } from "@steward/integrations/trino/testing";
import { z } from "zod";

const port = z.coerce.number().int().min(1).max(65_535);
const Env = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL"),
  STEWARD_ENCRYPTION_KEYS: z.string().min(1),
  API_PORT: port.default(4000),
  DECISIONS_PORT: port.default(4002),
  /** The first port tried; the next free one is used when it is taken. */
  TRINO_PORT: port.default(8080),
  JAVA_HOME: z.string().optional(),
});

const API_READY_TIMEOUT_MS = 300_000;
const SETTLE_TIMEOUT_MS = 120_000;
/** Ports tried after TRINO_PORT before giving up. */
const PORT_ATTEMPTS = 20;

const say = (message: string) => process.stdout.write(`${message}\n`);
/** An error as one readable line (some messages start with a newline or carry a log tail). */
const oneLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ").trim().slice(0, 400);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Thrown when a stop was requested mid-way: unwinds the steps without another message. */
class Stopping extends Error {}

let trino: RunningTrino | undefined;
/** A start in progress: a stop requested meanwhile waits for it, so no JVM is left behind. */
let starting: Promise<RunningTrino> | undefined;
let db: Db | undefined;
let stopRequested = false;

async function launch(options: Parameters<typeof startTrino>[0]): Promise<RunningTrino> {
  starting = startTrino(options);
  try {
    trino = await starting;
    return trino;
  } finally {
    starting = undefined;
  }
}

async function shutdown(code: number): Promise<never> {
  stopRequested = true;
  await starting?.catch(() => undefined);
  await trino?.stop();
  await db?.$disconnect().catch(() => {});
  process.exit(code);
}

function checkpoint(): void {
  if (stopRequested) throw new Stopping();
}

/** The demo warehouse lives next to Steward's database as `<db>_demo_warehouse` (libs/catalog/src/demo-warehouse.ts). */
function demoWarehouseUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${decodeURIComponent(url.pathname.slice(1))}_demo_warehouse`;
  return url.toString();
}

function portIsFree(candidate: number): Promise<boolean> {
  // Trino listens on every interface, so probe the same way.
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(candidate, () => srv.close(() => resolve(true)));
  });
}

async function firstFreePort(from: number): Promise<number> {
  for (let p = from; p < Math.min(from + PORT_ATTEMPTS, 65_536); p++) if (await portIsFree(p)) return p;
  throw new Error(`ports ${from}–${from + PORT_ATTEMPTS - 1} are all taken (set TRINO_PORT to another start)`);
}

/** The API seeds the demo organisation and warehouse before it listens, so ready means seeded. */
async function waitForApi(apiPort: number): Promise<void> {
  const deadline = Date.now() + API_READY_TIMEOUT_MS;
  for (;;) {
    checkpoint();
    try {
      const res = await fetch(`http://127.0.0.1:${apiPort}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`the API on port ${apiPort} was not ready after ${API_READY_TIMEOUT_MS / 1000} s`);
    await sleep(1_000);
  }
}

/**
 * Waits until the worker has dispatched every change made so far (which bumps the connection's
 * desired version), applied it, and published a decision snapshot — so the first query as alice
 * is answered by the demo's policies rather than refused.
 */
async function waitUntilSettled(database: Db, connectionId: string): Promise<boolean> {
  const last = await database.outboxEvent.aggregate({ _max: { id: true } });
  const upTo = last._max.id ?? 0n;
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    checkpoint();
    const pending = await database.outboxEvent.count({ where: { id: { lte: upTo }, processedAt: null } });
    if (pending === 0) {
      const [state, snapshot] = await Promise.all([
        database.connectionAccessState.findUnique({ where: { connectionId } }),
        database.decisionSnapshot.findUnique({ where: { connectionId }, select: { version: true } }),
      ]);
      if (state && state.desiredVersion > 0 && state.appliedVersion >= state.desiredVersion && snapshot) return true;
    }
    await sleep(1_000);
  }
  return false;
}

async function main(): Promise<void> {
  const parsed = Env.safeParse(process.env);
  if (!parsed.success) throw new Error(`bad environment: ${z.prettifyError(parsed.error)}`);
  const env = parsed.data;

  let install: Awaited<ReturnType<typeof ensureTrinoInstalled>>;
  try {
    install = await ensureTrinoInstalled({ javaHomeCandidates: env.JAVA_HOME ? [env.JAVA_HOME] : [], log: say });
  } catch (err) {
    if (!(err instanceof TrinoSetupError)) throw err;
    const why = oneLine(err);
    say(
      `Trino is not part of this run: ${why}. To enable it: a JDK 24+ (Temurin 25 in /usr/lib/jvm/temurin-25-jdk-amd64 or JAVA_HOME) and Maven, then \`npm run trino -- --install-only\`; STEWARD_DEV_TRINO=0 hides this line.`,
    );
    return;
  }

  await waitForApi(env.API_PORT);
  const trinoPort = await firstFreePort(env.TRINO_PORT);
  const postgresql = { url: demoWarehouseUrl(env.DATABASE_URL) };
  say(`starting Trino ${install.version} on port ${trinoPort}, open while Steward registers it …`);
  const open = await launch({ install, port: trinoPort, postgresql, accessControl: { kind: "allow-all" } });
  checkpoint();

  db = createDb({ url: env.DATABASE_URL, applicationName: "steward-dev-trino" });
  const deps = { db, secretBox: new SecretBox(parseKeyring(env.STEWARD_ENCRYPTION_KEYS)) };
  const seeded = await seedDemoTrinoConnection(deps, { host: "127.0.0.1", port: trinoPort });
  say(`${seeded.created ? "registered" : "re-synced"} the connection "${DEMO_TRINO_CONNECTION_NAME}" (${seeded.dataSources} data sources)`);
  await seedDemoTrinoPolicy(db, seeded.connectionId, DEMO_TRINO_CATALOG);
  // A fresh token every run: only its hash is stored, and this run's cluster is the only holder.
  const { token } = await issueDecisionToken({ db }, systemActor("demo-seed"), seeded.connectionId);
  checkpoint();

  say("restarting Trino with Steward's decision service as its access control …");
  await open.stop();
  trino = undefined;
  checkpoint();
  await launch({
    install,
    port: trinoPort,
    postgresql,
    accessControl: { kind: "opa", baseUri: `http://127.0.0.1:${env.DECISIONS_PORT}/decisions/TRINO/${seeded.connectionId}/${token}` },
  });
  const settled = await waitUntilSettled(db, seeded.connectionId);
  await db.$disconnect();
  db = undefined;

  const query = "SELECT id, full_name, email FROM postgresql.crm.customers ORDER BY id LIMIT 3";
  say(
    `Trino         http://localhost:${trinoPort}  (try: the trino CLI --server localhost:${trinoPort} --user alice, or the line below; user alice sees hashed emails)`,
  );
  say(`  npm run trino -- --port ${trinoPort} --user alice --query "${query}"`);
  say("  as bob (not in analysts) the same query is refused: Access Denied");
  if (!settled) say("  (the worker has not applied the demo's policies yet: the first queries may be refused)");
  // Stay up with the cluster until npm run dev stops us.
  setInterval(() => {}, 60_000);
}

process.stdout.on("error", () => {
  // The parent (npm run dev) went away: keep going so Trino is still stopped.
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void shutdown(0));
// npm run dev killed hard: its children are re-parented; do not leave a JVM behind.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) void shutdown(0);
}, 2_000).unref();

main().catch(async (err: unknown) => {
  if (err instanceof Stopping) return shutdown(0);
  say(`Trino is not part of this run: ${oneLine(err)}`);
  await shutdown(0);
});
