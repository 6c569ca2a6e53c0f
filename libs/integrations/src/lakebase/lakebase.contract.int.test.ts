/**
 * The shared access contract on a Lakebase connection: every call signs in with an OAuth M2M token
 * from the local token endpoint, against a throw-away cluster with scram password logins (testing.ts),
 * so a run that skipped the token flow could not reach the server at all.
 */
import net from "node:net";
import { runAccessContract } from "../contract/access-contract";
import { scopePrefix } from "../postgres/grants/naming";
import { closeSessions } from "../postgres/grants/pool";
import { postgresContractProbes } from "../postgres/grants/testing";
import { HOSTILE_NAMES } from "../sql/hostile-names";
import { qualified, quoteIdent } from "../sql/quote";
import { lakebaseAdapter } from "./adapter";
import { lakebaseConfig, startLakebaseFixture } from "./testing";
import { forgetLakebaseTokens } from "./token-provider";

/** A port nobody listens on: the token endpoint there is unreachable (TRANSIENT). */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

// failure() is synchronous in the contract, so the closed port is found before the suite starts.
const closedPortNow = await closedPort();

runAccessContract("Lakebase adapter (OAuth M2M against a scram cluster)", async () => {
  const f = await startLakebaseFixture();
  const database = "lb_contract";
  const connectionId = "contract"; // the suite's desired states use this id
  const accounts = ["lb_alice", 'lb_Bob "W"', `lb"; DROP ROLE postgres; --`, "lb_carol ünï"];
  const hostileSchema = HOSTILE_NAMES[0]!;
  const hostileTable = HOSTILE_NAMES[3]!;
  const objects = [
    { id: "o0", path: [database, "sales", "orders"], objectType: "TABLE" },
    { id: "o1", path: [database, "sales", "customers"], objectType: "TABLE" },
    { id: "o2", path: [database, hostileSchema, hostileTable], objectType: "TABLE" },
  ];
  const rel = (o: { path: string[] }) => qualified(o.path[1]!, o.path[2]!);
  await f.admin(`CREATE DATABASE ${quoteIdent(database)} OWNER ${quoteIdent(f.clientId)}`);
  await f.admin(`REVOKE ALL ON DATABASE ${quoteIdent(database)} FROM PUBLIC`);
  // The service principal owns the warehouse, as on Lakebase where it created the tables.
  await f.asPrincipal(
    [`CREATE SCHEMA sales`, `CREATE SCHEMA ${quoteIdent(hostileSchema)}`, ...objects.map((o) => `CREATE TABLE ${rel(o)} (id int)`)].join(
      ";\n",
    ),
    database,
  );
  const config = lakebaseAdapter.catalog!.configSchema.parse(lakebaseConfig(f, [database])) as ReturnType<typeof lakebaseConfig>;
  const connection = { config, credentials: { clientSecret: f.clientSecret } };
  const prefix = scopePrefix(connectionId, database);
  const sql = (text: string, params: unknown[] = []) => f.admin(text, params, database);
  const issuedBefore = f.issued.length;

  return {
    adapter: lakebaseAdapter,
    connection,
    objects,
    accounts,
    ...postgresContractProbes(sql, prefix, rel),
    failure(kind) {
      if (kind === "TRANSIENT") {
        // The workspace's token endpoint is unreachable: no token, so no session, so nothing changes.
        const unreachable = { ...config, workspaceUrl: `http://127.0.0.1:${closedPortNow}` };
        return { connection: { config: unreachable, credentials: connection.credentials }, desired: (d) => d };
      }
      return { connection, desired: (d) => ({ ...d, objects: [...d.objects, ...d.objects.slice(0, 1)] }) };
    },
    async cleanup() {
      // The contract must have signed in with issued tokens, never around them.
      if (f.issued.length === issuedBefore) throw new Error("the contract ran without a single OAuth token being issued");
      forgetLakebaseTokens();
      await closeSessions();
      await f.close();
    },
  };
});
