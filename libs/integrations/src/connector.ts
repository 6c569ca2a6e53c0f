import type { z } from "zod";

/** Every platform kind; mirrors the PlatformKind enum of the metadata database (list: registry.ts). */
export type PlatformKind = "POSTGRES" | "LAKEBASE" | "REDSHIFT" | "TRINO" | "SNOWFLAKE" | "DATABRICKS_UC" | "BIGQUERY" | "SYNAPSE" | "S3";
/** Object types as platforms report them (normalised names; the raw platform code is kept too). */
export type ObjectType = "TABLE" | "PARTITIONED_TABLE" | "VIEW" | "MATERIALIZED_VIEW" | "FOREIGN_TABLE" | "EXTERNAL_TABLE" | "PREFIX";

export type CrawledColumn = { name: string; dataType: string; ordinal: number; nullable: boolean };

/** One object found in a platform's catalog. `path` is e.g. [database, schema, object] or [bucket, prefix]. */
export type CrawledObject = { path: string[]; objectType: ObjectType; columns: CrawledColumn[] };

export type CrawlProgress = { seen: number; total: number };

/** Why a connection test failed, so the UI can say what to fix. */
export type ConnectionProblem =
  | { code: "UNREACHABLE"; message: string }
  | { code: "AUTH_FAILED"; message: string }
  | { code: "NOT_FOUND"; message: string }
  | { code: "MISSING_PRIVILEGE"; message: string; privilege: string }
  | { code: "INVALID_CONFIG"; message: string };

export type ConnectionTestResult =
  | { ok: true; serverVersion: string; databases: string[]; warnings: string[] }
  | { ok: false; problem: ConnectionProblem };

export class ConnectorError extends Error {
  constructor(readonly problem: ConnectionProblem) {
    super(problem.message);
    this.name = "ConnectorError";
  }
}

/**
 * What Steward needs from a platform to keep its catalog current: an adapter's `catalog` port
 * (see adapter.ts for the other ports).
 */
export type Connector<Config = unknown, Credentials = unknown> = {
  kind: PlatformKind;
  configSchema: z.ZodType<Config>;
  credentialsSchema: z.ZodType<Credentials>;
  /** Where an object lives, for display: e.g. `db.schema.table`. */
  displayName(path: string[]): string;
  testConnection(config: Config, credentials: Credentials): Promise<ConnectionTestResult>;
  /**
   * Lists every object. Throws ConnectorError on a connection problem. `onProgress` is called as
   * objects arrive so a sync job can report live progress.
   */
  crawl(config: Config, credentials: Credentials, onProgress?: (p: CrawlProgress) => void): Promise<CrawledObject[]>;
};
