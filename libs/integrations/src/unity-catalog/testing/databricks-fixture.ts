/** The access contract's fixture for the Databricks flavor: the local server (databricks-server.ts) with hostile names. */
import type { AccessLevel, AccessObject } from "../../access-types";
import type { ContractFixture } from "../../contract/access-contract";
import { unityCatalogAdapterWith } from "../adapter";
import { memoryGrantLedger } from "../ledger";
import { type DatabricksServer, startDatabricksServer } from "./databricks-server";

export const HOSTILE_ACCOUNTS = [
  "alice@example.test",
  `o'brien"w@example.test`,
  "back`tick+ünïcødé_名前 or x@example.test",
  "carol@example.test",
];

export function databricksConnection(server: DatabricksServer, over: Record<string, unknown> = {}) {
  return {
    config: { url: server.url, flavor: "DATABRICKS", catalogs: ["main"], accountId: server.accountId, accountHost: server.url, ...over },
    credentials: { token: server.adminToken },
  };
}

export async function databricksContractFixture(): Promise<ContractFixture> {
  const server = await startDatabricksServer();
  const m = server.model;
  const paths: [string, string, string][] = [
    ["main", "sales", "orders"],
    ["main", "sales", "customers"],
    ["Ünï cat", "we`ird schema", "t@b-LE 名前"],
  ];
  for (const p of paths) m.addTable(p);
  const objects: AccessObject[] = paths.map((p, i) => ({ id: `o${i}`, path: p, objectType: "TABLE" }));
  for (const a of HOSTILE_ACCOUNTS) m.addUser(a);
  const connection = databricksConnection(server);
  const enc = (parts: string[]) => parts.join(".");
  return {
    adapter: unityCatalogAdapterWith({ ledger: memoryGrantLedger() }),
    connection,
    objects,
    accounts: HOSTILE_ACCOUNTS,
    async levelOf(account, o): Promise<AccessLevel | "NONE"> {
      // Effective access needs USE_CATALOG, USE_SCHEMA and the table privilege, from the user or a group.
      const [cat, schema] = o.path as [string, string, string];
      if (!m.effective(`catalog:${cat}`, account).has("USE_CATALOG")) return "NONE";
      if (!m.effective(`schema:${cat}.${schema}`, account).has("USE_SCHEMA")) return "NONE";
      const t = m.effective(`table:${enc(o.path)}`, account);
      return t.has("SELECT") && t.has("MODIFY") ? "WRITE" : t.has("SELECT") ? "READ" : "NONE";
    },
    async tamper(account, o) {
      // By hand: take the user out of every group that holds the table.
      const id = m.userNamed(account)!.id;
      for (const g of m.groups.values()) if (m.direct(`table:${enc(o.path)}`, g.displayName).size) g.members.delete(id);
    },
    async grantByHand(account, o) {
      m.patch(`catalog:${o.path[0]}`, [{ principal: account, add: ["USE_CATALOG"] }]);
      m.patch(`schema:${o.path[0]}.${o.path[1]}`, [{ principal: account, add: ["USE_SCHEMA"] }]);
      m.patch(`table:${enc(o.path)}`, [{ principal: account, add: ["SELECT"] }]);
    },
    failure(kind) {
      if (kind === "TRANSIENT")
        return {
          connection: databricksConnection(server, { url: "http://127.0.0.1:1", accountHost: "http://127.0.0.1:1" }),
          desired: (d) => d,
        };
      return { connection, desired: (d) => ({ ...d, objects: [...d.objects, ...d.objects.slice(0, 1)] }) };
    },
    cleanup: () => server.stop(),
  };
}
