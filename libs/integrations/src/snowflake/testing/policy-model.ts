/**
 * The emulator's data-policy side: the STEWARD_SYSTEM schema, its tables' rows (the profile MERGE,
 * the salt), masking / row access policies and where they are attached. It enforces the rules
 * Steward's ordering depends on: a policy must exist before it is attached, a column takes one
 * masking policy (replacing it needs FORCE), a table one row access policy, the argument count must
 * match the signature, and an attached policy cannot be dropped or replaced. Policy bodies are lexed
 * (so a quoting mistake fails) and evaluated (policy-eval.ts) when a protected table is read with
 * `SELECT * FROM <table> [WHERE …] [LIMIT n]`, for the session's CURRENT_USER().
 */
import { Cursor, EmulatedSqlError, lex, syntaxError, type Token } from "./lexer";
import type { EmuTable, ResultSet, Session } from "./model";
import { evaluate, type Value } from "./policy-eval";

export type PolicyKind = "MASKING_POLICY" | "ROW_ACCESS_POLICY";
export type EmuPolicy = { kind: PolicyKind; parts: string[]; args: string[]; comment: string; sql: string };
export type Cell = string | string[] | null;

type Host = {
  databases: Map<string, unknown>;
  tables: EmuTable[];
  addTable(t: EmuTable): void;
  findTable(parts: readonly string[]): EmuTable | undefined;
};

const key = (parts: readonly string[]) => JSON.stringify(parts);
const render = (parts: readonly string[]) =>
  parts.map((p) => (/^[A-Z_][A-Z0-9_$]*$/.test(p) ? p : `"${p.replaceAll('"', '""')}"`)).join(".");
const notFound = (what: string) =>
  new EmulatedSqlError("002003", "02000", `SQL compilation error: ${what} does not exist or not authorized.`);
const refused = (message: string) => new EmulatedSqlError("001003", "42601", `SQL compilation error: ${message}`);
const now = () => "2026-01-01 00:00:00.000 -0800";
const text = (names: string[], rows: Cell[][]): ResultSet => ({
  columns: names.map((name) => ({ name, type: "text" })),
  rows: rows.map((r) => r.map((c) => (Array.isArray(c) ? JSON.stringify(c) : c))),
});
const ok = (message = "Statement executed successfully.") => text(["status"], [[message]]);

export class PolicyModel {
  readonly schemas = new Map<string, { parts: string[]; comment: string }>();
  /** Rows of tables Steward writes (profile, salt), keyed by the table's parts. */
  readonly rows = new Map<string, Record<string, Cell>[]>();
  readonly policies = new Map<string, EmuPolicy>();
  /** key([db, schema, table, column]) → the masking policy's parts and its USING columns. */
  readonly masks = new Map<string, { policy: string[]; using: string[] }>();
  /** key([db, schema, table]) → the row access policy's parts and its ON columns. */
  readonly rowPolicies = new Map<string, { policy: string[]; on: string[] }>();

  constructor(private readonly host: Host) {}

  /** The masking policy on a column / the row access policy on a table, by name (tests). */
  maskOf(table: readonly string[], column: string): string | null {
    return this.masks.get(key([...table, column]))?.policy.at(-1) ?? null;
  }
  rowPolicyOf(table: readonly string[]): string | null {
    return this.rowPolicies.get(key(table))?.policy.at(-1) ?? null;
  }

  private schemaExists(db: string, schema: string): boolean {
    return this.schemas.has(key([db, schema])) || this.host.tables.some((t) => t.database === db && t.schema === schema);
  }

  /** The rows of Steward's tables, to restore on ROLLBACK. */
  snapshot(): string {
    return JSON.stringify([...this.rows]);
  }
  restore(saved: string): void {
    this.rows.clear();
    for (const [k, rows] of JSON.parse(saved) as [string, Record<string, Cell>[]][]) this.rows.set(k, rows);
  }

  /** Runs the statement if it is one of the data-policy statements; null otherwise. */
  tryRun(sql: string, session: Session = { id: "", user: "" }): ResultSet | null {
    const tokens = lex(sql);
    const c = new Cursor(tokens);
    if (c.keyword("CREATE", "SCHEMA")) return this.createSchema(c);
    if (c.keyword("CREATE", "TABLE")) return this.createTable(c);
    if (c.keyword("CREATE", "VIEW")) return this.createView(c);
    if (c.keyword("CREATE", "OR", "REPLACE", "MASKING", "POLICY")) return this.createPolicy(c, tokens, "MASKING_POLICY", sql);
    if (c.keyword("CREATE", "OR", "REPLACE", "ROW", "ACCESS", "POLICY")) return this.createPolicy(c, tokens, "ROW_ACCESS_POLICY", sql);
    if (c.keyword("DROP", "MASKING", "POLICY")) return this.dropPolicy(c, "MASKING_POLICY");
    if (c.keyword("DROP", "ROW", "ACCESS", "POLICY")) return this.dropPolicy(c, "ROW_ACCESS_POLICY");
    if (c.keyword("ALTER", "TABLE")) return this.alterTable(c);
    if (c.keyword("MERGE", "INTO")) return this.merge(c);
    if (c.keyword("DELETE", "FROM")) return this.delete(c);
    if (c.keyword("INSERT", "INTO")) return this.insert(c);
    if (c.keyword("SHOW", "SCHEMAS")) return this.showSchemas(c);
    if (c.keyword("SHOW", "OBJECTS", "IN", "SCHEMA")) return this.showObjects(c);
    if (c.keyword("SHOW", "MASKING", "POLICIES", "IN", "SCHEMA")) return this.showPolicies(c, "MASKING_POLICY");
    if (c.keyword("SHOW", "ROW", "ACCESS", "POLICIES", "IN", "SCHEMA")) return this.showPolicies(c, "ROW_ACCESS_POLICY");
    if (c.peekKeyword("SELECT") && tokens[1]?.t === "sym" && tokens[1].v === "*") return this.readProtected(tokens.slice(2), session);
    if (c.keyword("SELECT")) return this.select(tokens);
    return null;
  }

  private comment(c: Cursor): string {
    if (!c.keyword("COMMENT")) return "";
    if (!c.sym("=")) throw syntaxError("expected =");
    return c.string();
  }

  private createSchema(c: Cursor): ResultSet {
    const ifNotExists = c.keyword("IF", "NOT", "EXISTS");
    const parts = c.qualified();
    const comment = this.comment(c);
    c.end();
    if (parts.length !== 2 || !this.host.databases.has(parts[0]!)) throw notFound(`Database '${render(parts.slice(0, 1))}'`);
    if (this.schemaExists(parts[0]!, parts[1]!)) {
      if (!ifNotExists) throw refused(`Object '${render(parts)}' already exists.`);
    } else this.schemas.set(key(parts), { parts, comment });
    return ok(`Schema ${parts[1]} successfully created.`);
  }

  private relationParts(c: Cursor): [string, string, string] {
    const parts = c.qualified();
    if (parts.length !== 3) throw syntaxError("expected database.schema.name");
    if (!this.schemaExists(parts[0]!, parts[1]!)) throw notFound(`Schema '${render(parts.slice(0, 2))}'`);
    return parts as [string, string, string];
  }

  private createTable(c: Cursor): ResultSet {
    const ifNotExists = c.keyword("IF", "NOT", "EXISTS");
    const [database, schema, name] = this.relationParts(c);
    if (!c.sym("(")) throw syntaxError("expected a column list");
    const columns: EmuTable["columns"] = [];
    for (;;) {
      const col = c.name();
      const type = c.name();
      if (c.sym("(")) c.skipParenthesised();
      const flags: string[] = [];
      while (c.keyword("NOT", "NULL") || c.keyword("PRIMARY", "KEY")) flags.push("x");
      columns.push({ name: col, dataType: type, nullable: flags.length === 0 });
      if (c.sym(")")) break;
      if (!c.sym(",")) throw syntaxError("expected , or )");
    }
    c.end();
    if (this.host.findTable([database, schema, name])) {
      if (!ifNotExists) throw refused(`Object '${name}' already exists.`);
      return ok(`${name} already exists, statement succeeded.`);
    }
    this.host.addTable({ database, schema, name, tableType: "BASE TABLE", columns });
    this.rows.set(key([database, schema, name]), []);
    return ok(`Table ${name} successfully created.`);
  }

  private createView(c: Cursor): ResultSet {
    const ifNotExists = c.keyword("IF", "NOT", "EXISTS");
    const [database, schema, name] = this.relationParts(c);
    c.expectKeyword("AS");
    c.expectKeyword("SELECT");
    if (this.host.findTable([database, schema, name])) {
      if (!ifNotExists) throw refused(`Object '${name}' already exists.`);
      return ok(`${name} already exists, statement succeeded.`);
    }
    this.host.addTable({ database, schema, name, tableType: "VIEW", columns: [] });
    return ok(`View ${name} successfully created.`);
  }

  private createPolicy(c: Cursor, tokens: Token[], kind: PolicyKind, sql: string): ResultSet {
    const parts = c.qualified();
    if (parts.length !== 3 || !this.schemaExists(parts[0]!, parts[1]!)) throw notFound(`Schema '${render(parts.slice(0, 2))}'`);
    c.expectKeyword("AS");
    if (!c.sym("(")) throw syntaxError("expected the signature");
    const args: string[] = [];
    for (;;) {
      const arg = c.name();
      if (args.includes(arg)) throw refused(`duplicate argument name ${arg}`);
      args.push(arg);
      c.name();
      if (c.sym("(")) c.skipParenthesised();
      if (c.sym(")")) break;
      if (!c.sym(",")) throw syntaxError("expected , or ) in the signature");
    }
    c.expectKeyword("RETURNS");
    c.name();
    if (c.sym("(")) c.skipParenthesised();
    if (!c.sym("->")) throw syntaxError("expected ->");
    // The body runs to the trailing COMMENT = '…'.
    const tail = tokens.slice(-3);
    const comment = tail[0]?.t === "word" && tail[0].v === "COMMENT" && tail[1]?.v === "=" && tail[2]?.t === "str" ? tail[2].v : "";
    const existing = this.policies.get(key(parts));
    if (existing && this.attachedTo(parts).length) throw refused(`Policy '${render(parts)}' is attached and cannot be replaced.`);
    if (existing && existing.kind !== kind) throw refused(`Object '${render(parts)}' already exists as another kind.`);
    this.policies.set(key(parts), { kind, parts, args, comment, sql });
    return ok(`${kind === "MASKING_POLICY" ? "Masking" : "Row access"} policy ${parts[2]} successfully created.`);
  }

  private policy(parts: string[], kind: PolicyKind): EmuPolicy {
    const p = parts.length === 3 ? this.policies.get(key(parts)) : undefined;
    if (!p || p.kind !== kind) throw notFound(`${kind === "MASKING_POLICY" ? "Masking" : "Row access"} policy '${render(parts)}'`);
    return p;
  }

  private attachedTo(parts: readonly string[]): string[][] {
    const out: string[][] = [];
    for (const [k, m] of this.masks) if (key(m.policy) === key(parts)) out.push(JSON.parse(k));
    for (const [k, r] of this.rowPolicies) if (key(r.policy) === key(parts)) out.push(JSON.parse(k));
    return out;
  }

  private dropPolicy(c: Cursor, kind: PolicyKind): ResultSet {
    const ifExists = c.keyword("IF", "EXISTS");
    const parts = c.qualified();
    c.end();
    const p = this.policies.get(key(parts));
    if (!p || p.kind !== kind) {
      if (ifExists) return ok("Drop statement executed successfully.");
      throw notFound(`Policy '${render(parts)}'`);
    }
    if (this.attachedTo(parts).length) throw refused(`Policy '${render(parts)}' cannot be dropped because it is attached.`);
    this.policies.delete(key(parts));
    return ok(`${parts[2]} successfully dropped.`);
  }

  private columnList(c: Cursor, table: EmuTable): string[] {
    if (!c.sym("(")) throw syntaxError("expected (");
    const cols: string[] = [];
    do cols.push(this.column(table, c.name()));
    while (c.sym(","));
    if (!c.sym(")")) throw syntaxError("expected )");
    return cols;
  }

  private column(table: EmuTable, name: string): string {
    if (table.columns && !table.columns.some((col) => col.name === name)) throw refused(`invalid identifier '${name}'`);
    return name;
  }

  private alterTable(c: Cursor): ResultSet {
    const parts = c.qualified();
    const table = parts.length === 3 ? this.host.findTable(parts) : undefined;
    if (table?.tableType !== "BASE TABLE") throw notFound(`Table '${render(parts)}'`);
    if (c.keyword("MODIFY", "COLUMN")) {
      const column = this.column(table, c.name());
      const slot = key([...parts, column]);
      if (c.keyword("UNSET", "MASKING", "POLICY")) {
        c.end();
        this.masks.delete(slot);
        return ok();
      }
      c.expectKeyword("SET", "MASKING", "POLICY");
      const policyParts = c.qualified();
      const policy = this.policy(policyParts, "MASKING_POLICY");
      const using = c.keyword("USING") ? this.columnList(c, table) : [column];
      const force = c.keyword("FORCE");
      c.end();
      if (using[0] !== column) throw refused("the first USING column must be the masked column");
      if (using.length !== policy.args.length) throw refused(`policy ${render(policyParts)} takes ${policy.args.length} arguments`);
      if (this.masks.has(slot) && !force)
        throw refused(
          "Specified column already attached to another masking policy. A column cannot be attached to multiple masking policies.",
        );
      this.masks.set(slot, { policy: policyParts, using });
      return ok();
    }
    const slot = key(parts);
    if (c.keyword("DROP", "ROW", "ACCESS", "POLICY")) {
      const policyParts = c.qualified();
      this.policy(policyParts, "ROW_ACCESS_POLICY");
      if (key(this.rowPolicies.get(slot)?.policy ?? []) !== key(policyParts))
        throw refused(`Row access policy '${render(policyParts)}' is not attached to '${render(parts)}'.`);
      if (!c.sym(",")) {
        c.end();
        this.rowPolicies.delete(slot);
        return ok();
      }
      // DROP …, ADD … in one statement: the swap is atomic.
      c.expectKeyword("ADD", "ROW", "ACCESS", "POLICY");
      return this.addRowPolicy(c, table, parts, true);
    }
    c.expectKeyword("ADD", "ROW", "ACCESS", "POLICY");
    return this.addRowPolicy(c, table, parts, false);
  }

  private addRowPolicy(c: Cursor, table: EmuTable, parts: string[], replacing: boolean): ResultSet {
    const policyParts = c.qualified();
    const policy = this.policy(policyParts, "ROW_ACCESS_POLICY");
    c.expectKeyword("ON");
    const on = this.columnList(c, table);
    c.end();
    if (on.length !== policy.args.length) throw refused(`policy ${render(policyParts)} takes ${policy.args.length} arguments`);
    if (!replacing && this.rowPolicies.has(key(parts))) throw refused(`Object '${render(parts)}' already has a ROW_ACCESS_POLICY.`);
    this.rowPolicies.set(key(parts), { policy: policyParts, on });
    return ok();
  }

  private tableRows(c: Cursor): { parts: string[]; rows: Record<string, Cell>[]; table: EmuTable } {
    const parts = c.qualified();
    const table = parts.length === 3 ? this.host.findTable(parts) : undefined;
    const rows = table ? this.rows.get(key(parts)) : undefined;
    if (!table || !rows) throw notFound(`Table '${render(parts)}'`);
    return { parts, rows, table };
  }

  private value(c: Cursor): Cell {
    if (c.keyword("NULL")) return null;
    if (c.keyword("ARRAY_CONSTRUCT")) {
      if (!c.sym("(")) throw syntaxError("expected (");
      const out: string[] = [];
      if (c.sym(")")) return out;
      do out.push(c.string());
      while (c.sym(","));
      if (!c.sym(")")) throw syntaxError("expected )");
      return out;
    }
    return c.string();
  }

  private merge(c: Cursor): ResultSet {
    const { rows, table } = this.tableRows(c);
    c.expectKeyword("AS");
    c.name();
    c.expectKeyword("USING");
    if (!c.sym("(")) throw syntaxError("expected (");
    const source: Record<string, Cell>[] = [];
    do {
      c.expectKeyword("SELECT");
      const row: Record<string, Cell> = {};
      do {
        const v = this.value(c);
        c.expectKeyword("AS");
        row[this.column(table, c.name())] = v;
      } while (c.sym(","));
      source.push(row);
    } while (c.keyword("UNION", "ALL"));
    if (!c.sym(")")) throw syntaxError("expected ) after the MERGE source");
    // The ON / WHEN clauses are Steward's fixed text: upsert on "account".
    for (const row of source) {
      const at = rows.findIndex((r) => r.account === row.account);
      if (at >= 0) rows[at] = { ...rows[at], ...row };
      else rows.push(row);
    }
    return text(["number of rows inserted", "number of rows updated"], [[String(source.length), "0"]]);
  }

  private delete(c: Cursor): ResultSet {
    const { rows } = this.tableRows(c);
    if (!c.keyword("WHERE")) {
      c.end();
      return text(["number of rows deleted"], [[String(rows.splice(0).length)]]);
    }
    const column = c.name();
    c.expectKeyword("IN");
    if (!c.sym("(")) throw syntaxError("expected (");
    const values: string[] = [];
    do values.push(c.string());
    while (c.sym(","));
    if (!c.sym(")")) throw syntaxError("expected )");
    c.end();
    const before = rows.length;
    for (let i = rows.length - 1; i >= 0; i--) if (values.includes(String(rows[i]![column]))) rows.splice(i, 1);
    return text(["number of rows deleted"], [[String(before - rows.length)]]);
  }

  private insert(c: Cursor): ResultSet {
    const { rows, table } = this.tableRows(c);
    const cols = this.columnList(c, table);
    c.expectKeyword("VALUES");
    if (!c.sym("(")) throw syntaxError("expected (");
    const row: Record<string, Cell> = {};
    for (const [i, col] of cols.entries()) {
      if (i > 0 && !c.sym(",")) throw syntaxError("expected ,");
      row[col] = this.value(c);
    }
    if (!c.sym(")")) throw syntaxError("expected )");
    c.end();
    rows.push(row);
    return text(["number of rows inserted"], [["1"]]);
  }

  private showSchemas(c: Cursor): ResultSet {
    const like = c.keyword("LIKE") ? c.string() : null;
    c.expectKeyword("IN", "DATABASE");
    const [db] = c.qualified();
    c.end();
    if (!db || !this.host.databases.has(db)) throw notFound(`Database '${db}'`);
    const names = new Set([
      ...[...this.schemas.values()].filter((s) => s.parts[0] === db).map((s) => s.parts[1]!),
      ...this.host.tables.filter((t) => t.database === db).map((t) => t.schema),
    ]);
    // Steward asks for its exact schema name; LIKE is case-insensitive with no wildcard in it.
    const rows = [...names].filter((n) => like === null || n.toUpperCase() === like.toUpperCase());
    return text(
      ["created_on", "name", "is_default", "is_current", "database_name", "owner", "comment"],
      rows.map((n) => [now(), n, "N", "N", db, "STEWARD_ADMIN", this.schemas.get(key([db, n]))?.comment ?? ""]),
    );
  }

  private schemaArg(c: Cursor): [string, string] {
    const parts = c.qualified();
    c.end();
    if (parts.length !== 2 || !this.schemaExists(parts[0]!, parts[1]!)) throw notFound(`Schema '${render(parts)}'`);
    return parts as [string, string];
  }

  private showObjects(c: Cursor): ResultSet {
    const [db, schema] = this.schemaArg(c);
    const rows = this.host.tables
      .filter((t) => t.database === db && t.schema === schema)
      .map((t) => [now(), t.name, db, schema, t.tableType === "BASE TABLE" ? "TABLE" : t.tableType]);
    return text(["created_on", "name", "database_name", "schema_name", "kind"], rows);
  }

  private showPolicies(c: Cursor, kind: PolicyKind): ResultSet {
    const [db, schema] = this.schemaArg(c);
    const rows = [...this.policies.values()]
      .filter((p) => p.kind === kind && p.parts[0] === db && p.parts[1] === schema)
      .map((p) => [now(), p.parts[2]!, db, schema, kind, "STEWARD_ADMIN", p.comment, "ROLE", ""]);
    return text(["created_on", "name", "database_name", "schema_name", "kind", "owner", "comment", "owner_role_type", "options"], rows);
  }

  /** POLICY_REFERENCES and the reads of Steward's own tables; null for any other SELECT. */
  private select(tokens: Token[]): ResultSet | null {
    const words = tokens.filter((t) => t.t === "word" && !t.quoted).map((t) => t.v);
    if (words.includes("POLICY_REFERENCES")) return this.references(tokens);
    // Only reads of Steward's own tables are answered here: find the FROM target before parsing.
    const from = tokens.findIndex((t) => t.t === "word" && !t.quoted && t.v === "FROM");
    if (from < 0) return null;
    const target = new Cursor(tokens.slice(from + 1));
    const parts = target.qualified();
    const table = parts.length === 3 ? this.host.findTable(parts) : undefined;
    const rows = table ? this.rows.get(key(parts)) : undefined;
    if (!table || !rows) return null;
    target.end();
    const c = new Cursor(tokens.slice(0, from));
    c.expectKeyword("SELECT");
    const items: { column: string; json: boolean; as: string }[] = [];
    do {
      const json = c.keyword("TO_JSON");
      if (json && !c.sym("(")) throw syntaxError("expected (");
      const column = this.column(table, c.name());
      if (json && !c.sym(")")) throw syntaxError("expected )");
      const as = c.keyword("AS") ? c.name() : column;
      items.push({ column, json, as });
    } while (c.sym(","));
    c.end();
    return text(
      items.map((i) => i.as),
      rows.map((r) => items.map((i) => r[i.column] ?? null)),
    );
  }

  /**
   * `FROM <table> [WHERE <expr>] [LIMIT n]` on a plain table with data: the row access policy keeps
   * the rows its body returns TRUE for, then each masked column shows its policy's result; both are
   * evaluated for the session's CURRENT_USER() (the USER_PROFILE view's row).
   */
  private readProtected(tokens: Token[], session: Session): ResultSet {
    const c = new Cursor(tokens);
    c.expectKeyword("FROM");
    const parts = c.qualified();
    const table = parts.length === 3 ? this.host.findTable(parts) : undefined;
    if (table?.tableType !== "BASE TABLE") throw notFound(`Table '${render(parts)}'`);
    if (!c.done && !c.peekKeyword("WHERE") && !c.peekKeyword("LIMIT")) throw syntaxError(`unexpected ${c.describe()}`);
    let where: Token[] = [];
    let limit = Number.POSITIVE_INFINITY;
    const at = tokens.findIndex((t) => t.t === "word" && !t.quoted && t.v === "WHERE");
    const lim = tokens.findIndex((t) => t.t === "word" && !t.quoted && t.v === "LIMIT");
    if (at >= 0) where = tokens.slice(at + 1, lim >= 0 ? lim : undefined);
    if (lim >= 0) {
      const l = new Cursor(tokens.slice(lim + 1));
      const n = l.number();
      if (n === null) throw syntaxError("expected a LIMIT count");
      l.end();
      limit = n;
    }
    const columns = (table.columns ?? []).map((col) => col.name);
    const scalar = (from: string[], column: string): Value => {
      const [db, schema, name] = from;
      const source = name === "USER_PROFILE" ? "PROFILE" : name!;
      const rows = (this.rows.get(key([db!, schema!, source])) ?? []).filter((r) => name !== "USER_PROFILE" || r.account === session.user);
      if (!this.host.findTable(from)) throw notFound(`Object '${render(from)}'`);
      if (rows.length > 1) throw refused("Single-row subquery returns more than one row.");
      return rows[0]?.[column] ?? null;
    };
    const run = (policy: string[], bind: string[], row: Record<string, Value>): Value => {
      const p = this.policies.get(key(policy))!;
      const body = lex(p.sql);
      const start = body.findIndex((t) => t.t === "sym" && t.v === "->");
      const args = new Map(p.args.map((a, i) => [a, row[bind[i]!] ?? null] as const));
      return evaluate(body.slice(start + 1, -3), { args, scalar });
    };
    const out: (string | null)[][] = [];
    for (const raw of table.rows ?? []) {
      if (out.length >= limit) break;
      const row: Record<string, Value> = { ...raw };
      const rap = this.rowPolicies.get(key(parts));
      if (rap && run(rap.policy, rap.on, row) !== true) continue;
      // The query itself (WHERE, the select list) sees the masked values; policies see the stored ones.
      const shown = new Map(
        columns.map((col) => {
          const mask = this.masks.get(key([...parts, col]));
          return [col, mask ? run(mask.policy, mask.using, row) : (row[col] ?? null)] as const;
        }),
      );
      if (where.length && evaluate(where, { args: shown, scalar }) !== true) continue;
      out.push(
        columns.map((col) => shown.get(col) ?? null).map((v) => (v === null ? null : Array.isArray(v) ? JSON.stringify(v) : String(v))),
      );
    }
    return text(columns, out);
  }

  /** POLICY_REFERENCES(POLICY_NAME => '…') or (REF_ENTITY_NAME => '<table>', REF_ENTITY_DOMAIN => 'table'). */
  private references(tokens: Token[]): ResultSet {
    const at = tokens.findIndex((t) => t.t === "sym" && t.v === "=" && tokens[tokens.indexOf(t) + 1]?.v === ">");
    const arg = tokens[at + 2];
    const named = tokens[at - 1];
    if (at < 0 || arg?.t !== "str" || named?.t !== "word") throw syntaxError("expected POLICY_NAME => '<name>'");
    if (named.v === "REF_ENTITY_NAME") return this.referencesOn(new Cursor(lex(arg.v)).qualified());
    if (named.v !== "POLICY_NAME") throw syntaxError(`unsupported argument ${named.v}`);
    const parts = new Cursor(lex(arg.v)).qualified();
    const policy = this.policies.get(key(parts));
    if (!policy) throw notFound(`Policy '${arg.v}'`);
    const cols = [
      "POLICY_DB",
      "POLICY_SCHEMA",
      "POLICY_NAME",
      "POLICY_KIND",
      "REF_DATABASE_NAME",
      "REF_SCHEMA_NAME",
      "REF_ENTITY_NAME",
      "REF_ENTITY_DOMAIN",
      "REF_COLUMN_NAME",
      "REF_ARG_COLUMN_NAMES",
      "POLICY_STATUS",
    ];
    const rows: Cell[][] = [];
    for (const [k, m] of this.masks)
      if (key(m.policy) === key(parts)) {
        const [d, s, t, col] = JSON.parse(k) as string[];
        rows.push([...parts, "MASKING_POLICY", d!, s!, t!, "TABLE", col!, JSON.stringify(m.using.slice(1)), "ACTIVE"]);
      }
    for (const [k, r] of this.rowPolicies)
      if (key(r.policy) === key(parts)) {
        const [d, s, t] = JSON.parse(k) as string[];
        rows.push([...parts, "ROW_ACCESS_POLICY", d!, s!, t!, "TABLE", null, JSON.stringify(r.on), "ACTIVE"]);
      }
    return text(cols, rows);
  }

  /** Every policy attached to one table (its columns' masks and its row access policy). */
  private referencesOn(table: string[]): ResultSet {
    if (table.length !== 3 || !this.host.findTable(table)) throw notFound(`Table '${render(table)}'`);
    const rows: Cell[][] = [];
    for (const [k, m] of this.masks) {
      const [d, s, t, col] = JSON.parse(k) as string[];
      if (key([d!, s!, t!]) === key(table)) rows.push([...m.policy, "MASKING_POLICY", d!, s!, t!, "TABLE", col!]);
    }
    const r = this.rowPolicies.get(key(table));
    if (r) rows.push([...r.policy, "ROW_ACCESS_POLICY", ...table, "TABLE", null]);
    const cols = [
      "POLICY_DB",
      "POLICY_SCHEMA",
      "POLICY_NAME",
      "POLICY_KIND",
      "REF_DATABASE_NAME",
      "REF_SCHEMA_NAME",
      "REF_ENTITY_NAME",
      "REF_ENTITY_DOMAIN",
      "REF_COLUMN_NAME",
    ];
    return text(cols, rows);
  }
}
