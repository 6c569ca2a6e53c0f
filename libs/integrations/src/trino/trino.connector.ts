/**
 * Catalog sync through Trino itself: whatever catalogs the cluster serves (PostgreSQL, Hive, Iceberg
 * …) become Steward's catalog nodes `[catalog, schema, table]`, with Trino's own type names, because
 * Trino is where the queries Steward governs run. One query per catalog over its information_schema.
 */
import { type ConnectionProblem, type ConnectionTestResult, type Connector, ConnectorError, type CrawledObject } from "../connector";
import { quoteTrinoIdent, UnsafeIdentifierError } from "../sql/quote";
import { createTrinoClient, type TrinoClient, TrinoQueryError, trinoServerUrl } from "./client";
import { TrinoConfig, TrinoCredentials } from "./config";

/** Trino's built-in catalog of runtime tables (queries, nodes): never data to govern. */
const SYSTEM_CATALOG = "system";

function clientFor(config: TrinoConfig, credentials: TrinoCredentials): TrinoClient {
  return createTrinoClient({
    server: trinoServerUrl(config),
    user: config.user,
    password: credentials.password || undefined,
    source: "steward-catalog-sync",
    // A large catalog's information_schema can take a while; sync runs off the request path.
    timeoutMs: 10 * 60_000,
  });
}

/** Refuses what would fail later for a reason the form can name. */
function configProblem(config: TrinoConfig, credentials: TrinoCredentials): ConnectionProblem | null {
  if (credentials.password && !config.ssl) {
    return { code: "INVALID_CONFIG", message: "Trino accepts passwords only over HTTPS: turn on HTTPS or leave the password empty" };
  }
  return null;
}

function problemOf(err: unknown, catalog?: string): ConnectionProblem | null {
  if (err instanceof UnsafeIdentifierError) return { code: "INVALID_CONFIG", message: `catalog name: ${err.message}` };
  if (!(err instanceof TrinoQueryError)) return null;
  switch (err.code) {
    case "UNREACHABLE":
    case "TIMEOUT":
      return { code: "UNREACHABLE", message: err.message };
    case "AUTH_FAILED":
      return { code: "AUTH_FAILED", message: err.message };
    case "PERMISSION_DENIED":
      return {
        code: "MISSING_PRIVILEGE",
        message: err.message,
        privilege: catalog ? `read ${catalog}.information_schema` : "SHOW CATALOGS",
      };
    case "QUERY_FAILED":
      if (err.errorName === "CATALOG_NOT_FOUND") return { code: "NOT_FOUND", message: err.message };
      return null;
  }
}

/** Runs a step, turning connection-level failures into ConnectorError (anything else propagates). */
async function step<T>(fn: () => Promise<T>, catalog?: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const problem = problemOf(err, catalog);
    throw problem ? new ConnectorError(problem) : err;
  }
}

async function showCatalogs(client: TrinoClient): Promise<string[]> {
  const res = await client.query("SHOW CATALOGS");
  return res.rows.map((r) => String(r[0]));
}

async function catalogsToSync(client: TrinoClient, config: TrinoConfig): Promise<string[]> {
  if (config.catalogs.length > 0) return config.catalogs;
  return (await step(() => showCatalogs(client))).filter((c) => c !== SYSTEM_CATALOG);
}

type ColumnRow = [
  schema: string,
  table: string,
  tableType: string | null,
  column: string | null,
  ordinal: number | null,
  isNullable: string | null,
  dataType: string | null,
];

/**
 * Tables LEFT JOIN columns, so a table whose columns Trino cannot list still appears. The catalog is
 * the only variable part and goes through the audited quoting; Trino's own schema is skipped.
 */
function crawlSql(catalog: string): string {
  const cat = quoteTrinoIdent(catalog);
  return `SELECT t.table_schema, t.table_name, t.table_type, c.column_name, c.ordinal_position, c.is_nullable, c.data_type
FROM ${cat}.information_schema.tables t
LEFT JOIN ${cat}.information_schema.columns c
  ON c.table_schema = t.table_schema AND c.table_name = t.table_name
WHERE t.table_schema <> 'information_schema'
ORDER BY t.table_schema, t.table_name, c.ordinal_position`;
}

async function crawlCatalog(client: TrinoClient, catalog: string): Promise<CrawledObject[]> {
  const res = await step(() => client.query(crawlSql(catalog)), catalog);
  const byTable = new Map<string, CrawledObject>();
  for (const row of res.rows as ColumnRow[]) {
    const [schema, table, tableType, column, ordinal, isNullable, dataType] = row;
    const key = JSON.stringify([schema, table]);
    let object = byTable.get(key);
    if (!object) {
      object = { path: [catalog, schema, table], objectType: tableType === "VIEW" ? "VIEW" : "TABLE", columns: [] };
      byTable.set(key, object);
    }
    if (column !== null && dataType !== null) {
      object.columns.push({ name: column, dataType, ordinal: Number(ordinal), nullable: isNullable !== "NO" });
    }
  }
  return [...byTable.values()];
}

export const trinoConnector: Connector<TrinoConfig, TrinoCredentials> = {
  kind: "TRINO",
  configSchema: TrinoConfig,
  credentialsSchema: TrinoCredentials,
  displayName: (path) => path.join("."),

  async testConnection(config, credentials): Promise<ConnectionTestResult> {
    const invalid = configProblem(config, credentials);
    if (invalid) return { ok: false, problem: invalid };
    const client = clientFor(config, credentials);
    try {
      const info = await step(() => client.info());
      if (info.starting)
        return { ok: false, problem: { code: "UNREACHABLE", message: `Trino ${info.version} is still starting; try again shortly` } };
      // Runs a real query as Steward's user: proves authentication and that it may list catalogs.
      const available = await step(() => showCatalogs(client));
      const missing = config.catalogs.filter((c) => !available.includes(c));
      if (missing.length > 0) {
        return {
          ok: false,
          problem: {
            code: "NOT_FOUND",
            message: `catalog${missing.length > 1 ? "s" : ""} not found: ${missing.join(", ")} (Trino has ${available.join(", ")})`,
          },
        };
      }
      const catalogs = config.catalogs.length > 0 ? config.catalogs : available.filter((c) => c !== SYSTEM_CATALOG);
      const warnings = catalogs.length === 0 ? ["Trino serves no catalog besides system: there is nothing to sync"] : [];
      return { ok: true, serverVersion: `Trino ${info.version}`, databases: catalogs, warnings };
    } catch (err) {
      if (err instanceof ConnectorError) return { ok: false, problem: err.problem };
      // Trino answered but refused the listing for another reason: the form can only show it.
      if (err instanceof TrinoQueryError)
        return { ok: false, problem: { code: "INVALID_CONFIG", message: `Trino refused SHOW CATALOGS: ${err.message}` } };
      throw err;
    }
  },

  async crawl(config, credentials, onProgress) {
    const invalid = configProblem(config, credentials);
    if (invalid) throw new ConnectorError(invalid);
    const client = clientFor(config, credentials);
    const objects: CrawledObject[] = [];
    for (const catalog of await catalogsToSync(client, config)) {
      const found = await crawlCatalog(client, catalog);
      objects.push(...found);
      onProgress?.({ seen: objects.length, total: objects.length });
    }
    return objects;
  },
};
