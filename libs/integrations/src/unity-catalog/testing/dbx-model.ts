/**
 * Test-only: a small model of a Databricks SQL warehouse over Unity Catalog, enough for the statements
 * Steward sends for row filters and column masks. NOT Databricks: written from the Databricks SQL
 * reference (CREATE FUNCTION, ALTER TABLE … SET MASK / SET ROW FILTER, MERGE, information_schema), and
 * every statement is parsed with Databricks' lexical rules (databricks-lexer.ts), so a quoting mistake
 * fails here. It refuses what a warehouse refuses: a function body naming a missing table or an unknown
 * parameter, a mask whose signature or return type differs from its column's type, a row filter not
 * returning BOOLEAN or with the wrong argument count, dropping a function still attached, a view. A
 * table holds one row filter and a column one mask (SET replaces: one slot, never a second).
 */
import { Cursor, DbxSqlError, sameType, syntax } from "./dbx-cursor";
import { selectFrom } from "./dbx-select";

export type Cell = string | string[] | null;
export type DbxColumn = { name: string; type: string; notNull?: boolean };
export type DbxTable = { parts: string[]; kind: "MANAGED" | "EXTERNAL" | "VIEW"; columns: DbxColumn[]; rows: Record<string, Cell>[] };
export type DbxFunction = { parts: string[]; params: DbxColumn[]; returns: string; comment: string; sql: string };
export type Binding = { fn: string[]; args: string[] };
export type DbxResult = { columns: string[]; rows: (string | null)[][] };

export const keyOf = (parts: readonly string[]) => JSON.stringify(parts.map((p) => p.toLowerCase()));
const render = (parts: readonly string[]) => parts.join(".");
const notFound = (what: string, parts: readonly string[]) =>
  new DbxSqlError(`${what}_NOT_FOUND`, `The ${what.toLowerCase().replaceAll("_", " ")} ${render(parts)} cannot be found.`, "42P01");
const refuse = (cls: string, message: string) => new DbxSqlError(cls, message, "42000");
const done = (n?: number): DbxResult =>
  n === undefined ? { columns: [], rows: [] } : { columns: ["num_affected_rows"], rows: [[String(n)]] };

export class DbxModel {
  readonly catalogs = new Set<string>();
  readonly schemas = new Map<string, { parts: string[]; comment: string }>();
  readonly tables = new Map<string, DbxTable>();
  readonly functions = new Map<string, DbxFunction>();
  /** keyOf([catalog, schema, table, column]) → the mask function and its extra USING columns. */
  readonly masks = new Map<string, Binding>();
  /** keyOf([catalog, schema, table]) → the row filter function and its ON columns. */
  readonly filters = new Map<string, Binding>();
  /** Every statement received, in order, with its bound parameters. */
  readonly statements: { sql: string; params: Record<string, string | null> }[] = [];
  /** Makes the next matching statement fail (tests of a failure mid-batch). */
  refuse: ((sql: string) => DbxSqlError | null) | null = null;

  addCatalog(name: string): void {
    this.catalogs.add(name.toLowerCase());
  }
  addTable(parts: string[], columns: DbxColumn[], kind: DbxTable["kind"] = "MANAGED"): void {
    const lower = parts.map((p) => p.toLowerCase());
    this.catalogs.add(lower[0]!);
    this.schemas.set(keyOf(lower.slice(0, 2)), { parts: lower.slice(0, 2), comment: "" });
    this.tables.set(keyOf(lower), { parts: lower, kind, columns: columns.map((c) => ({ ...c, type: c.type.toUpperCase() })), rows: [] });
  }
  table(parts: readonly string[]): DbxTable | undefined {
    return this.tables.get(keyOf(parts));
  }
  /** The mask / row filter function's name on a column / table (tests). */
  maskOf(table: readonly string[], column: string): string | null {
    return this.masks.get(keyOf([...table, column]))?.fn.at(-1) ?? null;
  }
  rowFilterOf(table: readonly string[]): string | null {
    return this.filters.get(keyOf(table))?.fn.at(-1) ?? null;
  }

  execute(sql: string, params: Record<string, string | null> = {}): DbxResult {
    this.statements.push({ sql, params });
    const refused = this.refuse?.(sql);
    if (refused) throw refused;
    const c = Cursor.of(sql, params);
    if (c.keyword("CREATE", "SCHEMA")) return this.createSchema(c);
    if (c.keyword("CREATE", "TABLE")) return this.createTable(c);
    if (c.keyword("CREATE", "OR", "REPLACE", "FUNCTION")) return this.createFunction(c, sql);
    if (c.keyword("DROP", "FUNCTION")) return this.dropFunction(c);
    if (c.keyword("ALTER", "TABLE")) return this.alterTable(c);
    if (c.keyword("MERGE", "INTO")) return this.merge(c);
    if (c.keyword("DELETE", "FROM")) return this.delete(c);
    if (c.keyword("INSERT", "OVERWRITE")) return this.insertOverwrite(c);
    if (c.keyword("SELECT")) return selectFrom(this, c);
    throw syntax(`the emulator does not know ${JSON.stringify(sql.slice(0, 40))}`);
  }

  private comment(c: Cursor): string {
    return c.keyword("COMMENT") ? c.string() : "";
  }

  private schemaOf(parts: readonly string[]): void {
    if (!this.catalogs.has(parts[0]!.toLowerCase())) throw notFound("CATALOG", parts.slice(0, 1));
    if (!this.schemas.has(keyOf(parts.slice(0, 2)))) throw notFound("SCHEMA", parts.slice(0, 2));
  }

  private createSchema(c: Cursor): DbxResult {
    const ifNotExists = c.keyword("IF", "NOT", "EXISTS");
    const parts = c.qualified().map((p) => p.toLowerCase());
    const comment = this.comment(c);
    c.end();
    if (parts.length !== 2) throw syntax("expected catalog.schema");
    if (!this.catalogs.has(parts[0]!)) throw notFound("CATALOG", parts.slice(0, 1));
    if (this.schemas.has(keyOf(parts))) {
      if (!ifNotExists) throw refuse("SCHEMA_ALREADY_EXISTS", `Schema ${render(parts)} already exists.`);
    } else this.schemas.set(keyOf(parts), { parts, comment });
    return done();
  }

  private createTable(c: Cursor): DbxResult {
    const ifNotExists = c.keyword("IF", "NOT", "EXISTS");
    const parts = c.qualified().map((p) => p.toLowerCase());
    if (parts.length !== 3) throw syntax("expected catalog.schema.table");
    this.schemaOf(parts);
    c.expectSym("(");
    const columns: DbxColumn[] = [];
    do {
      const name = c.name();
      const type = c.type();
      columns.push({ name, type, notNull: c.keyword("NOT", "NULL") });
    } while (c.sym(","));
    c.expectSym(")");
    this.comment(c);
    c.end();
    if (this.tables.has(keyOf(parts))) {
      if (!ifNotExists) throw refuse("TABLE_OR_VIEW_ALREADY_EXISTS", `Table ${render(parts)} already exists.`);
      return done();
    }
    this.tables.set(keyOf(parts), { parts, kind: "MANAGED", columns, rows: [] });
    return done();
  }

  private createFunction(c: Cursor, sql: string): DbxResult {
    const parts = c.qualified().map((p) => p.toLowerCase());
    if (parts.length !== 3) throw syntax("expected catalog.schema.function");
    this.schemaOf(parts);
    c.expectSym("(");
    const params: DbxColumn[] = [];
    if (!c.sym(")")) {
      do {
        const name = c.name();
        if (params.some((p) => p.name.toLowerCase() === name.toLowerCase()))
          throw refuse("DUPLICATE_ROUTINE_PARAMETER_NAMES", `Found duplicate name(s) in the parameter list: ${name}.`);
        params.push({ name, type: c.type() });
      } while (c.sym(","));
      c.expectSym(")");
    }
    c.expect("RETURNS");
    const returns = c.type();
    const comment = this.comment(c);
    c.expect("RETURN");
    const bodyStart = c.i;
    if (c.done()) throw syntax("the function has no body");
    this.checkBody(c.tokens.slice(bodyStart), params);
    this.functions.set(keyOf(parts), { parts, params, returns, comment, sql });
    return done();
  }

  /**
   * What the warehouse resolves when it creates a SQL function: every table the body reads exists, and
   * every standalone identifier is a parameter (a column name directly after SELECT belongs to its FROM).
   */
  private checkBody(tokens: Cursor["tokens"], params: DbxColumn[]): void {
    let depth = 0;
    for (const [i, t] of tokens.entries()) {
      if (t.t === "punct" && t.v === "(") depth++;
      if (t.t === "punct" && t.v === ")" && --depth < 0) throw syntax("unbalanced parentheses in the body");
      if (t.t === "word" && !t.quoted && t.v === "FROM" && tokens[i + 1]?.t === "word") {
        const from = new Cursor(tokens.slice(i + 1));
        const parts = from.qualified();
        if (parts.length === 3 && !this.tables.has(keyOf(parts))) throw notFound("TABLE_OR_VIEW", parts);
      }
      if (t.t !== "word" || !t.quoted) continue;
      const prev = tokens[i - 1];
      const next = tokens[i + 1];
      if (prev?.v === "." || next?.v === ".") continue;
      if (prev?.t === "word" && !prev.quoted && (prev.v === "AS" || prev.v === "SELECT")) continue;
      if (!params.some((p) => p.name.toLowerCase() === t.v.toLowerCase()))
        throw new DbxSqlError("UNRESOLVED_COLUMN", `A column or function parameter with name \`${t.v}\` cannot be resolved.`, "42703");
    }
    if (depth !== 0) throw syntax("unbalanced parentheses in the body");
  }

  private fn(parts: string[]): DbxFunction {
    const f = this.functions.get(keyOf(parts));
    if (!f) throw notFound("ROUTINE", parts);
    return f;
  }

  attachedTo(parts: readonly string[]): string[] {
    const k = keyOf(parts);
    const out: string[] = [];
    for (const [slot, b] of [...this.masks, ...this.filters]) if (keyOf(b.fn) === k) out.push(slot);
    return out;
  }

  private dropFunction(c: Cursor): DbxResult {
    const ifExists = c.keyword("IF", "EXISTS");
    const parts = c.qualified();
    c.end();
    if (!this.functions.has(keyOf(parts))) {
      if (ifExists) return done();
      throw notFound("ROUTINE", parts);
    }
    const users = this.attachedTo(parts);
    if (users.length)
      throw refuse("ROUTINE_IN_USE", `Cannot drop ${render(parts)}: it is the row filter or column mask of ${users.join(", ")}.`);
    this.functions.delete(keyOf(parts));
    return done();
  }

  private column(t: DbxTable, name: string): DbxColumn {
    const col = t.columns.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!col) throw new DbxSqlError("UNRESOLVED_COLUMN", `Column \`${name}\` cannot be resolved in ${render(t.parts)}.`, "42703");
    return col;
  }

  private columnList(c: Cursor, t: DbxTable): DbxColumn[] {
    c.expectSym("(");
    const out: DbxColumn[] = [];
    if (c.sym(")")) return out;
    do out.push(this.column(t, c.name()));
    while (c.sym(","));
    c.expectSym(")");
    return out;
  }

  /** Arguments must have the parameters' types, in order (Steward passes exactly matching columns). */
  private checkArgs(f: DbxFunction, args: DbxColumn[]): void {
    if (args.length !== f.params.length)
      throw refuse("WRONG_NUM_ARGS", `${render(f.parts)} requires ${f.params.length} parameters but ${args.length} were passed.`);
    for (const [i, a] of args.entries())
      if (!sameType(a.type, f.params[i]!.type))
        throw refuse(
          "DATATYPE_MISMATCH",
          `Column \`${a.name}\` is ${a.type}; parameter ${f.params[i]!.name} of ${render(f.parts)} is ${f.params[i]!.type}.`,
        );
  }

  private alterTable(c: Cursor): DbxResult {
    const parts = c.qualified();
    const t = parts.length === 3 ? this.table(parts) : undefined;
    if (!t) throw notFound("TABLE_OR_VIEW", parts);
    if (t.kind === "VIEW")
      throw refuse("EXPECT_TABLE_NOT_VIEW", `${render(t.parts)} is a view; row filters and column masks need a table.`);
    if (c.keyword("ALTER", "COLUMN")) {
      const col = this.column(t, c.name());
      const slot = keyOf([...t.parts, col.name]);
      if (c.keyword("DROP", "MASK")) {
        c.end();
        this.masks.delete(slot);
        return done();
      }
      c.expect("SET", "MASK");
      const f = this.fn(c.qualified());
      const using = c.keyword("USING", "COLUMNS") ? this.columnList(c, t) : [];
      c.end();
      this.checkArgs(f, [col, ...using]);
      if (!sameType(f.returns, col.type))
        throw refuse("MASK_RETURN_TYPE_MISMATCH", `${render(f.parts)} returns ${f.returns}; column \`${col.name}\` is ${col.type}.`);
      this.masks.set(slot, { fn: f.parts, args: using.map((u) => u.name) });
      return done();
    }
    if (c.keyword("DROP", "ROW", "FILTER")) {
      c.end();
      this.filters.delete(keyOf(t.parts));
      return done();
    }
    c.expect("SET", "ROW", "FILTER");
    const f = this.fn(c.qualified());
    c.expect("ON");
    const on = this.columnList(c, t);
    c.end();
    this.checkArgs(f, on);
    if (!sameType(f.returns, "BOOLEAN")) throw refuse("ROW_FILTER_NOT_BOOLEAN", `${render(f.parts)} returns ${f.returns}, not BOOLEAN.`);
    this.filters.set(keyOf(t.parts), { fn: f.parts, args: on.map((o) => o.name) });
    return done();
  }

  private target(c: Cursor): DbxTable {
    const parts = c.qualified();
    const t = parts.length === 3 ? this.table(parts) : undefined;
    if (!t) throw notFound("TABLE_OR_VIEW", parts);
    return t;
  }

  /** 'text', NULL, :param, CAST(NULL AS STRING), CAST(array('a', …) AS ARRAY<STRING>). */
  value(c: Cursor): Cell {
    if (c.keyword("NULL")) return null;
    if (c.peek()?.t === "punct" && c.peek()?.v === ":") return c.param();
    if (c.keyword("CAST")) {
      c.expectSym("(");
      let v: Cell;
      if (c.keyword("ARRAY")) {
        c.expectSym("(");
        const items: string[] = [];
        if (!c.sym(")")) {
          do items.push(c.string());
          while (c.sym(","));
          c.expectSym(")");
        }
        v = items;
      } else v = this.value(c);
      c.expect("AS");
      const type = c.type();
      c.expectSym(")");
      if (Array.isArray(v) !== type.startsWith("ARRAY<")) throw refuse("DATATYPE_MISMATCH", `cannot cast to ${type}`);
      return v;
    }
    return c.string();
  }

  private store(t: DbxTable, row: Record<string, Cell>): Record<string, Cell> {
    const out: Record<string, Cell> = {};
    for (const [k, v] of Object.entries(row)) out[this.column(t, k).name] = v;
    for (const col of t.columns)
      if (col.notNull && (out[col.name] ?? null) === null)
        throw new DbxSqlError("DELTA_NOT_NULL_CONSTRAINT_VIOLATED", `NOT NULL constraint violated for column: ${col.name}.`, "23502");
    return out;
  }

  private merge(c: Cursor): DbxResult {
    const t = this.target(c);
    c.expect("AS");
    c.name();
    c.expect("USING");
    c.expectSym("(");
    const source: Record<string, Cell>[] = [];
    do {
      c.expect("SELECT");
      const row: Record<string, Cell> = {};
      do {
        const v = this.value(c);
        c.expect("AS");
        row[c.name()] = v;
      } while (c.sym(","));
      source.push(row);
    } while (c.keyword("UNION", "ALL"));
    c.expectSym(")");
    c.expect("AS");
    c.name();
    // ON / WHEN clauses: Steward's fixed text, an upsert on `account`.
    c.expect("ON");
    for (const row of source) {
      const stored = this.store(t, row);
      const at = t.rows.findIndex((r) => r.account === stored.account);
      if (at >= 0) t.rows[at] = { ...t.rows[at], ...stored };
      else t.rows.push(stored);
    }
    return done(source.length);
  }

  private delete(c: Cursor): DbxResult {
    const t = this.target(c);
    c.expect("WHERE");
    const col = this.column(t, c.name());
    c.expect("IN");
    c.expectSym("(");
    const values: string[] = [];
    do values.push(c.string());
    while (c.sym(","));
    c.expectSym(")");
    c.end();
    const before = t.rows.length;
    t.rows = t.rows.filter((r) => !values.includes(String(r[col.name])));
    return done(before - t.rows.length);
  }

  private insertOverwrite(c: Cursor): DbxResult {
    const t = this.target(c);
    const cols = this.columnList(c, t);
    c.expect("VALUES");
    c.expectSym("(");
    const row: Record<string, Cell> = {};
    for (const [i, col] of cols.entries()) {
      if (i > 0) c.expectSym(",");
      row[col.name] = this.value(c);
    }
    c.expectSym(")");
    c.end();
    t.rows = [this.store(t, row)];
    return done(1);
  }
}
