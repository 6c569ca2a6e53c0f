/**
 * Real processes for resilience tests: the worker as a child process (so it can be SIGKILLed) and a
 * private redis-server (so it can be restarted without disturbing other tests on the shared one).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { connect, createServer } from "node:net";
import path from "node:path";
import { waitFor } from "../test-support";

export const repoRoot = path.resolve(import.meta.dirname, "../../../..");

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export type WorkerProcess = { child: ChildProcess; port: number };

/** Starts `apps/worker/src/main.ts` with `env` and waits for /readyz. Output is appended to `output`. */
export async function spawnWorkerProcess(
  env: Record<string, string>,
  output: string[],
  opts: { readyTimeoutMs?: number } = {},
): Promise<WorkerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "apps/worker/src/main.ts"], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LOG_LEVEL: "warn", ...env, WORKER_PORT: String(port) },
  });
  const capture = (chunk: Buffer) => output.push(chunk.toString());
  child.stdout?.on("data", capture);
  child.stderr?.on("data", capture);
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`worker exited early:\n${output.join("").slice(-2000)}`);
      return fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
    },
    { timeoutMs: opts.readyTimeoutMs ?? 60_000, intervalMs: 100, what: "worker readiness" },
  );
  return { child, port };
}

export async function killProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  child.kill(signal);
  return exited;
}

export type PrivateRedis = { url: string; restart(): Promise<void>; stop(): Promise<void> };

/** A redis-server of our own, without persistence: a restart loses every job, like a real crash. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    await waitFor(
      async () =>
        new Promise<boolean>((resolve) => {
          const socket = connect({ host: "127.0.0.1", port }, () => {
            socket.end();
            resolve(true);
          });
          socket.once("error", () => resolve(false));
        }),
      { timeoutMs: 10_000, intervalMs: 50, what: "redis-server" },
    );
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart() {
      if (child) await killProcess(child, "SIGKILL");
      await start();
    },
    async stop() {
      if (child) await killProcess(child, "SIGKILL");
    },
  };
}
