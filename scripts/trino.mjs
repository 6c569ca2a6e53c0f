#!/usr/bin/env node
// `npm run trino`: a real Trino 476 in the foreground for developers (fetched with Maven into
// ~/.cache/steward on first use). Ctrl-C stops it.
//   npm run trino                          allow-all, postgresql catalog on the demo warehouse
//   npm run trino -- --opa <baseUri>       access control by Steward's decision service
//   npm run trino -- --postgres <url>      another PostgreSQL for the postgresql catalog (--no-postgres: none)
//   npm run trino -- --port 8080           a fixed port (default: a free one)
//   npm run trino -- --install-only        only fetch and assemble the server (CI)
//   npm run trino -- --query "SELECT 1" --user alice [--port 8080 | --server <url>]
//                                          run one query on a running Trino (REST protocol) and print its rows
import { parseArgs } from "node:util";
import { register } from "tsx/esm/api";

register();
const { createTrinoClient, ensureTrinoInstalled, startTrino } = await import("../libs/integrations/src/trino/testing/trino-runtime.ts");

const DEFAULT_DATABASE_URL = "postgresql://postgres:steward@127.0.0.1:5432/steward";

/** The demo warehouse lives next to Steward's database as `<db>_demo_warehouse` (libs/catalog/src/demo-warehouse.ts). */
function demoWarehouseUrl() {
  const url = new URL(process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
  url.pathname = `/${decodeURIComponent(url.pathname.slice(1))}_demo_warehouse`;
  return url.toString();
}

const { values } = parseArgs({
  options: {
    opa: { type: "string" },
    postgres: { type: "string" },
    "no-postgres": { type: "boolean", default: false },
    port: { type: "string" },
    "java-home": { type: "string" },
    "install-only": { type: "boolean", default: false },
    query: { type: "string" },
    user: { type: "string" },
    server: { type: "string" },
  },
});

const log = (m) => process.stdout.write(`\x1b[1mtrino\x1b[0m │ ${m}\n`);
const java = { javaHome: values["java-home"], javaHomeCandidates: process.env.JAVA_HOME ? [process.env.JAVA_HOME] : [], log };

/** Query mode: one statement as `user`, rows printed tab-separated under a header; refusals exit 1. */
async function runQuery(sql) {
  if (!values.user) throw new Error("--query needs --user <name> (the Trino user the query runs as, e.g. alice)");
  const server = values.server ?? `http://127.0.0.1:${values.port ?? process.env.TRINO_PORT ?? "8080"}`;
  const client = createTrinoClient({ server, user: values.user, source: "steward-cli", timeoutMs: 120_000 });
  const result = await client.query(sql);
  if (result.updateType && result.columns.length === 0) {
    process.stdout.write(`${result.updateType}${result.updateCount === null ? "" : ` ${result.updateCount}`}\n`);
    return;
  }
  const cell = (v) => (v === null ? "NULL" : typeof v === "object" ? JSON.stringify(v) : String(v));
  process.stdout.write(`${result.columns.map((c) => c.name).join("\t")}\n`);
  for (const row of result.rows) process.stdout.write(`${row.map(cell).join("\t")}\n`);
  process.stdout.write(`(${result.rows.length} row${result.rows.length === 1 ? "" : "s"})\n`);
}

if (values.query !== undefined) {
  try {
    await runQuery(values.query);
    process.exit(0);
  } catch (err) {
    const code = err && typeof err === "object" && "code" in err ? `${err.code}: ` : "";
    console.error(`${code}${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

try {
  const install = await ensureTrinoInstalled(java);
  if (values["install-only"]) {
    log(`Trino ${install.version} ready in ${install.serverDir} (JDK ${install.javaHome})`);
    process.exit(0);
  }
  const postgresql = values["no-postgres"] ? undefined : { url: values.postgres ?? demoWarehouseUrl() };
  if (postgresql) log(`catalog postgresql → ${postgresql.url.replace(/:[^:@/]*@/, ":***@")}`);
  log(values.opa ? `access control: opa at ${values.opa}` : "access control: allow-all");
  log("starting (20–90 s) …");
  const trino = await startTrino({
    ...java,
    install,
    accessControl: values.opa ? { kind: "opa", baseUri: values.opa } : { kind: "allow-all" },
    postgresql,
    port: values.port ? Number(values.port) : undefined,
    echo: process.stdout,
  });
  log(`ready at ${trino.url}  (etc ${trino.etcDir}, log ${trino.logFile}); Ctrl-C stops it`);
  const shutdown = async () => {
    log("stopping …");
    await trino.stop();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
} catch (err) {
  console.error(String(err instanceof Error ? err.message : err));
  process.exit(1);
}
