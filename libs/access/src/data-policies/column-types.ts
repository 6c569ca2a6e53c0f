import type { ColumnType } from "@steward/policy";

/**
 * The engine's column type class from a crawled native type name. The crawl reports SQL type names
 * (`information_schema` spelling on PostgreSQL and Redshift: `character varying`, `timestamp with
 * time zone`, …) and Trino's (`varchar(255)`, `decimal(10,2)`, `double`, `timestamp(3) with time zone`;
 * containers `array(…)`, `row(…)`, `map(…)` and `uuid`, `varbinary`, `json` are `other`) and Snowflake's
 * (`NUMBER(10,2)`, `TEXT(40)`, `TIMESTAMP_NTZ` / `_TZ` / `_LTZ`). Unknown ones
 * are `other`, for which masks take their documented type fallback.
 */
export function columnTypeOf(dataType: string): ColumnType {
  // Snowflake (its crawl keeps precision and scale): NUMBER(p,0) holds integers, any other scale decimals.
  const sf = /^\s*(number|fixed)\s*(?:\(\s*\d+\s*(?:,\s*(\d+)\s*)?\))?\s*$/i.exec(dataType);
  if (sf) return sf[2] === undefined || Number(sf[2]) > 0 ? "decimal" : "integer";
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
  if (/^(timestamp|timestamp without time zone|timestamp_ntz|datetime)$/.test(t)) return "timestamp";
  if (/^(timestamptz|timestamp with time zone|timestamp_tz|timestamp_ltz)$/.test(t)) return "timestamptz";
  return "other";
}
