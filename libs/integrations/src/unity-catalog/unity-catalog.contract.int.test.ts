import { runAccessContract } from "../contract/access-contract";
import { unityCatalogAdapterWith } from "./adapter";
import { memoryGrantLedger } from "./ledger";
import { startUnityCatalog } from "./testing/uc-runtime";

/**
 * The access contract against the real Unity Catalog OSS server (authorization enabled). OSS names
 * allow only [A-Za-z0-9_@-], so the hostile object names are the ones it accepts (`@`, `-`, mixed
 * case); principals are e-mail addresses with quotes, a backtick and unicode.
 */
runAccessContract("Unity Catalog adapter (real OSS server)", async () => {
  const uc = await startUnityCatalog();
  const api = "/api/2.1/unity-catalog";
  const catalog = "stw_Contract-1";
  const hostileSchema = "We-ird@Schema_2";
  await uc.rest("POST", `${api}/catalogs`, { name: catalog });
  for (const schema of ["sales", hostileSchema]) await uc.rest("POST", `${api}/schemas`, { name: schema, catalog_name: catalog });
  const objects = [
    { id: "o0", path: [catalog, "sales", "orders"], objectType: "TABLE" },
    { id: "o1", path: [catalog, "sales", "customers"], objectType: "TABLE" },
    { id: "o2", path: [catalog, hostileSchema, "t@b-LE"], objectType: "TABLE" },
  ];
  for (const o of objects)
    await uc.rest("POST", `${api}/tables`, {
      name: o.path[2],
      catalog_name: o.path[0],
      schema_name: o.path[1],
      table_type: "EXTERNAL",
      data_source_format: "DELTA",
      columns: [{ name: "id", type_name: "INT", type_text: "int", type_json: "{}", position: 0, nullable: true }],
      storage_location: `file:///tmp/steward-uc-contract/${o.id}`,
    });
  const accounts = ["alice@example.test", `o'brien"w@example.test`, "back`tick+ünïcødé_名前@example.test", "carol@example.test"];
  for (const a of accounts) await uc.createUser(a);

  const enc = (parts: string[]) => parts.map(encodeURIComponent).join(".");
  const privilegesOf = async (type: string, parts: string[], principal: string) => {
    const res = await uc.rest<{ privilege_assignments: { principal: string; privileges: string[] }[] }>(
      "GET",
      `${api}/permissions/${type}/${enc(parts)}?principal=${encodeURIComponent(principal)}`,
    );
    return new Set(res.privilege_assignments.filter((a) => a.principal === principal).flatMap((a) => a.privileges));
  };
  const patch = (type: string, parts: string[], principal: string, add: string[], remove: string[]) =>
    uc.rest("PATCH", `${api}/permissions/${type}/${enc(parts)}`, { changes: [{ principal, add, remove }] });

  const config = { url: uc.url, flavor: "OSS", catalogs: [catalog] };
  const connection = { config, credentials: { token: uc.adminToken } };
  return {
    adapter: unityCatalogAdapterWith({ ledger: memoryGrantLedger() }),
    connection,
    objects,
    accounts,
    async levelOf(account, o) {
      // Effective access in UC needs all three levels: USE CATALOG, USE SCHEMA and the table privilege.
      const [cat, schema] = o.path as [string, string, string];
      if (!(await privilegesOf("catalog", [cat], account)).has("USE CATALOG")) return "NONE";
      if (!(await privilegesOf("schema", [cat, schema], account)).has("USE SCHEMA")) return "NONE";
      const table = await privilegesOf("table", o.path, account);
      return table.has("SELECT") && table.has("MODIFY") ? "WRITE" : table.has("SELECT") ? "READ" : "NONE";
    },
    async tamper(account, o) {
      await patch("table", o.path, account, [], ["SELECT", "MODIFY"]);
    },
    async grantByHand(account, o) {
      await patch("catalog", [o.path[0]!], account, ["USE CATALOG"], []);
      await patch("schema", o.path.slice(0, 2), account, ["USE SCHEMA"], []);
      await patch("table", o.path, account, ["SELECT"], []);
    },
    failure(kind) {
      if (kind === "TRANSIENT")
        return { connection: { config: { ...config, url: "http://127.0.0.1:1" }, credentials: connection.credentials }, desired: (d) => d };
      // An object listed twice is a broken desired state: refused before any request is sent.
      return { connection, desired: (d) => ({ ...d, objects: [...d.objects, ...d.objects.slice(0, 1)] }) };
    },
    cleanup: () => uc.stop(),
  };
});
