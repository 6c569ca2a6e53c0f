/**
 * Test-only: the reads the emulated warehouse answers. `SELECT items FROM source [WHERE col = 'text']`
 * where an item is a column, `to_json(col)`, `count(*)` or `count_if(col = :param)` (with `AS alias`),
 * and the source is a table Steward wrote or one of `<catalog>.information_schema.{tables, routines,
 * column_masks, row_filters}`, computed from the model with the columns the Databricks SQL reference
 * lists (only those Steward reads, plus a few more). Array cells come back as JSON text, as JSON_ARRAY
 * results carry complex values.
 */
import { type Cursor, DbxSqlError, syntax } from "./dbx-cursor";
import type { Cell, DbxModel, DbxResult } from "./dbx-model";

type Row = Record<string, Cell>;
type Item = { kind: "column" | "json" | "count" | "countIf"; column: string; param: string | null; as: string };

const cellText = (v: Cell | undefined): string | null => (v === null || v === undefined ? null : Array.isArray(v) ? JSON.stringify(v) : v);
const routineType = (t: string) => t.replace(/[<(].*$/, "");

function informationSchema(m: DbxModel, catalog: string, view: string): Row[] {
  const inCatalog = (parts: readonly string[]) => parts[0] === catalog;
  const [cat, sch, tbl] = ["catalog_name", "schema_name", "table_name"];
  switch (view) {
    case "tables":
      return [...m.tables.values()]
        .filter((t) => inCatalog(t.parts))
        .map((t) => ({ table_catalog: t.parts[0]!, table_schema: t.parts[1]!, table_name: t.parts[2]!, table_type: t.kind }));
    case "routines":
      return [...m.functions.values()]
        .filter((f) => inCatalog(f.parts))
        .map((f) => ({
          routine_catalog: f.parts[0]!,
          routine_schema: f.parts[1]!,
          routine_name: f.parts[2]!,
          routine_type: "FUNCTION",
          data_type: routineType(f.returns),
          full_data_type: f.returns,
          comment: f.comment || null,
        }));
    case "column_masks":
      return [...m.masks.entries()]
        .map(([slot, b]) => [JSON.parse(slot) as string[], b] as const)
        .filter(([slot]) => inCatalog(slot))
        .map(([[c, s, t, col], b]) => ({
          [cat!]: c!,
          [sch!]: s!,
          [tbl!]: t!,
          column_name: m.table([c!, s!, t!])?.columns.find((x) => x.name.toLowerCase() === col)?.name ?? col!,
          mask_catalog: b.fn[0]!,
          mask_schema: b.fn[1]!,
          mask_name: b.fn[2]!,
          mask_col_usage: b.args.length ? b.args.join(",") : null,
        }));
    case "row_filters":
      return [...m.filters.entries()]
        .map(([slot, b]) => [JSON.parse(slot) as string[], b] as const)
        .filter(([slot]) => inCatalog(slot))
        .map(([[c, s, t], b]) => ({
          [cat!]: c!,
          [sch!]: s!,
          [tbl!]: t!,
          filter_catalog: b.fn[0]!,
          filter_schema: b.fn[1]!,
          filter_name: b.fn[2]!,
          filter_col_usage: b.args.join(","),
        }));
    default:
      throw new DbxSqlError("TABLE_OR_VIEW_NOT_FOUND", `The table or view ${catalog}.information_schema.${view} cannot be found.`, "42P01");
  }
}

function item(c: Cursor): Item {
  let it: Item;
  if (c.keyword("COUNT")) {
    c.expectSym("(");
    c.expectSym("*");
    c.expectSym(")");
    it = { kind: "count", column: "", param: null, as: "count(1)" };
  } else if (c.keyword("COUNT_IF")) {
    c.expectSym("(");
    const column = c.name();
    c.expectSym("=");
    const param = c.param();
    c.expectSym(")");
    it = { kind: "countIf", column, param, as: `count_if(${column})` };
  } else if (c.keyword("TO_JSON")) {
    c.expectSym("(");
    const column = c.name();
    c.expectSym(")");
    it = { kind: "json", column, param: null, as: `to_json(${column})` };
  } else {
    const column = c.name();
    it = { kind: "column", column, param: null, as: column };
  }
  if (c.keyword("AS")) it.as = c.name();
  return it;
}

export function selectFrom(m: DbxModel, c: Cursor): DbxResult {
  const items: Item[] = [];
  do items.push(item(c));
  while (c.sym(","));
  c.expect("FROM");
  const parts = c.qualified();
  if (parts.length !== 3) throw syntax("expected catalog.schema.table");
  let rows: Row[];
  let columns: string[];
  if (parts[1]!.toLowerCase() === "information_schema") {
    const catalog = parts[0]!.toLowerCase();
    if (!m.catalogs.has(catalog)) throw new DbxSqlError("NO_SUCH_CATALOG_EXCEPTION", `Catalog '${catalog}' was not found.`, "42704");
    rows = informationSchema(m, catalog, parts[2]!.toLowerCase());
    columns = rows[0] ? Object.keys(rows[0]) : [];
  } else {
    const t = m.table(parts);
    if (!t) throw new DbxSqlError("TABLE_OR_VIEW_NOT_FOUND", `The table or view ${parts.join(".")} cannot be found.`, "42P01");
    rows = t.rows;
    columns = t.columns.map((x) => x.name);
  }
  if (c.keyword("WHERE")) {
    const column = c.name();
    c.expectSym("=");
    const value = c.string();
    rows = rows.filter((r) => r[column] === value);
  }
  c.end();
  const known = (name: string) => {
    // information_schema views with no rows still have their columns; Steward only names real ones.
    if (columns.length && !columns.includes(name))
      throw new DbxSqlError("UNRESOLVED_COLUMN", `A column with name \`${name}\` cannot be resolved.`, "42703");
    return name;
  };
  for (const i of items) if (i.kind !== "count") known(i.column);
  if (items.some((i) => i.kind === "count" || i.kind === "countIf")) {
    return {
      columns: items.map((i) => i.as),
      rows: [
        items.map((i) => {
          if (i.kind === "count") return String(rows.length);
          if (i.kind === "countIf") return String(rows.filter((r) => r[i.column] === i.param).length);
          throw syntax("a column next to an aggregate needs GROUP BY");
        }),
      ],
    };
  }
  return { columns: items.map((i) => i.as), rows: rows.map((r) => items.map((i) => cellText(r[i.column]))) };
}
