/** Connections to Redshift through `pg` (Redshift speaks the PostgreSQL wire protocol). */
import pg from "pg";
import { ConnectorError } from "../connector";
import { classifyPgError } from "../postgres/errors";
import type { RedshiftConfig, RedshiftCredentials } from "./config";

export type RsQuery = <T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]) => Promise<T[]>;

function clientConfig(config: RedshiftConfig, credentials: RedshiftCredentials, database: string, app: string): pg.ClientConfig {
  return {
    host: config.host,
    port: config.port,
    user: config.user,
    password: credentials.password,
    database,
    ssl: config.sslMode === "disable" ? false : { rejectUnauthorized: config.sslMode === "verify-full" },
    connectionTimeoutMillis: 10_000,
    // Redshift queues queries in WLM; a catalog read waiting there is not a failure yet.
    statement_timeout: 300_000,
    application_name: app,
  };
}

const context = (config: RedshiftConfig, database: string) => ({ host: config.host, port: config.port, user: config.user, database });

/** The driver's wording names PostgreSQL; the person reading it configured a Redshift connection. */
export function redshiftProblem(err: unknown, config: RedshiftConfig, database: string) {
  const problem = classifyPgError(err, context(config, database));
  return { ...problem, message: problem.message.replaceAll("PostgreSQL", "Redshift") };
}

/**
 * Runs `fn` on one connection to `database`. A failure to connect becomes a ConnectorError; so do
 * query failures unless `rawQueryErrors` (the access port classifies those by SQLSTATE itself).
 */
export async function withRedshift<T>(
  config: RedshiftConfig,
  credentials: RedshiftCredentials,
  database: string,
  app: string,
  fn: (q: RsQuery, client: pg.Client) => Promise<T>,
  opts: { rawQueryErrors?: boolean } = {},
): Promise<T> {
  const client = new pg.Client(clientConfig(config, credentials, database, app));
  client.on("error", () => {}); // a dropped connection surfaces as the failing query's error
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw new ConnectorError(redshiftProblem(err, config, database));
  }
  const q: RsQuery = async (sql, params) => (await client.query(sql, params)).rows;
  try {
    return await fn(q, client);
  } catch (err) {
    if (err instanceof ConnectorError || opts.rawQueryErrors) throw err;
    throw new ConnectorError(redshiftProblem(err, config, database));
  } finally {
    await client.end().catch(() => {});
  }
}
