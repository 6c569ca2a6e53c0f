/** Connection test and catalog crawl: one information_schema read of tables and one of columns per database. */
import type { ConnectionTestResult, Connector, CrawledObject, ObjectType } from "../connector";
import { ConnectorError } from "../connector";
import { quoteSnowflakeIdent } from "../sql/quote";
import { type SfQuery, type SfRow, snowflakeProblem, withSnowflake } from "./client";
import { SnowflakeConfig, SnowflakeCredentials } from "./config";
import { type ObjectKind, objectKind } from "./objects";
import { POLICY_SCHEMA } from "./policy-dialect";

// The neutral catalog has no dynamic / Iceberg / event kinds; the access planner reads the exact
// kind from the platform itself, so this mapping only labels objects in Steward's catalog.
const NEUTRAL: Record<ObjectKind, ObjectType> = {
  TABLE: "TABLE",
  VIEW: "VIEW",
  "MATERIALIZED VIEW": "MATERIALIZED_VIEW",
  "EXTERNAL TABLE": "EXTERNAL_TABLE",
  "EVENT TABLE": "TABLE",
  "DYNAMIC TABLE": "MATERIALIZED_VIEW",
  "ICEBERG TABLE": "TABLE",
};

const str = (r: SfRow, k: string) => (r[k] === null || r[k] === undefined ? "" : String(r[k]));

/**
 * The column's exact type from INFORMATION_SCHEMA.COLUMNS, whose DATA_TYPE has no precision
 * (`NUMBER`, `TEXT`): fixed-point numbers become `NUMBER(p,s)` (a masking policy's RETURNS must be
 * the column's type; a bare NUMBER is NUMBER(38,0)), text becomes `TEXT(n)` (Snowflake's spelling
 * of VARCHAR(n)).
 */
export function exactType(dataType: string, precision: string, scale: string, length: string): string {
  const digits = (v: string) => /^\d{1,9}$/.test(v);
  if (dataType === "NUMBER" && digits(precision)) return `NUMBER(${precision},${digits(scale) ? scale : "0"})`;
  if (dataType === "TEXT" && digits(length)) return `TEXT(${length})`;
  return dataType;
}

async function crawlDatabase(q: SfQuery, db: string, exclude: ReadonlySet<string>): Promise<CrawledObject[]> {
  const from = (view: string) => `${quoteSnowflakeIdent(db)}.INFORMATION_SCHEMA.${view}`;
  const objects = new Map<string, CrawledObject>();
  for (const r of await q(
    `SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, IS_ICEBERG, IS_DYNAMIC FROM ${from("TABLES")} WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA'`,
  )) {
    const schema = str(r, "TABLE_SCHEMA");
    const kind = objectKind(str(r, "TABLE_TYPE"), str(r, "IS_ICEBERG"), str(r, "IS_DYNAMIC"));
    // STEWARD_SYSTEM (profile, salt) is Steward's own, never a governed source, even when the
    // policy database is also a crawled one.
    if (!kind || exclude.has(schema) || schema === "INFORMATION_SCHEMA" || schema === POLICY_SCHEMA) continue;
    objects.set(`${schema}\0${str(r, "TABLE_NAME")}`, { path: [db, schema, str(r, "TABLE_NAME")], objectType: NEUTRAL[kind], columns: [] });
  }
  for (const r of await q(
    `SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, NUMERIC_PRECISION, NUMERIC_SCALE, CHARACTER_MAXIMUM_LENGTH, ORDINAL_POSITION, IS_NULLABLE FROM ${from("COLUMNS")} WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA' ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`,
  )) {
    const o = objects.get(`${str(r, "TABLE_SCHEMA")}\0${str(r, "TABLE_NAME")}`);
    if (o)
      o.columns.push({
        name: str(r, "COLUMN_NAME"),
        dataType: exactType(str(r, "DATA_TYPE"), str(r, "NUMERIC_PRECISION"), str(r, "NUMERIC_SCALE"), str(r, "CHARACTER_MAXIMUM_LENGTH")),
        ordinal: Number(r.ORDINAL_POSITION),
        nullable: str(r, "IS_NULLABLE") === "YES",
      });
  }
  return [...objects.values()];
}

export const snowflakeConnector: Connector<SnowflakeConfig, SnowflakeCredentials> = {
  kind: "SNOWFLAKE",
  configSchema: SnowflakeConfig,
  credentialsSchema: SnowflakeCredentials,
  displayName: (path) => path.join("."),

  async testConnection(config, credentials): Promise<ConnectionTestResult> {
    try {
      return await withSnowflake(config, credentials, async (q) => {
        const [v] = await q("SELECT CURRENT_VERSION() AS VERSION");
        const warnings: string[] = [];
        for (const db of config.databases) {
          try {
            await q(
              `SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, IS_ICEBERG, IS_DYNAMIC FROM ${quoteSnowflakeIdent(db)}.INFORMATION_SCHEMA.TABLES WHERE 1 = 0`,
            );
          } catch (err) {
            const problem = snowflakeProblem(err, config);
            throw new ConnectorError({ ...problem, message: `database ${JSON.stringify(db)}: ${problem.message}` });
          }
        }
        return { ok: true as const, serverVersion: `Snowflake ${str(v ?? {}, "VERSION")}`, databases: [...config.databases], warnings };
      });
    } catch (err) {
      if (err instanceof ConnectorError) return { ok: false, problem: err.problem };
      return { ok: false, problem: snowflakeProblem(err, config) };
    }
  },

  async crawl(config, credentials, onProgress) {
    const exclude = new Set(config.excludeSchemas);
    return withSnowflake(config, credentials, async (q) => {
      const all: CrawledObject[] = [];
      for (const db of config.databases) {
        all.push(...(await crawlDatabase(q, db, exclude)));
        onProgress?.({ seen: all.length, total: all.length });
      }
      return all;
    });
  },
};
