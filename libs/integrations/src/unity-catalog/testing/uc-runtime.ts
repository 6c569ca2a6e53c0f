/**
 * Starts the real Unity Catalog OSS server (0.4.1, Java 17) for tests: a fresh work dir per start
 * (free port, H2 under etc/db, `server.authorization=enable`), the admin token the server writes to
 * etc/conf/token.txt, and principals created through its SCIM endpoint.
 *
 * The server is not on the Maven Central this project can reach, so it is built from its source into
 * a cache OUTSIDE git (`~/.cache/steward/unitycatalog`, see docs/platforms/unity-catalog.md). Nothing
 * of it is committed. This helper only checks the cache and runs what is there; when the cache is
 * missing or broken it throws UnityCatalogSetupError naming what is missing (tests fail, never skip).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createPrivateKey, createSign } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { reapOnExit } from "../../testing/reap-on-exit";

export const UC_VERSION = "0.4.1";
const MAIN_CLASS = "io.unitycatalog.server.UnityCatalogServer";

export type UnityCatalogSetupProblem = "NOT_BUILT" | "JDK_MISSING" | "START_FAILED";

export class UnityCatalogSetupError extends Error {
  constructor(
    readonly problem: UnityCatalogSetupProblem,
    message: string,
  ) {
    super(`Unity Catalog OSS ${UC_VERSION} is not available: ${message}`);
    this.name = "UnityCatalogSetupError";
  }
}

export type UnityCatalogInstall = {
  /** The server's runtime classpath (classes + resolved jars). */
  classpath: string;
  /** The server's shipped `etc/conf` (templates for server.properties, hibernate, log4j). */
  confTemplateDir: string;
  java: string;
};

export function defaultUcHome(): string {
  return path.join(os.homedir(), ".cache", "steward", "unitycatalog");
}

/**
 * The cache layout this helper expects (produced once per machine, see the platform doc):
 * `<home>/server.cp` — one line, the classpath; `<home>/src/etc/conf/` — the server's conf templates.
 */
export function findUnityCatalog(home = defaultUcHome(), java = "java"): UnityCatalogInstall {
  const cpFile = path.join(home, "server.cp");
  const confTemplateDir = path.join(home, "src", "etc", "conf");
  const hint = `build the server ${UC_VERSION} into ${home} as docs/platforms/unity-catalog.md describes`;
  if (!fs.existsSync(cpFile)) throw new UnityCatalogSetupError("NOT_BUILT", `no classpath file ${cpFile}; ${hint}`);
  const classpath = fs.readFileSync(cpFile, "utf8").trim();
  const missing = classpath.split(":").filter((entry) => entry && !fs.existsSync(entry));
  if (missing.length > 0)
    throw new UnityCatalogSetupError("NOT_BUILT", `${missing.length} classpath entries are missing (first: ${missing[0]}); ${hint}`);
  for (const f of ["server.properties", "hibernate.properties", "server.log4j2.properties"])
    if (!fs.existsSync(path.join(confTemplateDir, f)))
      throw new UnityCatalogSetupError("NOT_BUILT", `no ${f} in ${confTemplateDir}; ${hint}`);
  return { classpath, confTemplateDir, java };
}

export type RunningUnityCatalog = {
  /** e.g. http://127.0.0.1:41234 (the REST base is `${url}/api/2.1/unity-catalog`). */
  url: string;
  port: number;
  /** The admin's bearer token (etc/conf/token.txt). */
  adminToken: string;
  workDir: string;
  /** Creates a user through SCIM (principals must exist before they can be granted anything). */
  createUser(email: string, displayName?: string): Promise<void>;
  /**
   * A token for `email` as the server itself would issue it after a login (its own key, issuer and
   * claims), so tests can act as a non-admin without an external identity provider.
   */
  userToken(email: string, options?: { expiresAt?: Date }): string;
  /** Any REST call as the admin; throws on a non-2xx answer with the server's message. */
  rest<T = unknown>(method: string, apiPath: string, body?: unknown): Promise<T>;
  logs(): string;
  stop(): Promise<void>;
};

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

function writeConf(install: UnityCatalogInstall, workDir: string): void {
  const conf = path.join(workDir, "etc", "conf");
  fs.mkdirSync(conf, { recursive: true });
  fs.mkdirSync(path.join(workDir, "etc", "db"), { recursive: true });
  fs.mkdirSync(path.join(workDir, "etc", "data"), { recursive: true });
  const props = fs
    .readFileSync(path.join(install.confTemplateDir, "server.properties"), "utf8")
    .replace(/^server\.authorization=.*$/m, "server.authorization=enable");
  if (!/^server\.authorization=enable$/m.test(props))
    throw new UnityCatalogSetupError("NOT_BUILT", "the server.properties template has no server.authorization line");
  fs.writeFileSync(path.join(conf, "server.properties"), props);
  for (const f of ["hibernate.properties", "server.log4j2.properties"])
    fs.copyFileSync(path.join(install.confTemplateDir, f), path.join(conf, f));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type StartUnityCatalogOptions = { home?: string; java?: string; startTimeoutMs?: number; heap?: string };

/** Starts a server in a fresh temp work dir; resolves once the REST API answers the admin token. */
export async function startUnityCatalog(opts: StartUnityCatalogOptions = {}): Promise<RunningUnityCatalog> {
  const install = findUnityCatalog(opts.home, opts.java);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "steward-uc-"));
  writeConf(install, workDir);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(workDir, "server.out");
  const out = fs.openSync(logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(install.java, [`-Xmx${opts.heap ?? "512m"}`, "-cp", install.classpath, MAIN_CLASS, "-p", String(port)], {
      cwd: workDir,
      stdio: ["ignore", out, out],
      detached: true,
    });
  } finally {
    fs.closeSync(out);
  }
  const forget = child.pid ? reapOnExit(child.pid) : () => {};
  // Set from the child's events (a holder, so TypeScript does not narrow it to null in the loop).
  const state: { exited: string | null } = { exited: null };
  child.on("error", (err) => {
    state.exited = String(err);
  });
  child.on("exit", (code, signal) => {
    state.exited ??= `exited with ${code ?? signal}`;
  });
  const logs = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").split("\n").slice(-40).join("\n") : "");
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      for (let i = 0; i < 50 && child.exitCode === null && child.signalCode === null; i++) await sleep(100);
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    forget();
    fs.rmSync(workDir, { recursive: true, force: true });
  };

  const tokenFile = path.join(workDir, "etc", "conf", "token.txt");
  const deadline = Date.now() + (opts.startTimeoutMs ?? 90_000);
  let adminToken = "";
  for (;;) {
    const exited = state.exited;
    if (exited) {
      const why = `the server ${exited}; ${logs()}`;
      await stop();
      throw new UnityCatalogSetupError(exited.includes("ENOENT") ? "JDK_MISSING" : "START_FAILED", why);
    }
    if (Date.now() > deadline) {
      const why = `no answer on ${url} within ${opts.startTimeoutMs ?? 90_000} ms; ${logs()}`;
      await stop();
      throw new UnityCatalogSetupError("START_FAILED", why);
    }
    if (!adminToken && fs.existsSync(tokenFile)) adminToken = fs.readFileSync(tokenFile, "utf8").trim();
    if (adminToken) {
      const ok = await fetch(`${url}/api/2.1/unity-catalog/catalogs`, {
        headers: { authorization: `Bearer ${adminToken}` },
        signal: AbortSignal.timeout(2_000),
      })
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
    }
    await sleep(250);
  }

  const rest = async <T>(method: string, apiPath: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}${apiPath}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${apiPath}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : null) as T;
  };
  return {
    url,
    port,
    adminToken,
    workDir,
    rest,
    async createUser(email, displayName) {
      await rest("POST", "/api/1.0/unity-control/scim2/Users", {
        displayName: displayName ?? email,
        emails: [{ value: email, primary: true }],
      });
    },
    userToken: (email, options) => signLike(adminToken, path.join(workDir, "etc", "conf", "private_key.der"), email, options?.expiresAt),
    logs,
    stop,
  };
}

/** Re-signs the admin token's claims for another subject as an ACCESS token (RS* with the server's key). */
function signLike(template: string, keyFile: string, email: string, expiresAt?: Date): string {
  const [h, p] = template.split(".");
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const header = JSON.parse(Buffer.from(h!, "base64url").toString("utf8")) as { alg: string };
  const claims = JSON.parse(Buffer.from(p!, "base64url").toString("utf8")) as Record<string, unknown>;
  const bits = /^RS(256|384|512)$/.exec(header.alg)?.[1];
  if (!bits) throw new Error(`unexpected token algorithm ${header.alg}`);
  const payload = {
    ...claims,
    sub: email,
    type: "ACCESS",
    jti: `steward-${Date.now()}-${Math.random()}`,
    iat: Math.floor(Date.now() / 1000),
  } as Record<string, unknown>;
  if (expiresAt) payload.exp = Math.floor(expiresAt.getTime() / 1000);
  const input = `${b64(header)}.${b64(payload)}`;
  const key = createPrivateKey({ key: fs.readFileSync(keyFile), format: "der", type: "pkcs8" });
  return `${input}.${createSign(`RSA-SHA${bits}`).update(input).sign(key).toString("base64url")}`;
}
