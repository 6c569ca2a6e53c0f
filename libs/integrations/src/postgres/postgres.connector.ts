import pg from "pg";
import type { z } from "zod";
import {
  type ConnectionTestResult,
  type Connector,
  ConnectorError,
  type CrawledObject,
  type CrawlProgress,
  type ObjectType,
  type PlatformKind,
} from "../connector";
import { PostgresConfig, PostgresCredentials } from "./config";
import { classifyPgError } from "./errors";
import type { GrantsTarget } from "./grants/types";
import { openWithPassword, passwordOption } from "./password";

const RELKIND: Record<string, ObjectType> = {
  r: "TABLE",
  p: "PARTITIONED_TABLE",
  v: "VIEW",
  m: "MATERIALIZED_VIEW",
  f: "FOREIGN_TABLE",
};

// One round trip per database: objects with their columns aggregated. Partitions are reached through
// their partitioned parent, so they are not separate data sources. Names come back as data (never
// interpolated), which is why hostile object names cannot inject anything here.
const CRAWL_SQL = `
SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind,
       COALESCE(json_agg(json_build_array(a.attname, format_type(a.atttypid, a.atttypmod), a.attnum, NOT a.attnotnull)
                ORDER BY a.attnum) FILTER (WHERE a.attnum IS NOT NULL), '[]') AS columns
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r','p','v','m','f')
  AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
  AND n.nspname <> ALL($1::text[])
GROUP BY c.oid, n.nspname, c.relname, c.relkind`;

/**
 * Where a PostgreSQL-family connection signs in and what it crawls. PostgreSQL fills it from its own
 * config; Lakebase maps its service principal onto it with a token provider as the password.
 */
export type PgEndpoint = GrantsTarget & { databases: string[]; excludeSchemas: string[] };

function clientConfig(endpoint: PgEndpoint, database: string): pg.ClientConfig {
  return {
    host: endpoint.host,
    port: endpoint.port,
    user: endpoint.user,
    password: passwordOption(endpoint.password),
    database,
    ssl: (endpoint.sslMode ?? "disable") === "disable" ? false : { rejectUnauthorized: endpoint.sslMode === "verify-full" },
    connectionTimeoutMillis: 5_000,
    statement_timeout: 120_000,
    application_name: "steward-sync",
  };
}

async function withClient<T>(endpoint: PgEndpoint, database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const ctx = { host: endpoint.host, port: endpoint.port, user: endpoint.user, database };
  let client: pg.Client;
  try {
    client = await openWithPassword(endpoint.password, async () => {
      const c = new pg.Client(clientConfig(endpoint, database));
      c.on("error", () => {}); // a dropped connection surfaces as the failing query's error
      try {
        await c.connect();
        return c;
      } catch (err) {
        await c.end().catch(() => {});
        throw err;
      }
    });
  } catch (err) {
    throw new ConnectorError(classifyPgError(err, ctx));
  }
  try {
    return await fn(client);
  } catch (err) {
    if (err instanceof ConnectorError) throw err;
    throw new ConnectorError(classifyPgError(err, ctx));
  } finally {
    await client.end().catch(() => {});
  }
}

type Row = { schema: string; name: string; kind: string; columns: [string, string, number, boolean][] };

/**
 * The catalog port of a PostgreSQL-family kind, through the real wire protocol: the kind's schemas
 * and how its config and credentials become an endpoint are all that differ.
 */
export function pgFamilyConnector<Config, Credentials>(spec: {
  kind: PlatformKind;
  configSchema: z.ZodType<Config>;
  credentialsSchema: z.ZodType<Credentials>;
  endpoint(config: Config, credentials: Credentials): PgEndpoint;
}): Connector<Config, Credentials> {
  return {
    kind: spec.kind,
    configSchema: spec.configSchema,
    credentialsSchema: spec.credentialsSchema,
    displayName: (path) => path.join("."),
    testConnection: (config, credentials) => testEndpoint(spec.endpoint(config, credentials)),
    crawl: (config, credentials, onProgress) => crawlEndpoint(spec.endpoint(config, credentials), onProgress),
  };
}

async function testEndpoint(config: PgEndpoint): Promise<ConnectionTestResult> {
  try {
    let serverVersion = "";
    const warnings: string[] = [];
    for (const database of config.databases) {
      await withClient(config, database, async (client) => {
        const info = await client.query<{ version: string; can_create_role: boolean }>(
          `SELECT current_setting('server_version') AS version,
                    (SELECT rolcreaterole OR rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) AS can_create_role`,
        );
        serverVersion = info.rows[0]?.version ?? "";
        // Reading the catalogs is what sync needs; a revoked pg_class/pg_namespace shows up here.
        await client.query("SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace LIMIT 1");
        await client.query("SELECT 1 FROM pg_catalog.pg_attribute LIMIT 1");
        if (!info.rows[0]?.can_create_role && warnings.length === 0) {
          warnings.push(`User "${config.user}" lacks CREATEROLE: sync works, but Steward cannot manage access on this connection`);
        }
      });
    }
    return { ok: true, serverVersion, databases: config.databases, warnings };
  } catch (err) {
    if (err instanceof ConnectorError) return { ok: false, problem: err.problem };
    throw err;
  }
}

async function crawlEndpoint(config: PgEndpoint, onProgress?: (p: CrawlProgress) => void): Promise<CrawledObject[]> {
  const objects: CrawledObject[] = [];
  let seen = 0;
  for (const database of config.databases) {
    const rows = await withClient(config, database, async (client) => {
      const res = await client.query<Row>(CRAWL_SQL, [config.excludeSchemas]);
      return res.rows;
    });
    const total = seen + rows.length;
    for (const row of rows) {
      objects.push({
        path: [database, row.schema, row.name],
        objectType: RELKIND[row.kind] ?? "TABLE",
        columns: row.columns.map(([name, dataType, ordinal, nullable]) => ({ name, dataType, ordinal, nullable })),
      });
      seen++;
      if (onProgress && (seen % 1000 === 0 || seen === total)) onProgress({ seen, total });
    }
  }
  return objects;
}

/** PostgreSQL: the endpoint is the config itself, with the sealed password. */
export const postgresConnector = pgFamilyConnector({
  kind: "POSTGRES",
  configSchema: PostgresConfig,
  credentialsSchema: PostgresCredentials,
  endpoint: (config, credentials) => ({ ...config, password: credentials.password }),
});
