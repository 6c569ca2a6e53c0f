/** A Snowflake contract fixture: the wire emulator with a few hostile-named tables and users. */
import type { AccessConnection, AccessLevel, AccessObject } from "../../access-types";
import type { ContractFixture } from "../../contract/access-contract";
import { snowflakeAdapter } from "../adapter";
import { EmulatedSqlError } from "./lexer";
import { grantKeyword } from "./model";
import { startWireServer, type WireServer } from "./wire-server";

export const STEWARD_USER = "STEWARD_SVC";
export const STEWARD_ROLE = "STEWARD_ADMIN";
export const STEWARD_PASSWORD = "s3cret";

export function connectionFor(server: WireServer, databases: string[], over: Record<string, unknown> = {}): AccessConnection {
  return {
    config: {
      account: "emulated",
      host: server.url,
      user: STEWARD_USER,
      role: STEWARD_ROLE,
      warehouse: "WH",
      databases,
      loginRetries: 0,
      ...over,
    },
    credentials: { password: STEWARD_PASSWORD },
  };
}

export async function startEmulatedAccount(): Promise<WireServer> {
  const server = await startWireServer();
  server.model.addUser(STEWARD_USER, STEWARD_PASSWORD);
  server.model.addRole(STEWARD_ROLE);
  return server;
}

export async function snowflakeContractFixture(): Promise<ContractFixture> {
  const server = await startEmulatedAccount();
  const m = server.model;
  const tables = [
    { database: "SALES_DB", schema: "PUBLIC", name: "ORDERS" },
    { database: "SALES_DB", schema: 'we"ird.schema', name: "Robert'); DROP ROLE x; --" },
    { database: "Ünïcødé DB", schema: "back`tick", name: "名前 table" },
  ];
  for (const t of tables) m.addTable({ ...t, tableType: "BASE TABLE", columns: [{ name: "ID", dataType: "NUMBER" }] });
  const objects: AccessObject[] = tables.map((t, i) => ({ id: `obj-${i}`, path: [t.database, t.schema, t.name], objectType: "TABLE" }));
  const accounts = ["ALICE", 'bob "the" builder', "čarlie.名", "DAVE\\"];
  for (const a of accounts) m.addUser(a);
  const tableOf = (o: AccessObject) => m.findTable(o.path)!;
  let failAll = false;
  m.refuse = (sql) =>
    failAll && !/^SHOW|^SELECT/.test(sql) ? new EmulatedSqlError("001003", "42000", "SQL compilation error: refused by the test") : null;
  let hand = 0;
  const connection = connectionFor(server, ["SALES_DB", "Ünïcødé DB"]);
  const q = (sql: string) => m.execute(sql);
  const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;
  return {
    adapter: snowflakeAdapter,
    connection,
    objects,
    accounts,
    async levelOf(account, object): Promise<AccessLevel | "NONE"> {
      const p = m.privilegesOf(account, tableOf(object));
      return p.has("INSERT") ? "WRITE" : p.has("SELECT") ? "READ" : "NONE";
    },
    async tamper(account, object) {
      // Take away, by hand, the memberships through which the account reaches the object.
      const t = tableOf(object);
      for (const role of m.rolesOfUser(account)) {
        const holds = (m.grants.get(role) ?? []).some((g) => g.parts.join("\0") === [t.database, t.schema, t.name].join("\0"));
        if (!holds) continue;
        if (m.roleUsers.get(role)?.has(account)) q(`REVOKE ROLE ${ident(role)} FROM USER ${ident(account)}`);
        for (const parent of m.roleParents.get(role) ?? [])
          if (m.rolesOfUser(account).has(parent)) q(`REVOKE ROLE ${ident(role)} FROM ROLE ${ident(parent)}`);
      }
    },
    async grantByHand(account, object) {
      const role = `HAND_MADE_${++hand}`;
      const t = tableOf(object);
      q(`CREATE ROLE ${ident(role)}`);
      q(`GRANT USAGE ON DATABASE ${ident(t.database)} TO ROLE ${ident(role)}`);
      q(`GRANT USAGE ON SCHEMA ${ident(t.database)}.${ident(t.schema)} TO ROLE ${ident(role)}`);
      q(`GRANT SELECT ON ${grantKeyword(t)} ${[t.database, t.schema, t.name].map(ident).join(".")} TO ROLE ${ident(role)}`);
      q(`GRANT ROLE ${ident(role)} TO USER ${ident(account)}`);
    },
    failure(kind) {
      if (kind === "TRANSIENT") {
        // Nothing listens on port 9 of the loopback: the driver cannot connect (UNREACHABLE).
        return { connection: connectionFor(server, ["SALES_DB", "Ünïcødé DB"], { host: "http://127.0.0.1:9" }), desired: (d) => d };
      }
      // The account refuses every change: the first statement fails and nothing is applied.
      failAll = true;
      return {
        connection: {
          ...connection,
          get config() {
            return connection.config;
          },
        },
        desired: (d) => d,
      };
    },
    cleanup: () => server.close(),
  };
}
