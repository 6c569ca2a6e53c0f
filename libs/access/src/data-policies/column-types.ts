import type { ColumnType } from "@steward/policy";

/**
 * The engine's column type class from a crawled native type name. The crawl reports SQL type names
 * (`information_schema` spelling on PostgreSQL and Redshift: `character varying`, `timestamp with
 * time zone`, …) and Trino's (`varchar(255)`, `decimal(10,2)`, `double`, `timestamp(3) with time zone`;
 * containers `array(…)`, `row(…)`, `map(…)` and `uuid`, `varbinary`, `json` are `other`). Unknown ones
 * are `other`, for which masks take their documented type fallback.
 */
export function columnTypeOf(dataType: string): ColumnType {
  const t = dataType
    .trim()
    .toLowerCase()
    .replace(/\(.*\)/, "")
    .replace(/\[\]$/, " array");
  if (t.endsWith(" array")) return "other";
  if (/^(text|character varying|varchar|character|char|bpchar|name|citext|string|nvarchar|nchar)$/.test(t)) return "text";
  if (/^(smallint|integer|int|int2|int4|int8|bigint|tinyint)$/.test(t)) return "integer";
  if (/^(numeric|decimal)$/.test(t)) return "decimal";
  if (/^(real|double precision|float|float4|float8|double)$/.test(t)) return "float";
  if (/^(boolean|bool)$/.test(t)) return "boolean";
  if (t === "date") return "date";
  if (/^(timestamp|timestamp without time zone)$/.test(t)) return "timestamp";
  if (/^(timestamptz|timestamp with time zone)$/.test(t)) return "timestamptz";
  return "other";
}
