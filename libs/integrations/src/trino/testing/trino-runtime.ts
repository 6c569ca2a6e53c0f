/**
 * Starts a real single-node Trino for tests, benches and `npm run trino`: a fresh etc dir per run
 * (free port, small heap, quiet logs), catalogs `tpch`, `memory` and optionally `postgresql`, and
 * either allow-all or the `opa` access control pointed at Steward. The JVM runs in its own process
 * group so `stop()` takes the launcher and Java down together.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { reapOnExit } from "../../testing/reap-on-exit";
import { createTrinoClient } from "../client";
import { opaPropertyMap } from "../opa/port";
import { type EnsureTrinoOptions, ensureTrinoInstalled, type TrinoInstall, TrinoSetupError } from "./trino-install";

export { createTrinoClient, TrinoQueryError, type TrinoQueryResult } from "../client";
export { ensureTrinoInstalled, TRINO_VERSION, type TrinoInstall, TrinoSetupError } from "./trino-install";

export type TrinoAccessControl =
  | { kind: "allow-all" }
  /** `opa` with every URI derived from one base (see `opaAccessControlProperties`). */
  | { kind: "opa"; baseUri: string }
  /** Any access control, written verbatim to access-control.properties (the caller decides). */
  | { kind: "properties"; properties: Record<string, string> };

export type TrinoPostgresCatalog = {
  /** `postgresql://host:port/db` (user/password in it are used when not given) or a `jdbc:postgresql:` URL. */
  url: string;
  user?: string;
  password?: string;
};

export type StartTrinoOptions = EnsureTrinoOptions & {
  install?: TrinoInstall;
  accessControl?: TrinoAccessControl;
  postgresql?: TrinoPostgresCatalog;
  /** A fixed port; default a free one. */
  port?: number;
  /** JVM heap; default 1G (enough for tests on a small machine). */
  heap?: string;
  /** How long to wait for `/v1/info` to report `starting:false`; default 180 s. */
  startTimeoutMs?: number;
  /** Print the server log to this stream as well as to the log file (the CLI uses stdout). */
  echo?: NodeJS.WritableStream;
};

export type RunningTrino = {
  url: string;
  port: number;
  etcDir: string;
  logFile: string;
  /** Kills the JVM's process group and removes the etc and data dirs (the log is kept). */
  stop(): Promise<void>;
  /** The server log so far (for failure messages). */
  logs(): string;
};

/** Trino's opa access control pointed at `baseUri` (the same properties Steward shows users). */
export function opaAccessControlProperties(baseUri: string): Record<string, string> {
  return opaPropertyMap(baseUri);
}

function accessControlProperties(ac: TrinoAccessControl): Record<string, string> {
  switch (ac.kind) {
    case "allow-all":
      return { "access-control.name": "allow-all" };
    case "opa":
      return opaAccessControlProperties(ac.baseUri);
    case "properties":
      return ac.properties;
  }
}

/** Trino's JDBC catalog wants `jdbc:postgresql://host:port/db` and the user/password separately. */
export function postgresCatalogProperties(pg: TrinoPostgresCatalog): Record<string, string> {
  let jdbcUrl = pg.url;
  let user = pg.user;
  let password = pg.password;
  if (!pg.url.startsWith("jdbc:")) {
    const u = new URL(pg.url);
    if (u.protocol !== "postgresql:" && u.protocol !== "postgres:") throw new Error(`not a PostgreSQL URL: ${u.protocol}`);
    jdbcUrl = `jdbc:postgresql://${u.hostname}:${u.port || "5432"}${u.pathname}`;
    user ??= decodeURIComponent(u.username) || "postgres";
    password ??= decodeURIComponent(u.password);
  }
  const props: Record<string, string> = {
    "connector.name": "postgresql",
    "connection-url": jdbcUrl,
    "connection-user": user ?? "postgres",
  };
  if (password) props["connection-password"] = password;
  return props;
}

/**
 * Java properties files (Trino reads them with java.util.Properties): in a value, backslash, line
 * breaks and leading blanks are special, and the file's encoding is not guaranteed to be read as
 * UTF-8. Backslash is doubled and everything outside printable ASCII becomes `\uXXXX` (UTF-16 code
 * units, the format's own escape), so any value is taken literally.
 */
export function propertiesFile(props: Record<string, string>): string {
  const escapeValue = (s: string) =>
    s
      .replaceAll("\\", "\\\\")
      .replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
      .replace(/^ /, "\\ ");
  return `${Object.entries(props)
    .map(([k, v]) => `${k}=${escapeValue(v)}`)
    .join("\n")}\n`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

function writeEtc(etcDir: string, dataDir: string, port: number, opts: StartTrinoOptions): void {
  const write = (name: string, content: string) => {
    fs.mkdirSync(path.dirname(path.join(etcDir, name)), { recursive: true });
    fs.writeFileSync(path.join(etcDir, name), content);
  };
  write(
    "config.properties",
    propertiesFile({
      coordinator: "true",
      "node-scheduler.include-coordinator": "true",
      "http-server.http.port": String(port),
      "discovery.uri": `http://127.0.0.1:${port}`,
      // A test node: fail fast instead of queueing, and keep the small heap for queries.
      "query.max-memory": "512MB",
      "query.max-memory-per-node": "512MB",
    }),
  );
  write(
    "node.properties",
    propertiesFile({ "node.environment": "test", "node.id": `steward-${randomBytes(6).toString("hex")}`, "node.data-dir": dataDir }),
  );
  write(
    "jvm.config",
    [
      "-server",
      `-Xmx${opts.heap ?? "1G"}`,
      "-XX:+UseG1GC",
      "-XX:+ExitOnOutOfMemoryError",
      "-Djdk.attach.allowAttachSelf=true",
      "-Dfile.encoding=UTF-8",
      // Trino 476 uses the Vector API; on JDK 25 the incubator module is not resolved by default.
      "--add-modules=jdk.incubator.vector",
      "",
    ].join("\n"),
  );
  write(
    "log.properties",
    propertiesFile({
      "io.trino": "WARN",
      "io.airlift": "WARN",
      Bootstrap: "WARN",
      "org.hibernate": "WARN",
      "org.eclipse.jetty": "WARN",
      "io.trino.server.Server": "INFO",
    }),
  );
  write("access-control.properties", propertiesFile(accessControlProperties(opts.accessControl ?? { kind: "allow-all" })));
  write("catalog/tpch.properties", propertiesFile({ "connector.name": "tpch", "tpch.splits-per-node": "1" }));
  write("catalog/memory.properties", propertiesFile({ "connector.name": "memory", "memory.max-data-per-node": "128MB" }));
  if (opts.postgresql) write("catalog/postgresql.properties", propertiesFile(postgresCatalogProperties(opts.postgresql)));
}

type ServerInfo = { nodeVersion?: { version?: string }; starting?: boolean };

async function readInfo(url: string): Promise<ServerInfo | null> {
  try {
    const res = await fetch(`${url}/v1/info`, { signal: AbortSignal.timeout(2_000) });
    return res.ok ? ((await res.json()) as ServerInfo) : null;
  } catch {
    return null;
  }
}

async function schedulesQueries(url: string): Promise<boolean> {
  try {
    await createTrinoClient({ server: url, user: "steward", timeoutMs: 10_000 }).query("SELECT 1");
    return true;
  } catch (err) {
    return !(err instanceof Error && /No nodes available/i.test(err.message));
  }
}

function tail(text: string, lines = 40): string {
  return text.split("\n").slice(-lines).join("\n");
}

export async function startTrino(opts: StartTrinoOptions = {}): Promise<RunningTrino> {
  const install = opts.install ?? (await ensureTrinoInstalled(opts));
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), "steward-trino-"));
  const etcDir = path.join(runDir, "etc");
  const dataDir = path.join(runDir, "data");
  const logFile = path.join(os.tmpdir(), `${path.basename(runDir)}.log`);
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  writeEtc(etcDir, dataDir, port, opts);
  fs.mkdirSync(dataDir, { recursive: true });

  const logFd = fs.openSync(logFile, "a");
  const child: ChildProcess = spawn(path.join(install.serverDir, "bin", "launcher"), ["run", "--etc-dir", etcDir], {
    cwd: install.serverDir,
    // Own process group: stop() kills the launcher and the JVM it starts in one signal.
    detached: true,
    env: { ...process.env, JAVA_HOME: install.javaHome, PATH: `${install.javaHome}/bin:${process.env.PATH ?? ""}` },
    stdio: ["ignore", opts.echo ? "pipe" : logFd, opts.echo ? "pipe" : logFd],
  });
  if (opts.echo) {
    const echo = opts.echo;
    const both = (chunk: Buffer) => {
      fs.appendFileSync(logFile, chunk);
      echo.write(chunk);
    };
    child.stdout?.on("data", both);
    child.stderr?.on("data", both);
  }
  fs.closeSync(logFd);
  const forget = child.pid ? reapOnExit(child.pid) : () => {};
  let exited: number | string | null = null;
  const exitedPromise = new Promise<void>((resolve) =>
    child.on("exit", (code, signal) => {
      exited = code ?? signal ?? "unknown";
      resolve();
    }),
  );
  const logs = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "");

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (exited === null && child.pid) {
      killGroup(child.pid, "SIGTERM");
      const graceful = await Promise.race([exitedPromise.then(() => true), sleep(10_000).then(() => false)]);
      if (!graceful) {
        killGroup(child.pid, "SIGKILL");
        await exitedPromise;
      }
    }
    forget();
    fs.rmSync(runDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 180_000);
  for (;;) {
    if (exited !== null) {
      await stop();
      throw new TrinoSetupError("START_FAILED", `the server exited (${exited}) while starting; log ${logFile}:\n${tail(logs())}`);
    }
    const info = await readInfo(url);
    // `starting:false` comes before the coordinator has announced itself as a worker: a query sent in
    // between fails with "No nodes available to run query". Ready = a query gets past scheduling
    // (any answer but that one: under opa access control it may well be a denial).
    if (info && info.starting === false && (await schedulesQueries(url))) break;
    if (Date.now() > deadline) {
      await stop();
      throw new TrinoSetupError("START_FAILED", `not ready after ${opts.startTimeoutMs ?? 180_000} ms; log ${logFile}:\n${tail(logs())}`);
    }
    await sleep(500);
  }
  return { url, port, etcDir, logFile, stop, logs };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
