/**
 * A throw-away PostgreSQL cluster for tests that need what the shared local server cannot give:
 * password authentication (the shared one trusts every local connection), catalog privileges revoked
 * from PUBLIC, or a server that goes away and comes back. Uses the machine's own initdb/pg_ctl.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export type ScratchCluster = {
  port: number;
  host: "127.0.0.1";
  superuser: "postgres";
  password: string;
  /** The server log (e.g. to count refused logins). */
  logFile: string;
  url(database?: string, user?: string, password?: string): string;
  start(): void;
  stop(): void;
  destroy(): void;
};

function pgBin(name: string): string {
  const versions = fs.readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const candidate = `/usr/lib/postgresql/${v}/bin/${name}`;
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} not found under /usr/lib/postgresql`);
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

/** initdb refuses to run as root: run the server binaries as the postgres OS user when we are root. */
function asOwner(bin: string, args: string[]): void {
  const root = process.getuid?.() === 0;
  const [cmd, argv] = root ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
  execFileSync(cmd, argv, { stdio: ["ignore", "ignore", "pipe"] });
}

export async function startScratchCluster(): Promise<ScratchCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "steward-pg-"));
  const dataDir = path.join(dir, "data");
  const pwFile = path.join(dir, "pw");
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  fs.writeFileSync(pwFile, password);
  if (process.getuid?.() === 0) execFileSync("chown", ["-R", "postgres:postgres", dir]);
  asOwner(pgBin("initdb"), [
    "-D",
    dataDir,
    "-U",
    "postgres",
    `--pwfile=${pwFile}`,
    "--auth-host=scram-sha-256",
    "--auth-local=trust",
    "-E",
    "UTF8",
    "--no-sync",
  ]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50`;
  const cluster: ScratchCluster = {
    port,
    host: "127.0.0.1",
    superuser: "postgres",
    password,
    logFile: path.join(dir, "log"),
    url: (database = "postgres", user = "postgres", pw = password) =>
      `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(pw)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    start: () => asOwner(pgBin("pg_ctl"), ["-D", dataDir, "-o", options, "-l", path.join(dir, "log"), "-w", "start"]),
    stop: () => asOwner(pgBin("pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"]),
    destroy: () => {
      try {
        cluster.stop();
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}
