import type { PlatformKind } from "@/gql/graphql";

export type KindInfo = { label: string; supported: boolean; defaultPort?: number };

/** Every platform the API knows; only the supported ones can be created today. */
export const PLATFORM_KINDS: Record<PlatformKind, KindInfo> = {
  POSTGRES: { label: "PostgreSQL", supported: true, defaultPort: 5432 },
  LAKEBASE: { label: "Databricks Lakebase", supported: true, defaultPort: 5432 },
  SNOWFLAKE: { label: "Snowflake", supported: false },
  DATABRICKS_UC: { label: "Databricks Unity Catalog", supported: false },
  BIGQUERY: { label: "BigQuery", supported: false },
  REDSHIFT: { label: "Amazon Redshift", supported: false },
  TRINO: { label: "Trino", supported: false },
  SYNAPSE: { label: "Azure Synapse", supported: false },
  S3: { label: "Amazon S3", supported: false },
};

export const KIND_ORDER = Object.keys(PLATFORM_KINDS) as PlatformKind[];

export type SslMode = "disable" | "require" | "verify-full";

/** The wizard's and the edit dialog's form values (PostgreSQL-compatible platforms). */
export type ConnectionFormValues = {
  name: string;
  description?: string;
  host: string;
  port: number;
  user: string;
  password?: string;
  databases: string[];
  sslMode: SslMode;
  excludeSchemas?: string[];
  syncIntervalMinutes?: number | null;
  autoRegister: boolean;
  dataOwnerIds?: string[];
};

export const CONNECTION_FORM_FIELDS = [
  "name",
  "description",
  "host",
  "port",
  "user",
  "password",
  "databases",
  "sslMode",
  "excludeSchemas",
  "syncIntervalMinutes",
  "autoRegister",
  "dataOwnerIds",
] as const;

export function toConfig(v: ConnectionFormValues) {
  return {
    host: v.host.trim(),
    port: v.port,
    user: v.user.trim(),
    databases: v.databases,
    sslMode: v.sslMode,
    excludeSchemas: v.excludeSchemas ?? [],
  };
}

type StoredConfig = { host?: unknown; port?: unknown; user?: unknown; databases?: unknown; sslMode?: unknown; excludeSchemas?: unknown };

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === "string") : [];
}

/** Reads a stored config back into form values (the API returns it as opaque JSON). */
export function fromConfig(
  config: unknown,
): Pick<ConnectionFormValues, "host" | "port" | "user" | "databases" | "sslMode" | "excludeSchemas"> {
  const c = (typeof config === "object" && config !== null ? config : {}) as StoredConfig;
  const ssl = c.sslMode === "require" || c.sslMode === "verify-full" ? c.sslMode : "disable";
  return {
    host: typeof c.host === "string" ? c.host : "",
    port: typeof c.port === "number" ? c.port : 5432,
    user: typeof c.user === "string" ? c.user : "",
    databases: strings(c.databases),
    sslMode: ssl,
    excludeSchemas: strings(c.excludeSchemas),
  };
}

/**
 * Field issues from config validation come back as `config.host`, `config.databases.0`…; the form
 * names those fields without the `config.` prefix.
 */
export function withoutConfigPrefix<T extends { path: string }>(issues: readonly T[]): T[] {
  return issues.map((i) => ({ ...i, path: i.path.replace(/^(input\.)?(config|credentials)\./, "") }));
}

export const SIGNATURE_FORMAT = 'Steward-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">';
