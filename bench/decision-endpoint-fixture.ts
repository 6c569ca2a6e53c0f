/**
 * The decision-endpoint benchmark's data: one Trino connection's decision snapshot at a realistic
 * size (accounts with ~20 subscriptions each, thousands of registered tables, a few data-policy view
 * specs resolved by the real engine, a profile per account) and the OPA requests Trino sends for it.
 * Seeded, so two runs ask the same questions of the same snapshot.
 */
import { createHash, randomUUID } from "node:crypto";
import type { AccessEntry, AccessObject, DecisionSnapshot } from "@steward/integrations";
import { opaRequest, tableResource } from "@steward/integrations/trino/opa/testing";
import { type DataPolicy, type DataSourceInfo, type ProfileRow, resolveDataPolicies } from "@steward/policy";
import { prng } from "../libs/policy/src/testing";

export const CATALOG = "warehouse";
export const ADMIN_ACCOUNT = "steward_admin";
/** The first tables of schema 0 carry data policies; every account reads one of them. */
const POLICY_TABLES = 20;
const POLICY_COLUMNS = [
  { name: "id", dataType: "bigint", type: "integer", tags: [] },
  { name: "email", dataType: "varchar", type: "text", tags: ["PII.Email"] },
  { name: "phone", dataType: "varchar", type: "text", tags: ["PII.Phone"] },
  { name: "region", dataType: "varchar", type: "text", tags: [] },
  { name: "amount", dataType: "decimal(12,2)", type: "decimal", tags: ["Finance"] },
] as const;

export type Scale = { users: number; schemas: number; tablesPerSchema: number; entriesPerUser: number; seed: number };

export type Fixture = {
  snapshot: DecisionSnapshot;
  objects: AccessObject[];
  /** Per account: the table paths it may read (READ or WRITE subscription). */
  readable: Map<string, [string, string, string][]>;
  accounts: string[];
  entries: number;
  views: number;
};

const account = (i: number) => `user_${String(i).padStart(5, "0")}`;

export function buildFixture(connectionId: string, scale: Scale): Fixture {
  const rng = prng(scale.seed);
  const int = (n: number) => Math.floor(rng() * n);
  const objects: AccessObject[] = [];
  for (let s = 0; s < scale.schemas; s++)
    for (let t = 0; t < scale.tablesPerSchema; t++)
      objects.push({ id: randomUUID(), path: [CATALOG, `schema_${s}`, `table_${t}`], objectType: "TABLE" });

  const accounts = Array.from({ length: scale.users }, (_, i) => account(i));
  const access: AccessEntry[] = [];
  const readable = new Map<string, [string, string, string][]>();
  const profiles: ProfileRow[] = [];
  for (const name of accounts) {
    // Teams work in a couple of home schemas plus one shared, governed customer table.
    const homes = [int(scale.schemas), int(scale.schemas)];
    const chosen = new Set<AccessObject>([objects[int(POLICY_TABLES)]!]);
    while (chosen.size < scale.entriesPerUser)
      chosen.add(objects[homes[int(homes.length)]! * scale.tablesPerSchema + int(scale.tablesPerSchema)]!);
    for (const o of chosen) access.push({ objectId: o.id, accountName: name, level: rng() < 0.2 ? "WRITE" : "READ" });
    readable.set(
      name,
      [...chosen].map((o) => o.path as [string, string, string]),
    );
    profiles.push({
      accountName: name,
      userId: randomUUID(),
      username: name,
      groups: rng() < 0.1 ? ["analysts", "auditors"] : ["analysts"],
      attributes: { region: [rng() < 0.5 ? "EU" : "US"] },
      projectId: null,
      purposes: [],
      sources: [...chosen].map((o) => o.id),
    });
  }

  const sources: DataSourceInfo[] = objects.slice(0, POLICY_TABLES).map((o) => ({
    id: o.id,
    connectionId,
    location: { database: o.path[0]!, schema: o.path[1]!, object: o.path[2]! },
    tags: [],
    columns: POLICY_COLUMNS.map((c) => ({ ...c, tags: [...c.tags] })),
  }));
  const scope = { kind: "connection", connectionId } as const;
  const auditors = { kind: "group", group: "g-auditors" } as const;
  const policies: DataPolicy[] = [
    {
      id: "dp-email",
      name: "hash emails",
      scope,
      rule: { kind: "mask", columns: { kind: "tagged", tag: "PII.Email" }, mask: { kind: "hash" } },
      except: auditors,
      createdAt: new Date(Date.UTC(2026, 0, 1)),
    },
    {
      id: "dp-phone",
      name: "phone last 4",
      scope,
      rule: { kind: "mask", columns: { kind: "tagged", tag: "PII.Phone" }, mask: { kind: "showLast", count: 4 } },
      createdAt: new Date(Date.UTC(2026, 0, 2)),
    },
    {
      id: "dp-amount",
      name: "round amounts",
      scope,
      rule: { kind: "mask", columns: { kind: "tagged", tag: "Finance" }, mask: { kind: "roundNumber", bucket: 100 } },
      except: auditors,
      createdAt: new Date(Date.UTC(2026, 0, 3)),
    },
    {
      id: "dp-region",
      name: "own region",
      scope,
      rule: { kind: "rows", rule: { kind: "matchAttribute", column: "region", attribute: "region" } },
      except: auditors,
      createdAt: new Date(Date.UTC(2026, 0, 4)),
    },
  ];
  const resolved = resolveDataPolicies({ sources, policies, groupNames: new Map([["g-auditors", "auditors"]]), purposeNames: new Map() });
  const views = [...resolved.specs.values()];

  const state: DecisionSnapshot["state"] = {
    connectionId,
    version: 1,
    objects,
    accounts: [...accounts, ADMIN_ACCOUNT],
    access,
    settings: { unmanagedGrants: "REPORT" },
    dataPolicies: { viewsForEverything: false, views, profiles },
    decisions: {
      privilegedAccounts: [ADMIN_ACCOUNT],
      unknownUsers: {
        policies: {
          sources: objects.map((o) => ({
            id: o.id,
            connectionId,
            location: { database: o.path[0]!, schema: o.path[1]!, object: o.path[2]! },
            tags: [],
            status: "ACTIVE" as const,
          })),
          policies: [],
        },
        groupIdsByName: { analysts: "g-analysts", auditors: "g-auditors" },
      },
    },
  };
  const hash = createHash("sha256").update(JSON.stringify(state)).digest("hex");
  return {
    snapshot: { connectionId, version: 1, hash, publishedAt: new Date().toISOString(), state },
    objects,
    readable,
    accounts,
    entries: access.length,
    views: views.length,
  };
}

/** One POST of the load mix and the `result` it must get back (checked once before the load). */
export type MixRequest = { endpoint: "allow" | "batch"; body: string; expect: unknown; label: string };

const withQuery = (request: { input: unknown }, queryId: string) => {
  const input = request.input as { context: Record<string, unknown> };
  return { input: { ...input, context: { ...input.context, queryId } } };
};

/**
 * What Trino asks around one SELECT, per user: ExecuteQuery, AccessCatalog, SelectFromColumns on a
 * table the user reads (allowed) and on one they do not (denied), and FilterCatalogs (SHOW CATALOGS).
 */
export function requestMix(fixture: Fixture, users: number, seed: number): MixRequest[] {
  const rng = prng(seed);
  const mix: MixRequest[] = [];
  const paths = fixture.objects.map((o) => o.path as [string, string, string]);
  for (let u = 0; u < users; u++) {
    const name = fixture.accounts[Math.floor(rng() * fixture.accounts.length)]!;
    const mine = fixture.readable.get(name)!;
    const own = new Set(mine.map((p) => p.join(".")));
    const allowedTable = mine[Math.floor(rng() * mine.length)]!;
    let deniedTable = paths[Math.floor(rng() * paths.length)]!;
    while (own.has(deniedTable.join("."))) deniedTable = paths[Math.floor(rng() * paths.length)]!;
    const q = `20261202_${String(u).padStart(6, "0")}_00000_bench`;
    const ask = (endpoint: MixRequest["endpoint"], label: string, action: unknown, expect: unknown): MixRequest => ({
      endpoint,
      label,
      body: JSON.stringify(withQuery(opaRequest(name, action, ["analysts"]), q)),
      expect,
    });
    const columns = ["id", "name", "created_at"];
    mix.push(
      ask("allow", "ExecuteQuery", { operation: "ExecuteQuery" }, true),
      ask("allow", "AccessCatalog", { operation: "AccessCatalog", resource: { catalog: { name: CATALOG } } }, true),
      ask(
        "allow",
        "SelectFromColumns allowed",
        { operation: "SelectFromColumns", resource: tableResource(...allowedTable, columns) },
        true,
      ),
      ask("allow", "SelectFromColumns denied", { operation: "SelectFromColumns", resource: tableResource(...deniedTable, columns) }, false),
      ask(
        "batch",
        "FilterCatalogs",
        { operation: "FilterCatalogs", filterResources: [CATALOG, "system", "tpch"].map((name) => ({ catalog: { name } })) },
        [0, 1, 2],
      ),
    );
  }
  return mix;
}

/** A batch FilterColumns of one table the user reads, with `columns` columns. */
export function filterColumnsRequest(fixture: Fixture, columns: number): { body: string; user: string } {
  const user = fixture.accounts[0]!;
  const table = fixture.readable.get(user)![1]!;
  const names = Array.from({ length: columns }, (_, i) => `column_${String(i).padStart(4, "0")}`);
  const body = opaRequest(user, { operation: "FilterColumns", filterResources: [tableResource(...table, names)] }, ["analysts"]);
  return { body: JSON.stringify(withQuery(body, "20261202_000000_00001_bench")), user };
}
