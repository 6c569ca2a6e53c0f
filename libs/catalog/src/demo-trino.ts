import { systemActor } from "@steward/core";
import { createConnection, updateConnection } from "./connections/connection-commands";
import type { CatalogDeps } from "./deps";
import { requestSync } from "./sync/request-sync";
import { runSync } from "./sync/run-sync";
import { tagColumn } from "./tags/tag-commands";

export const DEMO_TRINO_CONNECTION_NAME = "Demo Trino";
/** The Trino catalog that points at the demo warehouse (`npm run trino`, `npm run dev`). */
export const DEMO_TRINO_CATALOG = "postgresql";
/** Steward's own Trino identity: every decision allows it, so it can crawl the catalog. */
export const DEMO_TRINO_USER = "steward";

// Same tag as the PostgreSQL demo's customer emails, so the demo's hash data policy (scope: all,
// columns tagged PII.Email) covers the Trino table too without a second data policy.
const COLUMN_TAGS: [schemaAndTable: string, column: string, tag: string][] = [["crm.customers", "email", "PII.Email"]];

const SYNC_WAIT_MS = 120_000;

export type DemoTrinoTarget = { host: string; port: number };
export type DemoTrinoOptions = {
  /**
   * Run the sync in this process instead of waiting for the worker to. Only where no worker runs
   * (tests): a run claimed by two processes at once writes the same catalog nodes twice.
   */
  syncHere?: boolean;
};

/**
 * Registers the demo Trino cluster (while it runs open, before it is switched to Steward's decision
 * service), syncs its `postgresql` catalog inline and tags the customer emails. Idempotent by name:
 * a later run re-points the connection at the cluster's current port and re-syncs. The cluster must
 * be reachable, because registering tests the connection first. Waits for the sync, so the tags and
 * the caller's policies find the synced sources.
 */
export async function seedDemoTrinoConnection(
  deps: CatalogDeps,
  target: DemoTrinoTarget,
  opts: DemoTrinoOptions = {},
): Promise<{ connectionId: string; created: boolean; dataSources: number }> {
  const actor = systemActor("demo-seed");
  const config = { host: target.host, port: target.port, user: DEMO_TRINO_USER, catalogs: [DEMO_TRINO_CATALOG] };
  const existing = await deps.db.connection.findFirst({ where: { name: DEMO_TRINO_CONNECTION_NAME, deletedAt: null } });
  let connectionId: string;
  let syncRunId: string;
  if (existing) {
    const stored = existing.config as { host?: unknown; port?: unknown };
    if (stored.host !== target.host || stored.port !== target.port) {
      await updateConnection(deps, actor, { id: existing.id, config: { ...stored, ...config } });
    }
    connectionId = existing.id;
    syncRunId = (await requestSync(deps, actor, existing.id)).id;
  } else {
    const created = await createConnection(deps, actor, {
      name: DEMO_TRINO_CONNECTION_NAME,
      kind: "TRINO",
      description: "The demo warehouse through a local Trino governed by Steward's decision service",
      config,
      autoRegister: true,
    });
    connectionId = created.connection.id;
    syncRunId = created.syncRun.id;
  }
  if (opts.syncHere) await runSync(deps, syncRunId);
  await waitForSync(deps, syncRunId);
  const sources = await deps.db.dataSource.findMany({ where: { connectionId }, select: { id: true, name: true } });
  for (const [table, column, tag] of COLUMN_TAGS) {
    const source = sources.find((s) => s.name === `${DEMO_TRINO_CATALOG}.${table}`);
    if (source) await tagColumn(deps, actor, { dataSourceId: source.id, column, tag }, true);
  }
  return { connectionId, created: !existing, dataSources: sources.length };
}

/** The tags need the synced sources, and the cluster is restarted with access control only afterwards. */
async function waitForSync(deps: CatalogDeps, syncRunId: string): Promise<void> {
  const deadline = Date.now() + SYNC_WAIT_MS;
  for (;;) {
    const run = await deps.db.syncRun.findUniqueOrThrow({ where: { id: syncRunId }, select: { status: true, error: true } });
    if (run.status === "SUCCEEDED") return;
    if (run.status === "FAILED") throw new Error(`the sync of ${DEMO_TRINO_CONNECTION_NAME} failed: ${run.error ?? "no error recorded"}`);
    if (Date.now() > deadline)
      throw new Error(`the sync of ${DEMO_TRINO_CONNECTION_NAME} did not finish in ${SYNC_WAIT_MS / 1000} s (is the worker running?)`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
