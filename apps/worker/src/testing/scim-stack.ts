/**
 * The whole provisioning path for tests and the SCIM benchmark: the real API (SCIM at /scim/v2, GraphQL)
 * and the real worker on one metadata database, a PostgreSQL connection to a scratch warehouse, a SCIM
 * key and a governor. Roles it creates on the shared cluster are dropped by `close()`.
 */
import { randomBytes } from "node:crypto";
import { createConnection } from "@steward/catalog";
import { createLogger, systemActor } from "@steward/core";
import { scopePrefix } from "@steward/integrations/grants";
import { cleanup, query } from "@steward/integrations/grants/testing";
import { startTestApi, type TestApi } from "../../../api/src/testing/api-harness";
import { scimClient, scimKey } from "../../../api/src/testing/scim-client";
import { flushPrefix, REDIS_URL, testConfig, testKeyring, uniquePrefix, waitFor } from "../test-support";
import { type RunningWorker, startWorker } from "../worker";

export type ScimStack = {
  api: TestApi;
  worker: RunningWorker;
  scim: ReturnType<typeof scimClient>;
  /** Session of an ADMIN + GOVERNOR user, for GraphQL calls (policies, mappings). */
  governor: { id: string; auth: { cookie?: string } };
  connectionId: string;
  warehouse: string;
  /** Every table of the warehouse the role may SELECT / write, as `schema.table`, sorted. */
  readable(role: string): Promise<string[]>;
  writable(role: string): Promise<string[]>;
  canLogin(role: string): Promise<boolean | null>;
  /** Every outbox event dispatched and the connection's newest desired version applied. */
  settled(timeoutMs?: number): Promise<void>;
  /** Roles made outside the connection's prefix (the users' LOGIN roles) to drop at the end. */
  forget(role: string): void;
  close(): Promise<void>;
};

/** `tables` maps schema → tables created in the warehouse (one int column each). */
export async function startScimStack(label: string, tables: Record<string, string[]>): Promise<ScimStack> {
  const run = randomBytes(4).toString("hex");
  const warehouse = `stw_${label}_${run}`;
  const prefix = uniquePrefix(label);
  const roles = new Set<string>();
  const api = await startTestApi();
  let worker: RunningWorker | undefined;
  let connectionId = "";
  const close = async () => {
    await worker?.stop();
    await flushPrefix(prefix);
    await cleanup({
      databases: [warehouse],
      rolePrefixes: connectionId ? [scopePrefix(connectionId, warehouse)] : [],
      roles: [...roles],
    });
    await api.close();
  };
  try {
    await query(`CREATE DATABASE ${warehouse}`);
    const ddl = Object.entries(tables).flatMap(([schema, names]) => [
      `CREATE SCHEMA ${schema}`,
      ...names.map((t) => `CREATE TABLE ${schema}.${t} (id int)`),
    ]);
    await query(ddl.join(";\n"), [], { database: warehouse });
    worker = await startWorker({
      databaseUrl: api.testDb.url,
      redisUrl: REDIS_URL,
      encryptionKeys: testKeyring(),
      port: 0,
      config: testConfig(prefix),
      logger: createLogger({ name: "worker", level: process.env.TEST_LOG_LEVEL ?? "warn" }),
    });
    const { secret } = await scimKey(api);
    const governor = await api.userWithRoles(["ADMIN", "GOVERNOR"]);
    const created = await createConnection({ db: api.testDb.db, secretBox: worker.context.secretBox }, systemActor("test"), {
      name: "warehouse",
      kind: "POSTGRES",
      config: { host: "127.0.0.1", port: 5432, user: "postgres", databases: [warehouse] },
      autoRegister: true,
    });
    connectionId = created.connection.id;
    await waitFor(
      async () => {
        const r = await api.testDb.db.syncRun.findUniqueOrThrow({ where: { id: created.syncRun.id } });
        if (r.status === "FAILED") throw new Error(`first sync failed: ${r.error}`);
        return r.status === "SUCCEEDED";
      },
      { timeoutMs: 60_000, what: "first sync" },
    );

    const privileged = async (role: string, privilege: "SELECT" | "INSERT, UPDATE, DELETE, TRUNCATE") => {
      const res = await query<{ name: string }>(
        `SELECT format('%s.%s', table_schema, table_name) AS name FROM information_schema.tables
          WHERE table_schema = ANY($2::text[])
            AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)
            AND has_table_privilege($1, format('%I.%I', table_schema, table_name), $3)
          ORDER BY 1`,
        [role, Object.keys(tables), privilege],
        { database: warehouse },
      );
      return res.rows.map((r) => r.name);
    };
    const db = api.testDb.db;
    const id = connectionId;
    return {
      api,
      worker,
      scim: scimClient(api, secret),
      governor: { id: governor.id, auth: governor.auth },
      connectionId,
      warehouse,
      readable: (role) => privileged(role, "SELECT"),
      writable: (role) => privileged(role, "INSERT, UPDATE, DELETE, TRUNCATE"),
      async canLogin(role) {
        const res = await query<{ rolcanlogin: boolean }>("SELECT rolcanlogin FROM pg_roles WHERE rolname = $1", [role]);
        return res.rows[0]?.rolcanlogin ?? null;
      },
      async settled(timeoutMs = 60_000) {
        await waitFor(
          async () => {
            if ((await db.outboxEvent.count({ where: { processedAt: null } })) > 0) return false;
            const s = await db.connectionAccessState.findUnique({ where: { connectionId: id } });
            return !!s && s.appliedVersion >= s.desiredVersion;
          },
          { timeoutMs, intervalMs: 25, what: "the outbox dispatched and the connection's desired version applied" },
        );
      },
      forget: (role) => roles.add(role),
      close,
    };
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
}
