/**
 * Databricks Lakebase: PostgreSQL's protocol and catalogs (so the PostgreSQL connector, grant
 * reconciler and previews do the work), signed in as a Databricks service principal whose OAuth M2M
 * token is the password. The only Lakebase-specific parts: the form, the config, and the one password
 * provider every session of the connection gets its token from.
 */
import type { ConnectionField } from "../adapter";
import { invalidStoredConfig, type TargetResolver } from "../postgres/access";
import { pgFamilyAdapter } from "../postgres/adapter";
import { type PgEndpoint, pgFamilyConnector } from "../postgres/postgres.connector";
import { LakebaseConfig, LakebaseCredentials } from "./config";
import { lakebaseTokenProvider } from "./token-provider";

/** The connection form; names match LakebaseConfig / LakebaseCredentials. */
const CONNECTION_FIELDS: readonly ConnectionField[] = [
  {
    name: "workspaceUrl",
    label: "Workspace URL",
    type: "string",
    required: true,
    placeholder: "https://dbc-a1b2c3d4-e5f6.cloud.databricks.com",
    help: "The Databricks workspace that owns the database instance; Steward gets OAuth tokens from it.",
  },
  {
    name: "host",
    label: "Instance host",
    type: "string",
    required: true,
    placeholder: "instance-1234.database.cloud.databricks.com",
    help: "The database instance's PostgreSQL host name.",
  },
  { name: "port", label: "Port", type: "int", required: true, default: 5432, min: 1, max: 65535 },
  {
    name: "clientId",
    label: "Service principal client id",
    type: "string",
    required: true,
    placeholder: "00000000-0000-0000-0000-000000000000",
    help: "The service principal's application id; Steward connects as its PostgreSQL role, which needs databricks_superuser and CREATEROLE.",
  },
  {
    name: "clientSecret",
    label: "OAuth secret",
    type: "secret",
    required: true,
    help: "The service principal's OAuth secret. Stored encrypted, never shown again; the tokens made from it are kept in memory only.",
  },
  {
    name: "databases",
    label: "Databases",
    type: "string-list",
    required: true,
    placeholder: "databricks_postgres",
    help: "Type a database name and press Enter.",
  },
  { name: "sslMode", label: "SSL mode", type: "enum", required: false, default: "require", options: ["require", "verify-full", "disable"] },
  {
    name: "excludeSchemas",
    label: "Excluded schemas",
    type: "string-list",
    required: false,
    default: [],
    placeholder: "none",
    help: "System schemas are always skipped.",
  },
];

/** Signs in as the service principal's role, with a token from the workspace as the password. */
function endpoint(config: LakebaseConfig, credentials: LakebaseCredentials): PgEndpoint {
  return {
    host: config.host,
    port: config.port,
    user: config.clientId,
    sslMode: config.sslMode,
    password: lakebaseTokenProvider({
      workspaceUrl: config.workspaceUrl,
      clientId: config.clientId,
      clientSecret: credentials.clientSecret,
    }),
    databases: config.databases,
    excludeSchemas: config.excludeSchemas,
  };
}

export const lakebaseConnector = pgFamilyConnector({
  kind: "LAKEBASE",
  configSchema: LakebaseConfig,
  credentialsSchema: LakebaseCredentials,
  endpoint,
});

const lakebaseTarget: TargetResolver = (connection) => {
  const config = LakebaseConfig.safeParse(connection.config);
  const credentials = LakebaseCredentials.safeParse(connection.credentials ?? {});
  if (!config.success || !credentials.success) return invalidStoredConfig();
  const { databases, excludeSchemas: _, ...target } = endpoint(config.data, credentials.data);
  return { target, databases };
};

export const lakebaseAdapter = pgFamilyAdapter({
  label: "Databricks Lakebase",
  connectionFields: CONNECTION_FIELDS,
  catalog: lakebaseConnector as Parameters<typeof pgFamilyAdapter>[0]["catalog"],
  resolve: lakebaseTarget,
  reconcilingUser: (config) => {
    const clientId = (config as { clientId?: unknown } | null)?.clientId;
    return typeof clientId === "string" ? clientId : undefined;
  },
});
