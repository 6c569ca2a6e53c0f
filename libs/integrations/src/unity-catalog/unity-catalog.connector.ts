/**
 * Catalog sync through the UC REST API: catalogs → schemas → tables (with `table_type` and columns).
 * Connection problems are typed (ConnectorError) so the UI can say what to fix.
 */
import { type ConnectionProblem, type Connector, ConnectorError, type CrawledObject } from "../connector";
import { createUcClient, UcApiError, type UcClient } from "./client";
import { UcConfig, UcCredentials } from "./config";
import { POLICY_SCHEMA } from "./policy-dialect";
import { objectTypeOf } from "./privileges";

type CatalogInfo = { name: string; catalog_type?: string | null };
type SchemaInfo = { name: string };
type ColumnInfo = {
  name: string;
  type_text?: string | null;
  type_name?: string | null;
  position?: number | null;
  nullable?: boolean | null;
};
type TableInfo = { name: string; table_type?: string | null; columns?: ColumnInfo[] | null };

/** Schemas the platform keeps for itself (Databricks): never governed. */
const SYSTEM_SCHEMAS = new Set(["information_schema"]);

export function problemOf(err: unknown, url: string): ConnectionProblem {
  if (err instanceof ConnectorError) return err.problem;
  if (!(err instanceof UcApiError)) return { code: "UNREACHABLE", message: err instanceof Error ? err.message : String(err) };
  switch (err.code) {
    case "AUTH_FAILED":
      return { code: "AUTH_FAILED", message: `the token was refused by ${url}: ${err.message}` };
    case "PERMISSION_DENIED":
      return { code: "MISSING_PRIVILEGE", message: err.message, privilege: "USE CATALOG / BROWSE, and MANAGE on governed objects" };
    case "NOT_FOUND":
      return { code: "NOT_FOUND", message: `${err.message} (is ${url} a Unity Catalog server?)` };
    case "INVALID_INPUT":
    case "BAD_REQUEST":
      return { code: "INVALID_CONFIG", message: err.message };
    default:
      return { code: "UNREACHABLE", message: err.message };
  }
}

async function catalogsOf(client: UcClient, config: UcConfig): Promise<CatalogInfo[]> {
  const all = await client.list<CatalogInfo>("/catalogs", "catalogs");
  if (config.catalogs.length === 0) return all;
  const byName = new Map(all.map((c) => [c.name, c]));
  const missing = config.catalogs.filter((c) => !byName.has(c));
  if (missing.length)
    throw new ConnectorError({ code: "NOT_FOUND", message: `catalog(s) not found or not visible: ${missing.join(", ")}` });
  return config.catalogs.map((c) => byName.get(c)!);
}

export const unityCatalogConnector: Connector<UcConfig, UcCredentials> = {
  kind: "DATABRICKS_UC",
  configSchema: UcConfig,
  credentialsSchema: UcCredentials,
  displayName: (path) => path.join("."),

  async testConnection(config, credentials) {
    try {
      const client = createUcClient(config, credentials);
      const catalogs = await catalogsOf(client, config);
      const warnings = catalogs.length === 0 ? ["the token sees no catalog"] : [];
      return { ok: true, serverVersion: `Unity Catalog (${config.flavor})`, databases: catalogs.map((c) => c.name), warnings };
    } catch (err) {
      return { ok: false, problem: problemOf(err, config.url) };
    }
  },

  async crawl(config, credentials, onProgress) {
    const client = createUcClient(config, credentials);
    const out: CrawledObject[] = [];
    try {
      for (const catalog of await catalogsOf(client, config)) {
        const shared = (catalog.catalog_type ?? "").toUpperCase() === "DELTASHARING_CATALOG";
        const schemas = await client.list<SchemaInfo>("/schemas", "schemas", { catalog_name: catalog.name });
        for (const schema of schemas) {
          if (SYSTEM_SCHEMAS.has(schema.name)) continue;
          // Steward's own functions and profile table (data-policies.ts) are never governed objects.
          if (catalog.name.toLowerCase() === config.policyCatalog?.toLowerCase() && schema.name.toLowerCase() === POLICY_SCHEMA) continue;
          const tables = await client.list<TableInfo>("/tables", "tables", { catalog_name: catalog.name, schema_name: schema.name });
          for (const t of tables) {
            out.push({
              path: [catalog.name, schema.name, t.name],
              objectType: objectTypeOf(t.table_type, shared),
              columns: (t.columns ?? []).map((c, i) => ({
                name: c.name,
                dataType: (c.type_text ?? c.type_name ?? "").toLowerCase(),
                ordinal: (c.position ?? i) + 1,
                nullable: c.nullable ?? true,
              })),
            });
          }
          onProgress?.({ seen: out.length, total: out.length });
        }
      }
    } catch (err) {
      throw err instanceof ConnectorError ? err : new ConnectorError(problemOf(err, config.url));
    }
    return out;
  },
};
