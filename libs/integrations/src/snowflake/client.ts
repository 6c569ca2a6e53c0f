/** Sessions through the official `snowflake-sdk`, one per unit of work, always closed. */
import snowflake from "snowflake-sdk";
import { type ConnectionProblem, ConnectorError } from "../connector";
import type { SnowflakeConfig, SnowflakeCredentials } from "./config";
import { snowflakeErrorCode } from "./errors";

export type SfRow = Record<string, unknown>;
export type SfQuery = (sql: string) => Promise<SfRow[]>;
/** A query whose result keeps the column order (and duplicate names): rows as arrays. */
export type SfTable = { columns: string[]; rows: unknown[][] };
export type SfTableQuery = (sql: string) => Promise<SfTable>;

let configured = false;
function configureOnce(): void {
  if (configured) return;
  // The driver logs to its own file by default; Steward logs through pino at the call sites.
  snowflake.configure({ logLevel: "OFF" });
  configured = true;
}

function connectionOptions(config: SnowflakeConfig, credentials: SnowflakeCredentials): snowflake.ConnectionOptions {
  return {
    account: config.account,
    ...(config.host ? { accessUrl: config.host } : {}),
    username: config.user,
    role: config.role,
    warehouse: config.warehouse,
    ...(credentials.privateKey
      ? {
          authenticator: "SNOWFLAKE_JWT",
          privateKey: credentials.privateKey,
          ...(credentials.privateKeyPassphrase ? { privateKeyPass: credentials.privateKeyPassphrase } : {}),
        }
      : { password: credentials.password ?? "" }),
    application: "Steward",
    sfRetryMaxLoginRetries: config.loginRetries,
    // Statements are plain DDL and SHOW; Steward never needs the session to outlive the unit of work.
    clientSessionKeepAlive: false,
  };
}

const where = (config: SnowflakeConfig) => `Snowflake account ${config.account} as ${config.user}`;

export function snowflakeProblem(err: unknown, config: SnowflakeConfig): ConnectionProblem {
  const code = snowflakeErrorCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  switch (code) {
    case "UNREACHABLE":
    case "TIMEOUT":
    case "CONFLICT":
      return { code: "UNREACHABLE", message: `${where(config)}: cannot reach the server (${detail})` };
    case "AUTH_FAILED":
      return { code: "AUTH_FAILED", message: `${where(config)}: sign-in refused (${detail})` };
    case "NOT_FOUND":
      return { code: "NOT_FOUND", message: `${where(config)}: ${detail}` };
    case "MISSING_PRIVILEGE":
      return { code: "MISSING_PRIVILEGE", message: `${where(config)}: ${detail}`, privilege: "MANAGE GRANTS" };
    case "INVALID_CONFIG":
    case "INVALID_INPUT":
    case "SQL_ERROR":
      return { code: "INVALID_CONFIG", message: `${where(config)}: ${detail}` };
  }
}

function run(connection: snowflake.Connection, sql: string): Promise<SfRow[]> {
  return new Promise((resolve, reject) => {
    connection.execute({
      sqlText: sql,
      complete: (err, _stmt, rows) => (err ? reject(err) : resolve((rows ?? []) as SfRow[])),
    });
  });
}

function runTable(connection: snowflake.Connection, sql: string): Promise<SfTable> {
  return new Promise((resolve, reject) => {
    connection.execute({
      sqlText: sql,
      rowMode: "array",
      complete: (err, stmt, rows) =>
        err ? reject(err) : resolve({ columns: (stmt.getColumns() ?? []).map((c) => c.getName()), rows: (rows ?? []) as unknown[][] }),
    });
  });
}

/**
 * Runs `fn` in one session. A failure to sign in becomes a ConnectorError; so do statement failures
 * unless `rawQueryErrors` (the access port classifies those itself and reports what it had sent).
 */
export async function withSnowflake<T>(
  config: SnowflakeConfig,
  credentials: SnowflakeCredentials,
  fn: (q: SfQuery, table: SfTableQuery) => Promise<T>,
  opts: { rawQueryErrors?: boolean } = {},
): Promise<T> {
  configureOnce();
  const connection = snowflake.createConnection(connectionOptions(config, credentials));
  // connect(), not connectAsync(): the latter hands some sign-in failures only to its callback.
  const failed = await new Promise<unknown>((done) => connection.connect((err) => done(err ?? null)));
  if (failed) throw new ConnectorError(snowflakeProblem(failed, config));
  try {
    return await fn(
      (sql) => run(connection, sql),
      (sql) => runTable(connection, sql),
    );
  } catch (err) {
    if (err instanceof ConnectorError || opts.rawQueryErrors) throw err;
    throw new ConnectorError(snowflakeProblem(err, config));
  } finally {
    await new Promise<void>((done) => connection.destroy(() => done()));
  }
}
