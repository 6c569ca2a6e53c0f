/**
 * Assembles a runnable Trino 476 server from Maven Central into a cache outside git, so tests and
 * developers run the real engine (not a simulation). Two routes, tried in order per piece:
 *
 * 1. small: `trino-server-core` (launcher + engine, no connectors) plus one plugin zip per connector;
 * 2. fallback for plugin zips the mirror does not serve: the full `trino-server` tarball, from which
 *    only `plugin/<name>` directories are extracted.
 *
 * Trino 476 is the newest release on Maven Central (later ones are on GitHub only) and needs Java 24+.
 * Every failure names what is missing (Maven, the JDK, a refused download), because tests that need
 * Trino must fail with that message rather than skip.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const TRINO_VERSION = "476";
/** Connector and access-control plugins the tests and `npm run trino` use. */
export const TRINO_PLUGINS = ["opa", "postgresql", "memory", "tpch"] as const;
export type TrinoPlugin = (typeof TRINO_PLUGINS)[number];
/** Where the project's machines keep a JDK new enough for Trino 476. */
export const DEFAULT_JAVA_HOMES = ["/usr/lib/jvm/temurin-25-jdk-amd64"];
const MIN_JAVA = 24;

export type TrinoSetupProblem = "MAVEN_MISSING" | "JDK_MISSING" | "DOWNLOAD_REFUSED" | "EXTRACT_FAILED" | "START_FAILED";

export class TrinoSetupError extends Error {
  constructor(
    readonly problem: TrinoSetupProblem,
    message: string,
  ) {
    super(`Trino ${TRINO_VERSION} is not available: ${message}`);
    this.name = "TrinoSetupError";
  }
}

export type TrinoInstall = { version: string; serverDir: string; javaHome: string };

export type EnsureTrinoOptions = {
  /** Root of the cache; default `~/.cache/steward`. */
  cacheDir?: string;
  /** A JDK home to use (an error when it is not Java 24+); default: the first suitable candidate. */
  javaHome?: string;
  /** Tried before DEFAULT_JAVA_HOMES, skipped when too old (e.g. the caller's JAVA_HOME). */
  javaHomeCandidates?: string[];
  log?: (message: string) => void;
};

type RunResult = { code: number; output: string };

/** Runs a command without blocking the event loop (vitest workers keep talking while we unpack). */
function run(cmd: string, args: string[], cwd?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-20_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", (err) => resolve({ code: -1, output: String(err) }));
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

async function javaMajor(javaHome: string): Promise<number | null> {
  const java = path.join(javaHome, "bin", "java");
  if (!fs.existsSync(java)) return null;
  const res = await run(java, ["-version"]);
  const match = /version "(\d+)/.exec(res.output);
  return match ? Number(match[1]) : null;
}

/** Picks a JDK that can run Trino 476, or says which one is missing. */
export async function findJavaHome(preferred?: string, extraCandidates: string[] = []): Promise<string> {
  const candidates = preferred ? [preferred] : [...extraCandidates, ...DEFAULT_JAVA_HOMES];
  for (const home of candidates) {
    const major = await javaMajor(home);
    if (major !== null && major >= MIN_JAVA) return home;
    if (preferred) {
      throw new TrinoSetupError(
        "JDK_MISSING",
        major === null ? `no java at ${home}/bin/java` : `${home} is Java ${major}; Trino ${TRINO_VERSION} needs Java ${MIN_JAVA} or newer`,
      );
    }
  }
  throw new TrinoSetupError(
    "JDK_MISSING",
    `no JDK ${MIN_JAVA}+ found (looked in ${candidates.join(", ")}); install Temurin JDK 25 there, or pass javaHome (npm run trino: --java-home or JAVA_HOME)`,
  );
}

/**
 * Fetches one artifact into `dlDir` (reused when present). Downloads go to a private directory first
 * and are renamed into place, so two processes fetching at once never see a half-written file.
 */
async function fetchArtifact(dlDir: string, artifact: string, fileName: string, log: (m: string) => void): Promise<string | null> {
  const target = path.join(dlDir, fileName);
  if (fs.existsSync(target)) return target;
  const tmp = fs.mkdtempSync(path.join(dlDir, ".dl-"));
  try {
    log(`fetching ${artifact} with Maven …`);
    const res = await run("mvn", [
      "-q",
      "-B",
      "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy",
      `-Dartifact=${artifact}`,
      `-DoutputDirectory=${tmp}`,
    ]);
    if (res.code === -1) throw new TrinoSetupError("MAVEN_MISSING", `mvn could not be started (${res.output.trim()}); install Maven 3.8+`);
    const fetched = path.join(tmp, fileName);
    if (res.code !== 0 || !fs.existsSync(fetched)) {
      log(`Maven could not fetch ${artifact}: ${lastMeaningfulLine(res.output)}`);
      return null;
    }
    fs.renameSync(fetched, target);
    return target;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function lastMeaningfulLine(output: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips Maven's ANSI colours
  const lines = output.replace(/\x1b\[[0-9;]*m/g, "").split("\n");
  return lines.find((l) => /Could not find artifact|was not found|Could not transfer/.test(l)) ?? lines.filter(Boolean).at(-1) ?? "";
}

async function mustRun(cmd: string, args: string[], what: string, cwd?: string): Promise<void> {
  const res = await run(cmd, args, cwd);
  if (res.code !== 0) throw new TrinoSetupError("EXTRACT_FAILED", `${what} failed: ${res.output.trim().slice(-500)}`);
}

/** A server directory counts as installed only once this marker exists (written last). */
const MARKER = ".steward-installed";

export function trinoServerDir(cacheDir = defaultCacheDir()): string {
  return path.join(cacheDir, "trino", TRINO_VERSION, "server");
}

function defaultCacheDir(): string {
  return path.join(os.homedir(), ".cache", "steward");
}

/**
 * Returns a runnable server (assembling it on first use) and the JDK to run it with. Fast when the
 * cache exists: one marker check and a `java -version`.
 */
export async function ensureTrinoInstalled(opts: EnsureTrinoOptions = {}): Promise<TrinoInstall> {
  const log = opts.log ?? (() => {});
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const javaHome = await findJavaHome(opts.javaHome, opts.javaHomeCandidates);
  const serverDir = trinoServerDir(cacheDir);
  if (fs.existsSync(path.join(serverDir, MARKER))) return { version: TRINO_VERSION, serverDir, javaHome };

  const dlDir = path.join(cacheDir, "trino-dl");
  fs.mkdirSync(dlDir, { recursive: true });
  fs.mkdirSync(path.dirname(serverDir), { recursive: true });
  const staging = fs.mkdtempSync(`${serverDir}.partial-`);
  try {
    await assemble(staging, dlDir, log);
    fs.writeFileSync(path.join(staging, MARKER), `${new Date().toISOString()} plugins=${TRINO_PLUGINS.join(",")}\n`);
    fs.rmSync(serverDir, { recursive: true, force: true });
    try {
      fs.renameSync(staging, serverDir);
    } catch (err) {
      // Another process finished first: use its copy.
      if (!fs.existsSync(path.join(serverDir, MARKER))) throw err;
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  log(`Trino ${TRINO_VERSION} installed in ${serverDir}`);
  return { version: TRINO_VERSION, serverDir, javaHome };
}

async function assemble(staging: string, dlDir: string, log: (m: string) => void): Promise<void> {
  const core = await fetchArtifact(
    dlDir,
    `io.trino:trino-server-core:${TRINO_VERSION}:tar.gz`,
    `trino-server-core-${TRINO_VERSION}.tar.gz`,
    log,
  );
  const fromFull: TrinoPlugin[] = [];
  if (core) {
    log("unpacking trino-server-core …");
    await mustRun("tar", ["-xzf", core, "--strip-components=1", "-C", staging], "unpacking trino-server-core");
    fs.mkdirSync(path.join(staging, "plugin"), { recursive: true });
    for (const plugin of TRINO_PLUGINS) {
      const zip = await fetchArtifact(dlDir, `io.trino:trino-${plugin}:${TRINO_VERSION}:zip`, `trino-${plugin}-${TRINO_VERSION}.zip`, log);
      if (!zip) {
        fromFull.push(plugin);
        continue;
      }
      await unpackPluginZip(zip, plugin, staging);
    }
  }
  if (core && fromFull.length === 0) return;

  // Fallback: the full server tarball has every plugin (821 MB; fetched once, then cached).
  const fullName = `trino-server-${TRINO_VERSION}.tar.gz`;
  const full = await fetchArtifact(dlDir, `io.trino:trino-server:${TRINO_VERSION}:tar.gz`, fullName, log);
  if (!full) {
    const missing = core
      ? fromFull.map((p) => `io.trino:trino-${p}:${TRINO_VERSION}:zip`)
      : [`io.trino:trino-server-core:${TRINO_VERSION}:tar.gz`];
    throw new TrinoSetupError(
      "DOWNLOAD_REFUSED",
      `Maven could not fetch ${missing.join(", ")} nor the fallback io.trino:trino-server:${TRINO_VERSION}:tar.gz (is Maven Central reachable? see ${dlDir})`,
    );
  }
  if (!core) {
    const top = `trino-server-${TRINO_VERSION}`;
    log(`unpacking ${fullName} (core only) …`);
    await mustRun("tar", ["-xzf", full, "--strip-components=1", "-C", staging, `${top}/bin`, `${top}/lib`], `unpacking ${fullName}`);
    fromFull.push(...TRINO_PLUGINS);
  }
  await extractPluginsFromFull(full, fromFull, staging, log);
}

/**
 * The full tarball stores each jar once and hard-links the copies in other plugins (and lib/), so a
 * plugin directory cannot be extracted alone: list the archive, add every hard-link target of the
 * wanted plugins to the members, extract into a scratch dir and move only the plugin dirs.
 */
async function extractPluginsFromFull(full: string, plugins: TrinoPlugin[], staging: string, log: (m: string) => void): Promise<void> {
  const top = `trino-server-${TRINO_VERSION}`;
  const name = path.basename(full);
  log(`extracting plugin/${plugins.join(", plugin/")} from ${name} …`);
  const listing = await run("tar", ["-tvzf", full, ...plugins.map((p) => `${top}/plugin/${p}`)]);
  if (listing.code !== 0) throw new TrinoSetupError("EXTRACT_FAILED", `listing ${name} failed: ${listing.output.trim().slice(-500)}`);
  const linkTargets = new Set<string>();
  for (const line of listing.output.split("\n")) {
    const m = /^h\S*\s+\S+\s+\d+\s+\S+\s+\S+\s+.* link to (.+)$/.exec(line);
    if (m?.[1]) linkTargets.add(m[1]);
  }
  fs.mkdirSync(path.join(staging, "plugin"), { recursive: true });
  const scratch = fs.mkdtempSync(path.join(staging, ".full-"));
  try {
    const members = [...linkTargets, ...plugins.map((p) => `${top}/plugin/${p}`)];
    const listFile = path.join(scratch, ".members");
    fs.writeFileSync(listFile, `${members.join("\n")}\n`);
    await mustRun("tar", ["-xzf", full, "-C", scratch, "--verbatim-files-from", "-T", listFile], `extracting plugins from ${name}`);
    for (const plugin of plugins) {
      const dir = path.join(scratch, top, "plugin", plugin);
      if (!fs.existsSync(dir)) throw new TrinoSetupError("EXTRACT_FAILED", `${name} has no plugin/${plugin}`);
      fs.renameSync(dir, path.join(staging, "plugin", plugin));
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** A plugin zip holds one top directory `trino-<name>-<version>/`; Trino wants it as `plugin/<name>/`. */
async function unpackPluginZip(zip: string, plugin: TrinoPlugin, staging: string): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(staging, ".zip-"));
  try {
    await mustRun("unzip", ["-q", zip, "-d", tmp], `unzipping ${path.basename(zip)}`);
    const [top] = fs.readdirSync(tmp);
    if (!top) throw new TrinoSetupError("EXTRACT_FAILED", `${path.basename(zip)} is empty`);
    fs.renameSync(path.join(tmp, top), path.join(staging, "plugin", plugin));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
