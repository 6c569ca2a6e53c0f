import { runAccessContract } from "../contract/access-contract";
import { HOSTILE_NAMES } from "../sql/hostile-names";
import { qualified, quoteIdent } from "../sql/quote";
import { postgresAdapter } from "./adapter";
import { scopePrefix } from "./grants/naming";
import { cleanup, query, runId } from "./grants/testing";

runAccessContract("PostgreSQL adapter (local server)", async () => {
  const run = runId();
  const database = `stw_contract_${run}`;
  const connectionId = "contract"; // the suite's desired states use this id
  const accounts = [`ct${run}_alice`, `ct${run}_Bob "W"`, `${run}"; DROP ROLE postgres; --`, `ct${run}_carol`];
  const hostileSchema = HOSTILE_NAMES[0]!;
  const hostileTable = HOSTILE_NAMES[3]!;
  const objects = [
    { id: "o0", path: [database, "sales", "orders"], objectType: "TABLE" },
    { id: "o1", path: [database, "sales", "customers"], objectType: "TABLE" },
    { id: "o2", path: [database, hostileSchema, hostileTable], objectType: "TABLE" },
  ];
  const rel = (o: { path: string[] }) => qualified(o.path[1]!, o.path[2]!);
  const sql = (text: string, params: unknown[] = []) => query(text, params, { database });
  await query(`CREATE DATABASE ${quoteIdent(database)}`);
  await sql(
    [
      "CREATE SCHEMA sales",
      `CREATE SCHEMA ${quoteIdent(hostileSchema)}`,
      ...objects.map((o) => `CREATE TABLE ${rel(o)} (id int)`),
      `REVOKE ALL ON DATABASE ${quoteIdent(database)} FROM PUBLIC`,
    ].join(";\n"),
  );
  const config = { host: "127.0.0.1", port: 5432, user: "postgres", databases: [database] };
  const prefix = scopePrefix(connectionId, database);
  return {
    adapter: postgresAdapter,
    connection: { config, credentials: { password: "" } },
    objects,
    accounts,
    async levelOf(account, o) {
      const exists = await sql("SELECT 1 FROM pg_roles WHERE rolname = $1", [account]);
      if (exists.rowCount === 0) return "NONE";
      const r = await sql("SELECT has_table_privilege($1, $2, 'INSERT') AS w, has_table_privilege($1, $2, 'SELECT') AS r", [
        account,
        rel(o),
      ]);
      return r.rows[0]!.w ? "WRITE" : r.rows[0]!.r ? "READ" : "NONE";
    },
    async tamper(account, o) {
      // Take the user out of every Steward role that reaches this object, as an admin might by hand.
      const roles = await sql(
        `SELECT DISTINCT r.rolname FROM pg_class c, aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee
         WHERE c.oid = $1::regclass AND starts_with(r.rolname, $2)`,
        [rel(o), prefix],
      );
      for (const { rolname } of roles.rows) await sql(`REVOKE ${quoteIdent(rolname)} FROM ${quoteIdent(account)}`);
    },
    async grantByHand(account, o) {
      await sql(`GRANT SELECT ON ${rel(o)} TO ${quoteIdent(account)}`);
    },
    failure(kind) {
      if (kind === "TRANSIENT") return { connection: { config: { ...config, port: 1 }, credentials: { password: "" } }, desired: (d) => d };
      // An object listed twice is a broken desired state: rejected before anything is sent. (A bad
      // account name is not: the planner skips just that account, see grants/users.ts.)
      return {
        connection: { config, credentials: { password: "" } },
        desired: (d) => ({ ...d, objects: [...d.objects, ...d.objects.slice(0, 1)] }),
      };
    },
    cleanup: () => cleanup({ databases: [database], rolePrefixes: [prefix], roles: accounts }),
  };
});
