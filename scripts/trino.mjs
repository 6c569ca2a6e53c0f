#!/usr/bin/env node
// `npm run trino`: a real Trino 476 in the foreground for developers (fetched with Maven into
// ~/.cache/steward on first use). Ctrl-C stops it.
//   npm run trino                          allow-all, postgresql catalog on the demo warehouse
//   npm run trino -- --opa <baseUri>       access control by Steward's decision service
//   npm run trino -- --postgres <url>      another PostgreSQL for the postgresql catalog (--no-postgres: none)
//   npm run trino -- --port 8080           a fixed port (default: a free one)
//   npm run trino -- --install-only        only fetch and assemble the server (CI)
import { parseArgs } from "node:util";
import { register } from "tsx/esm/api";

register();
const { ensureTrinoInstalled, startTrino } = await import("../libs/integrations/src/trino/testing/trino-runtime.ts");

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
  },
});

const log = (m) => process.stdout.write(`\x1b[1mtrino\x1b[0m │ ${m}\n`);
const java = { javaHome: values["java-home"], javaHomeCandidates: process.env.JAVA_HOME ? [process.env.JAVA_HOME] : [], log };

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
