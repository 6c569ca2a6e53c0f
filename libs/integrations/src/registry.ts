import { assertNever } from "@steward/core";
import type { Connector, PlatformKind } from "./connector";
import { postgresConnector } from "./postgres/postgres.connector";

/**
 * The connector for a platform kind, or null where Steward cannot reach that platform yet. Exhaustive:
 * a new kind fails to compile until it is handled here.
 */
export function connectorFor(kind: PlatformKind): Connector | null {
  switch (kind) {
    case "POSTGRES":
    case "LAKEBASE": // Lakebase speaks the PostgreSQL protocol and catalogs
      return postgresConnector as Connector;
    case "REDSHIFT":
    case "TRINO":
    case "SNOWFLAKE":
    case "DATABRICKS_UC":
    case "BIGQUERY":
    case "SYNAPSE":
    case "S3":
      return null;
    default:
      return assertNever(kind, "platform kind");
  }
}
