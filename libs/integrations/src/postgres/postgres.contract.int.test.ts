import { runAccessContract } from "../contract/access-contract";
import { HOSTILE_NAMES } from "../sql/hostile-names";
import { qualified, quoteIdent } from "../sql/quote";
import { postgresAdapter } from "./adapter";
import { scopePrefix } from "./grants/naming";
import { cleanup, postgresContractProbes, query, runId } from "./grants/testing";

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
    ...postgresContractProbes(sql, prefix, rel),
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
