/**
 * The in-memory account behind the wire emulator: users, roles and their comments, role-to-role and
 * role-to-user grants, object privileges, databases / schemas / tables with their information_schema
 * facts. It executes the statements Steward sends (parsed with Snowflake's lexical rules, lexer.ts),
 * enforces what real Snowflake enforces where a mistake would matter (the exact object type after ON,
 * DML privileges only on plain tables, unknown roles / users / objects refused) and answers the SHOW
 * commands with Snowflake's column names. Every statement is recorded with its outcome. The
 * data-policy statements and reads (STEWARD_SYSTEM, masking / row access policies) are policy-model.ts.
 */
import { Cursor, EmulatedSqlError, lex, syntaxError } from "./lexer";
import { PolicyModel } from "./policy-model";

export type EmuTable = {
  database: string;
  schema: string;
  name: string;
  tableType: "BASE TABLE" | "VIEW" | "MATERIALIZED VIEW" | "EXTERNAL TABLE" | "EVENT TABLE";
  iceberg?: boolean;
  dynamic?: boolean;
  /** `dataType` as INFORMATION_SCHEMA.COLUMNS prints DATA_TYPE; precision / scale / length default as Snowflake's do. */
  columns?: { name: string; dataType: string; nullable?: boolean; precision?: number; scale?: number; length?: number }[];
  /** The data of a plain table, for reads through its masking and row access policies (policy-model.ts). */
  rows?: Record<string, string | number | null>[];
};
export type Column = { name: string; type: "text" | "fixed" };
export type ResultSet = { columns: Column[]; rows: (string | null)[][] };
export type RecordedStatement = { sql: string; ok: boolean; error?: string };
/** The wire session a statement runs in: its CURRENT_USER() and its open transaction. */
export type Session = { id: string; user: string };

const notFound = (what: string) =>
  new EmulatedSqlError("002003", "02000", `SQL compilation error: ${what} does not exist or not authorized.`);

/** Snowflake's rendering of a name in SHOW output: bare when it would read back the same unquoted. */
export function showPart(part: string): string {
  return /^[A-Z_][A-Z0-9_$]*$/.test(part) ? part : `"${part.replaceAll('"', '""')}"`;
}
const showName = (parts: readonly string[]) => parts.map(showPart).join(".");

const RELATION_KEYWORDS: [string[], string][] = [
  [["MATERIALIZED", "VIEW"], "MATERIALIZED VIEW"],
  [["EXTERNAL", "TABLE"], "EXTERNAL TABLE"],
  [["EVENT", "TABLE"], "EVENT TABLE"],
  [["DYNAMIC", "TABLE"], "DYNAMIC TABLE"],
  [["ICEBERG", "TABLE"], "ICEBERG TABLE"],
  [["TABLE"], "TABLE"],
  [["VIEW"], "VIEW"],
];
const PRIVILEGES = new Set(["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "USAGE", "OWNERSHIP", "MONITOR", "OPERATE"]);
const WRITE = new Set(["INSERT", "UPDATE", "DELETE", "TRUNCATE"]);

/** The keyword Snowflake requires after ON for a relation. */
export function grantKeyword(t: EmuTable): string {
  if (t.tableType === "BASE TABLE") return t.iceberg ? "ICEBERG TABLE" : t.dynamic ? "DYNAMIC TABLE" : "TABLE";
  return t.tableType;
}

type Grant = { privilege: string; grantedOn: string; parts: string[] };

export class SnowflakeModel {
  readonly users = new Set<string>();
  readonly roles = new Map<string, { comment: string }>();
  readonly databases = new Map<string, { kind: "STANDARD" | "IMPORTED DATABASE" }>();
  readonly tables: EmuTable[] = [];
  /** role → privileges it holds. */
  readonly grants = new Map<string, Grant[]>();
  /** child role → parent roles it is granted to. */
  readonly roleParents = new Map<string, Set<string>>();
  /** role → users it is granted to. */
  readonly roleUsers = new Map<string, Set<string>>();
  readonly statements: RecordedStatement[] = [];
  readonly passwords = new Map<string, string>();
  /** DEFAULT_SECONDARY_ROLES per user as SHOW USERS prints it; unset (the default) prints nothing. */
  readonly secondaryRoles = new Map<string, string>();
  /** STEWARD_SYSTEM, its rows, masking / row access policies and their attachments. */
  readonly policy = new PolicyModel(this);
  /** Refuses a statement before it runs (a test's way to fail one mid-batch). */
  refuse: ((sql: string) => EmulatedSqlError | null) | null = null;
  /** Pre-BCR-2026_06 behaviour: SHOW GRANTS says TABLE for a VIEW (the adapter must normalise it). */
  legacyGrantedOn = true;

  addUser(name: string, password?: string): void {
    this.users.add(name);
    if (password !== undefined) this.passwords.set(name, password);
  }
  addRole(name: string, comment = ""): void {
    this.roles.set(name, { comment });
  }
  addDatabase(name: string, kind: "STANDARD" | "IMPORTED DATABASE" = "STANDARD"): void {
    this.databases.set(name, { kind });
  }
  addTable(t: EmuTable): void {
    if (!this.databases.has(t.database)) this.addDatabase(t.database);
    this.tables.push(t);
  }

  findTable(parts: readonly string[]): EmuTable | undefined {
    const [d, s, n] = parts;
    return this.tables.find((t) => t.database === d && t.schema === s && t.name === n);
  }

  /** Every role a user holds, through the hierarchy. */
  rolesOfUser(user: string): Set<string> {
    const out = new Set<string>();
    const stack = [...this.roleUsers].filter(([, us]) => us.has(user)).map(([r]) => r);
    const children = new Map<string, string[]>();
    for (const [child, parents] of this.roleParents) for (const p of parents) children.set(p, [...(children.get(p) ?? []), child]);
    while (stack.length) {
      const r = stack.pop()!;
      if (out.has(r)) continue;
      out.add(r);
      stack.push(...(children.get(r) ?? []));
    }
    return out;
  }

  /**
   * Privileges a user effectively has on a relation (USAGE on its schema and database required), in a
   * session that activates the user's granted roles as secondary roles: DEFAULT_SECONDARY_ROLES unset
   * or ('ALL'). With it set to () no primary role is modelled, so nothing granted is active.
   */
  privilegesOf(user: string, table: EmuTable): Set<string> {
    const roles = this.secondaryRoles.get(user) === "[]" ? new Set<string>() : this.rolesOfUser(user);
    const held = (parts: string[], grantedOn?: string) =>
      [...roles].flatMap((r) =>
        (this.grants.get(r) ?? [])
          .filter((g) => sameParts(g.parts, parts) && (!grantedOn || g.grantedOn === grantedOn))
          .map((g) => g.privilege),
      );
    const usage = held([table.database], "DATABASE").includes("USAGE") && held([table.database, table.schema], "SCHEMA").includes("USAGE");
    return usage ? new Set(held([table.database, table.schema, table.name]).filter((p) => p !== "USAGE")) : new Set();
  }

  /** Open transactions by session: the rows of Steward's tables as they were at BEGIN. */
  private readonly transactions = new Map<string, string>();

  execute(sql: string, session: Session = { id: "", user: "" }): ResultSet {
    try {
      const refused = this.refuse?.(sql);
      if (refused) throw refused;
      const result = this.transaction(sql, session) ?? this.run(sql, session);
      this.statements.push({ sql, ok: true });
      return result;
    } catch (err) {
      this.statements.push({ sql, ok: false, error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  /** A session that ends with an open transaction rolls it back, as Snowflake does. */
  endSession(id: string): void {
    const saved = this.transactions.get(id);
    if (saved !== undefined) this.policy.restore(saved);
    this.transactions.delete(id);
  }

  /**
   * BEGIN / COMMIT / ROLLBACK of one session, over the rows of Steward's tables (the only rows DML
   * changes here). Simplification: other sessions see uncommitted rows (Snowflake's are isolated).
   */
  private transaction(sql: string, session: Session): ResultSet | null {
    const c = new Cursor(lex(sql));
    if (c.keyword("BEGIN") || c.keyword("START", "TRANSACTION")) {
      c.keyword("TRANSACTION");
      c.end();
      if (!this.transactions.has(session.id)) this.transactions.set(session.id, this.policy.snapshot());
      return status("Statement executed successfully.");
    }
    if (c.keyword("COMMIT") || c.keyword("ROLLBACK")) {
      const rollback = sql.trim().toUpperCase().startsWith("ROLLBACK");
      c.end();
      const saved = this.transactions.get(session.id);
      if (saved !== undefined && rollback) this.policy.restore(saved);
      this.transactions.delete(session.id);
      return status("Statement executed successfully.");
    }
    if (c.keyword("ALTER", "SESSION", "SET")) {
      const name = c.name();
      if (!c.sym("=")) throw syntaxError("expected =");
      const known =
        name === "USE_CACHED_RESULT"
          ? c.keyword("FALSE") || c.keyword("TRUE")
          : (name === "LOCK_TIMEOUT" || name === "STATEMENT_TIMEOUT_IN_SECONDS") && c.number() !== null;
      if (!known) throw syntaxError(`unsupported session parameter ${name}`);
      c.end();
      return status("Statement executed successfully.");
    }
    return null;
  }

  private run(sql: string, session: Session): ResultSet {
    const policyResult = this.policy.tryRun(sql, session);
    if (policyResult) return policyResult;
    const c = new Cursor(lex(sql));
    if (c.keyword("CREATE", "ROLE")) return this.createRole(c);
    if (c.keyword("DROP", "ROLE")) return this.dropRole(c);
    if (c.keyword("GRANT", "ROLE")) return this.roleGrant(c, true);
    if (c.keyword("REVOKE", "ROLE")) return this.roleGrant(c, false);
    if (c.keyword("GRANT")) return this.privilegeGrant(c, true);
    if (c.keyword("REVOKE")) return this.privilegeGrant(c, false);
    if (c.keyword("SHOW")) return this.show(c);
    if (c.keyword("SELECT")) return this.select(sql);
    throw syntaxError(`unsupported statement near ${c.describe()}`);
  }

  private role(name: string): string {
    if (!this.roles.has(name)) throw notFound(`Role '${name}'`);
    return name;
  }

  private createRole(c: Cursor): ResultSet {
    const ifNotExists = c.keyword("IF", "NOT", "EXISTS");
    const name = c.name();
    let comment = "";
    if (c.keyword("COMMENT")) {
      if (!c.sym("=")) throw syntaxError("expected =");
      comment = c.string();
    }
    c.end();
    if (this.roles.has(name)) {
      if (!ifNotExists) throw new EmulatedSqlError("002002", "42710", `SQL compilation error: Object '${name}' already exists.`);
    } else this.roles.set(name, { comment });
    return status(`Role ${name} successfully created.`);
  }

  private dropRole(c: Cursor): ResultSet {
    const ifExists = c.keyword("IF", "EXISTS");
    const name = c.name();
    c.end();
    if (!this.roles.has(name)) {
      if (ifExists) return status("Drop statement executed successfully.");
      throw notFound(`Role '${name}'`);
    }
    this.roles.delete(name);
    this.grants.delete(name);
    this.roleParents.delete(name);
    this.roleUsers.delete(name);
    for (const parents of this.roleParents.values()) parents.delete(name);
    return status(`${name} successfully dropped.`);
  }

  private roleGrant(c: Cursor, grant: boolean): ResultSet {
    const child = this.role(c.name());
    c.expectKeyword(grant ? "TO" : "FROM");
    if (c.keyword("ROLE")) {
      const parent = this.role(c.name());
      c.end();
      const set = this.roleParents.get(child) ?? new Set<string>();
      if (grant) this.roleParents.set(child, set.add(parent));
      else set.delete(parent);
    } else if (c.keyword("USER")) {
      const user = c.name();
      c.end();
      if (!this.users.has(user)) throw notFound(`User '${user}'`);
      const set = this.roleUsers.get(child) ?? new Set<string>();
      if (grant) this.roleUsers.set(child, set.add(user));
      else set.delete(user);
    } else throw syntaxError(`expected ROLE or USER near ${c.describe()}`);
    return status("Statement executed successfully.");
  }

  private privilegeGrant(c: Cursor, grant: boolean): ResultSet {
    const privileges: string[] = [];
    do {
      const p = c.name();
      if (!PRIVILEGES.has(p)) throw syntaxError(`unknown privilege ${p}`);
      privileges.push(p);
    } while (c.sym(","));
    c.expectKeyword("ON");
    let grantedOn: string;
    let parts: string[];
    if (c.keyword("DATABASE")) {
      parts = c.qualified();
      if (parts.length !== 1 || !this.databases.has(parts[0]!)) throw notFound(`Database '${showName(parts)}'`);
      grantedOn = "DATABASE";
    } else if (c.keyword("SCHEMA")) {
      parts = c.qualified();
      if (parts.length !== 2 || !this.tables.some((t) => t.database === parts[0] && t.schema === parts[1]))
        throw notFound(`Schema '${showName(parts)}'`);
      grantedOn = "SCHEMA";
    } else {
      const kw = RELATION_KEYWORDS.find(([words]) => c.keyword(...words));
      if (!kw) throw syntaxError(`unsupported object type near ${c.describe()}`);
      parts = c.qualified();
      const table = parts.length === 3 ? this.findTable(parts) : undefined;
      // Snowflake resolves the name within the object type given: a view named as TABLE is not found.
      if (!table || grantKeyword(table) !== kw[1]) throw notFound(`${kw[1]} '${showName(parts)}'`);
      const bad = privileges.find((p) => WRITE.has(p) && (kw[1] !== "TABLE" || this.databases.get(table.database)?.kind !== "STANDARD"));
      if (bad) throw new EmulatedSqlError("003011", "0A000", `Invalid privilege ${bad} for ${kw[1]} '${showName(parts)}'.`);
      grantedOn = kw[1].replace(" ", "_");
    }
    c.expectKeyword(grant ? "TO" : "FROM");
    c.expectKeyword("ROLE");
    const role = this.role(c.name());
    c.end();
    const held = this.grants.get(role) ?? [];
    for (const p of privileges) {
      const at = held.findIndex((g) => g.privilege === p && sameParts(g.parts, parts));
      if (grant && at < 0) held.push({ privilege: p, grantedOn, parts });
      if (!grant && at >= 0) held.splice(at, 1);
    }
    this.grants.set(role, held);
    return status("Statement executed successfully.");
  }

  private grantedOnShown(g: Grant): string {
    return this.legacyGrantedOn && g.grantedOn === "VIEW" ? "TABLE" : g.grantedOn;
  }

  private show(c: Cursor): ResultSet {
    if (c.keyword("ROLES")) {
      let like: RegExp | null = null;
      if (c.keyword("LIKE")) like = likeRegex(c.string());
      c.end();
      const rows = [...this.roles]
        .filter(([name]) => !like || like.test(name))
        .map(([name, r]) => [now(), name, "N", "N", "N", "0", "0", "0", "STEWARD", r.comment]);
      return table(
        [
          "created_on",
          "name",
          "is_default",
          "is_current",
          "is_inherited",
          "assigned_to_users",
          "granted_to_roles",
          "granted_roles",
          "owner",
          "comment",
        ],
        rows,
      );
    }
    if (c.keyword("USERS")) {
      c.end();
      return table(
        ["name", "created_on", "login_name", "disabled", "default_secondary_roles"],
        [...this.users].map((u) => [u, now(), u, "false", this.secondaryRoles.get(u) ?? null]),
      );
    }
    if (c.keyword("DATABASES")) {
      c.end();
      return table(
        ["created_on", "name", "kind", "owner"],
        [...this.databases].map(([n, d]) => [now(), n, d.kind, "SYSADMIN"]),
      );
    }
    c.expectKeyword("GRANTS");
    const cols = ["created_on", "privilege", "granted_on", "name", "granted_to", "grantee_name", "grant_option", "granted_by"];
    if (c.keyword("TO", "ROLE")) {
      const role = this.role(c.name());
      c.end();
      const rows = (this.grants.get(role) ?? []).map((g) => [
        now(),
        g.privilege,
        this.grantedOnShown(g),
        showName(g.parts),
        "ROLE",
        role,
        "false",
        "STEWARD",
      ]);
      for (const [child, parents] of this.roleParents)
        if (parents.has(role)) rows.push([now(), "USAGE", "ROLE", child, "ROLE", role, "false", "STEWARD"]);
      return table(cols, rows);
    }
    if (c.keyword("OF", "ROLE")) {
      const role = this.role(c.name());
      c.end();
      const rows: string[][] = [];
      for (const p of this.roleParents.get(role) ?? []) rows.push([now(), role, "ROLE", p, "STEWARD"]);
      for (const u of this.roleUsers.get(role) ?? []) rows.push([now(), role, "USER", u, "STEWARD"]);
      return table(["created_on", "role", "granted_to", "grantee_name", "granted_by"], rows);
    }
    if (c.keyword("ON")) {
      const kw = RELATION_KEYWORDS.find(([words]) => c.keyword(...words));
      if (!kw) throw syntaxError(`unsupported object type near ${c.describe()}`);
      const parts = c.qualified();
      c.end();
      const found = parts.length === 3 ? this.findTable(parts) : undefined;
      if (!found) throw notFound(`${kw[1]} '${showName(parts)}'`);
      const rows: string[][] = [];
      for (const [role, gs] of this.grants)
        for (const g of gs)
          if (sameParts(g.parts, parts))
            rows.push([now(), g.privilege, this.grantedOnShown(g), showName(g.parts), "ROLE", role, "false", "STEWARD"]);
      return table(cols, rows);
    }
    throw syntaxError(`unsupported SHOW GRANTS near ${c.describe()}`);
  }

  /** The few SELECTs Steward runs: the connection test and the information_schema reads. */
  private select(sql: string): ResultSet {
    if (/^\s*SELECT\s+CURRENT_VERSION\(\)/i.test(sql)) return table(["VERSION"], [["9.99.0-emulated"]]);
    const from = /\bFROM\s+((?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*))\.INFORMATION_SCHEMA\.(TABLES|COLUMNS)\b/i.exec(sql);
    if (!from) throw syntaxError("unsupported SELECT");
    const [db] = new Cursor(lex(from[1]!)).qualified();
    if (!db || !this.databases.has(db)) throw notFound(`Database '${from[1]}'`);
    const tables = this.tables.filter((t) => t.database === db);
    if (from[2]!.toUpperCase() === "TABLES")
      return table(
        ["TABLE_SCHEMA", "TABLE_NAME", "TABLE_TYPE", "IS_ICEBERG", "IS_DYNAMIC"],
        tables.map((t) => [t.schema, t.name, t.tableType, t.iceberg ? "YES" : "NO", t.dynamic ? "YES" : "NO"]),
      );
    // NUMBER columns always report precision and scale (NUMBER alone is 38,0), text its length (16 MB by default).
    const num = (n: number | undefined) => (n === undefined ? null : String(n));
    const rows = tables.flatMap((t) =>
      (t.columns ?? []).map((col, i) => [
        t.schema,
        t.name,
        col.name,
        col.dataType,
        col.dataType === "NUMBER" ? num(col.precision ?? 38) : num(col.precision),
        col.dataType === "NUMBER" ? num(col.scale ?? 0) : num(col.scale),
        col.dataType === "TEXT" ? num(col.length ?? 16777216) : null,
        String(i + 1),
        col.nullable === false ? "NO" : "YES",
      ]),
    );
    const names = [
      "TABLE_SCHEMA",
      "TABLE_NAME",
      "COLUMN_NAME",
      "DATA_TYPE",
      "NUMERIC_PRECISION",
      "NUMERIC_SCALE",
      "CHARACTER_MAXIMUM_LENGTH",
      "ORDINAL_POSITION",
      "IS_NULLABLE",
    ];
    const fixed = new Set(["NUMERIC_PRECISION", "NUMERIC_SCALE", "CHARACTER_MAXIMUM_LENGTH", "ORDINAL_POSITION"]);
    return { columns: names.map((name) => ({ name, type: fixed.has(name) ? "fixed" : "text" })), rows };
  }
}

const sameParts = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((p, i) => p === b[i]);
const now = () => "2026-01-01 00:00:00.000 -0800";
const status = (message: string): ResultSet => table(["status"], [[message]]);
const table = (names: string[], rows: (string | null)[][]): ResultSet => ({
  columns: names.map((name) => ({ name, type: "text" })),
  rows,
});

/** SHOW … LIKE: case-insensitive, `%` and `_` wildcards, `\` escapes the next character. */
function likeRegex(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "\\" && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else if (ch === "%") re += ".*";
    else if (ch === "_") re += ".";
    else re += escapeRe(ch);
  }
  return new RegExp(`^${re}$`, "is");
}
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
