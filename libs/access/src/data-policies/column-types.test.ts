import type { ColumnType } from "@steward/policy";
import { describe, expect, it } from "vitest";
import { columnTypeOf } from "./column-types";

describe("columnTypeOf", () => {
  it.each<[string, ColumnType]>([
    // PostgreSQL / Redshift (information_schema spelling)
    ["character varying", "text"],
    ["text", "text"],
    ["numeric", "decimal"],
    ["double precision", "float"],
    ["timestamp without time zone", "timestamp"],
    ["timestamp with time zone", "timestamptz"],
    ["integer[]", "other"],
    // Trino's spelling (what its catalog and OPA requests report)
    ["varchar", "text"],
    ["varchar(255)", "text"],
    ["char(3)", "text"],
    ["decimal(10,2)", "decimal"],
    ["decimal(38, 0)", "decimal"],
    ["double", "float"],
    ["real", "float"],
    ["tinyint", "integer"],
    ["smallint", "integer"],
    ["bigint", "integer"],
    ["boolean", "boolean"],
    ["date", "date"],
    ["timestamp(3)", "timestamp"],
    ["timestamp(6)", "timestamp"],
    ["timestamp(3) with time zone", "timestamptz"],
    ["timestamp(6) with time zone", "timestamptz"],
    ["TIMESTAMP(6) WITH TIME ZONE", "timestamptz"],
    ["array(varchar)", "other"],
    ["array(timestamp(3) with time zone)", "other"],
    ["row(a integer, b varchar(3))", "other"],
    ['row("x y" decimal(10,2))', "other"],
    ["map(varchar, bigint)", "other"],
    ["uuid", "other"],
    ["varbinary", "other"],
    ["json", "other"],
    ["time(3)", "other"],
    ["time(3) with time zone", "other"],
    ["ipaddress", "other"],
    // Snowflake (the crawl adds precision / scale / length to INFORMATION_SCHEMA's DATA_TYPE)
    ["NUMBER(38,0)", "integer"],
    ["NUMBER(10,2)", "decimal"],
    ["NUMBER", "decimal"],
    ["TEXT(16777216)", "text"],
    ["FLOAT", "float"],
    ["TIMESTAMP_NTZ", "timestamp"],
    ["TIMESTAMP_TZ", "timestamptz"],
    ["TIMESTAMP_LTZ", "timestamptz"],
  ])("%s → %s", (dataType, expected) => {
    expect(columnTypeOf(dataType)).toBe(expected);
  });
});
