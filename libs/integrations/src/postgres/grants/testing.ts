/** Helpers for the grant reconciler's integration tests and benchmark (not part of the public API). */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { quoteIdent } from "../../sql/quote";
import { passwordOption } from "../password";
import type { GrantsTarget } from "./types";

/** The shared local PostgreSQL (trust auth): any LOGIN role connects without a password. */
export const LOCAL_TARGET: GrantsTarget = { host: "127.0.0.1", port: 5432, user: "postgres" };

export const runId = () => randomBytes(4).toString("hex");

export async function query<T extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: string,
  params: unknown[] = [],
  opts: { database?: string; user?: string; target?: GrantsTarget } = {},
): Promise<pg.QueryResult<T>> {
  const t = opts.target ?? LOCAL_TARGET;
  const client = new pg.Client({
    host: t.host,
    port: t.port,
    user: opts.user ?? t.user,
    password: passwordOption(t.password),
    database: opts.database ?? "postgres",
  });
  client.on("error", () => {});
  await client.connect();
  try {
    return await client.query<T>(sql, params);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Connects as `user` (a real login, not SET ROLE) and reports whether the statement was allowed. */
export async function tryAs(user: string, database: string, sql: string): Promise<"ok" | string> {
  try {
    await query(sql, [], { user, database });
    return "ok";
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Drops a test database, then every role whose name starts with one of `rolePrefixes` or is listed
 * in `roles`. Roles are cluster-wide, so tests and benchmarks must always get here (afterAll/finally).
 */
export async function cleanup(opts: {
  databases: string[];
  rolePrefixes: string[];
  roles?: string[];
  target?: GrantsTarget;
}): Promise<void> {
  const target = opts.target;
  for (const db of opts.databases) await query(`DROP DATABASE IF EXISTS ${quoteIdent(db)} WITH (FORCE)`, [], { target });
  const res = await query<{ rolname: string }>(
    "SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[]) OR EXISTS (SELECT 1 FROM unnest($2::text[]) p WHERE starts_with(rolname, p))",
    [opts.roles ?? [], opts.rolePrefixes],
    { target },
  );
  const names = res.rows.map((r) => r.rolname);
  for (let i = 0; i < names.length; i += 500) {
    const part = names.slice(i, i + 500);
    // Privileges in the shared postgres database would block DROP ROLE; there should be none.
    await query(`DROP ROLE IF EXISTS ${part.map((n) => quoteIdent(n)).join(", ")}`, [], { target });
  }
}

type SqlRunner = (text: string, params?: unknown[]) => Promise<pg.QueryResult>;

/**
 * The access contract's look-and-tamper hooks for any PostgreSQL-family platform (PostgreSQL,
 * Lakebase), given a superuser SQL runner on the governed database and Steward's role prefix there.
 */
export function postgresContractProbes(sql: SqlRunner, rolePrefix: string, rel: (o: { path: string[] }) => string) {
  return {
    async levelOf(account: string, o: { path: string[] }): Promise<"READ" | "WRITE" | "NONE"> {
      const exists = await sql("SELECT 1 FROM pg_roles WHERE rolname = $1", [account]);
      if (exists.rowCount === 0) return "NONE";
      const r = await sql("SELECT has_table_privilege($1, $2, 'INSERT') AS w, has_table_privilege($1, $2, 'SELECT') AS r", [
        account,
        rel(o),
      ]);
      return r.rows[0]!.w ? "WRITE" : r.rows[0]!.r ? "READ" : "NONE";
    },
    /** Takes the user out of every Steward role that reaches this object, as an admin might by hand. */
    async tamper(account: string, o: { path: string[] }): Promise<void> {
      const roles = await sql(
        `SELECT DISTINCT r.rolname FROM pg_class c, aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee
         WHERE c.oid = $1::regclass AND starts_with(r.rolname, $2)`,
        [rel(o), rolePrefix],
      );
      for (const { rolname } of roles.rows) await sql(`REVOKE ${quoteIdent(rolname)} FROM ${quoteIdent(account)}`);
    },
    async grantByHand(account: string, o: { path: string[] }): Promise<void> {
      await sql(`GRANT SELECT ON ${rel(o)} TO ${quoteIdent(account)}`);
    },
  };
}
