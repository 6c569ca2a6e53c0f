/**
 * Connection test and catalog crawl. Which query runs where:
 * - CONNECTION_INFO_SQL and CRAWL_SQL read only `pg_catalog` and functions Redshift's leader node
 *   shares with PostgreSQL, so integration tests run them on the local PostgreSQL;
 * - late-binding views keep no `pg_attribute` rows on Redshift, so their columns come from
 *   `pg_get_late_binding_view_cols()` (catalog-reads.ts, Redshift only, golden-tested as text).
 * `svv_tables` / `svv_columns` would answer both in one query but only on Redshift and only for
 * objects the user holds privileges on; pg_catalog sees every object and runs in tests for real.
 * Redshift has no json_agg on the leader node, so columns come back one row each and group here.
 */
import { type ConnectionTestResult, type Connector, ConnectorError, type CrawledObject, type ObjectType } from "../connector";
import { type LateBindingColumn, type PlatformReads, REDSHIFT_READS } from "./catalog-reads";
import { withRedshift } from "./client";
import { RedshiftConfig, RedshiftCredentials, SYSTEM_SCHEMA } from "./config";
import { rsLiteral } from "./sql";

const RELKIND: Record<string, ObjectType> = { r: "TABLE", v: "VIEW", m: "MATERIALIZED_VIEW" };

// Schemas of Redshift itself; Steward's own are added per connection.
const SYSTEM_SCHEMAS = ["pg_catalog", "information_schema", "pg_internal", "pg_automv", "catalog_history"];

export const CONNECTION_INFO_SQL = `SELECT version() AS version,
       (SELECT usesuper FROM pg_catalog.pg_user WHERE usename = current_user) AS superuser,
       has_database_privilege(current_database(), 'CREATE') AS can_create`;

/** LIKE with `!` as the escape character: a backslash would need doubling in Redshift literals. */
export function crawlSql(excluded: readonly string[]): string {
  return `SELECT n.nspname AS schema_name, c.relname AS object_name, c.relkind AS kind,
       a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS data_type, a.attnum AS ordinal, a.attnotnull AS not_null
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'v', 'm')
  AND n.nspname NOT IN (${excluded.map(rsLiteral).join(", ")})
  AND n.nspname NOT LIKE 'pg!_toast%' ESCAPE '!' AND n.nspname NOT LIKE 'pg!_temp!_%' ESCAPE '!'
ORDER BY n.nspname, c.relname, a.attnum`;
}

type CrawlRow = {
  schema_name: string;
  object_name: string;
  kind: string;
  column_name: string | null;
  data_type: string | null;
  ordinal: number | null;
  not_null: boolean | null;
};

export const excludedSchemas = (config: RedshiftConfig) => [...SYSTEM_SCHEMAS, SYSTEM_SCHEMA, config.viewSchema, ...config.excludeSchemas];

export function redshiftConnector(reads: PlatformReads = REDSHIFT_READS): Connector<RedshiftConfig, RedshiftCredentials> {
  return {
    kind: "REDSHIFT",
    configSchema: RedshiftConfig,
    credentialsSchema: RedshiftCredentials,
    displayName: (path) => path.join("."),

    async testConnection(config, credentials): Promise<ConnectionTestResult> {
      try {
        let serverVersion = "";
        const warnings = new Set<string>();
        for (const database of config.databases) {
          await withRedshift(config, credentials, database, "steward-test", async (q) => {
            const [info] = await q<{ version: string; superuser: boolean | null; can_create: boolean }>(CONNECTION_INFO_SQL);
            serverVersion = info?.version ?? "";
            if (!/redshift/i.test(serverVersion))
              warnings.add(
                `The server does not identify itself as Redshift (${serverVersion.slice(0, 60)}); Redshift-only catalog reads will fail`,
              );
            if (!info?.can_create)
              warnings.add(
                `User "${config.user}" lacks CREATE on database "${database}": sync works, but Steward cannot create its schemas`,
              );
            if (!info?.superuser)
              warnings.add(
                `User "${config.user}" is not a superuser: it must hold SELECT on every governed table (the policy views run with their owner's rights), and grants made outside Steward are only reported if it has SYSLOG ACCESS UNRESTRICTED`,
              );
            // Sync reads these; a revoked catalog shows up here rather than in the first sync.
            await q("SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace LIMIT 1");
            await q("SELECT 1 FROM pg_catalog.pg_attribute LIMIT 1");
          });
        }
        return { ok: true, serverVersion, databases: config.databases, warnings: [...warnings] };
      } catch (err) {
        if (err instanceof ConnectorError) return { ok: false, problem: err.problem };
        throw err;
      }
    },

    async crawl(config, credentials, onProgress) {
      const objects: CrawledObject[] = [];
      for (const database of config.databases) {
        const { rows, lateBinding } = await withRedshift(config, credentials, database, "steward-sync", async (q) => ({
          rows: await q<CrawlRow>(crawlSql(excludedSchemas(config))),
          lateBinding: await reads.lateBindingColumns(q),
        }));
        const byKey = new Map<string, CrawledObject>();
        for (const r of rows) {
          const key = `${r.schema_name}\u0000${r.object_name}`;
          let o = byKey.get(key);
          if (!o) {
            o = { path: [database, r.schema_name, r.object_name], objectType: RELKIND[r.kind] ?? "TABLE", columns: [] };
            byKey.set(key, o);
          }
          if (r.column_name !== null)
            o.columns.push({ name: r.column_name, dataType: r.data_type ?? "unknown", ordinal: Number(r.ordinal), nullable: !r.not_null });
        }
        const lateByKey = new Map<string, LateBindingColumn[]>();
        for (const c of lateBinding) {
          const key = `${c.schema}\u0000${c.view}`;
          lateByKey.set(key, [...(lateByKey.get(key) ?? []), c]);
        }
        for (const [key, cols] of lateByKey) {
          const o = byKey.get(key);
          // Only views pg_attribute knows nothing about: a bound view's own columns stay authoritative.
          if (o && o.columns.length === 0)
            o.columns = cols
              .sort((a, b) => a.ordinal - b.ordinal)
              .map((c) => ({ name: c.name, dataType: c.dataType, ordinal: c.ordinal, nullable: true }));
        }
        objects.push(...byKey.values());
        onProgress?.({ seen: objects.length, total: objects.length });
      }
      return objects;
    },
  };
}
