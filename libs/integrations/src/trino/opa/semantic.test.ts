/**
 * What the decisions mean: READ / WRITE / OWN / CREATE, the grant mapping, both operation settings,
 * admins and Steward's own user, unknown users in both modes, visibility filtering, system rules, and
 * denial reasons in words.
 */
import type { SubscriptionPolicy } from "@steward/policy";
import { describe, expect, it } from "vitest";
import type { TrinoConfig } from "../config";
import { decide } from "./decide";
import { opaRequest, profile, type SnapshotInput, tableResource, testIndex } from "./testing";

const ANALYSTS_READ: SubscriptionPolicy = {
  id: "p-analysts",
  name: "Analysts read customers",
  accessType: "READ",
  restriction: { kind: "conditions", condition: { kind: "group", group: "g-analysts" } },
  scope: { kind: "sources", sourceIds: ["customers"] },
};
const WRITERS_WRITE: SubscriptionPolicy = {
  id: "p-writers",
  name: "Writers write customers",
  accessType: "WRITE",
  restriction: { kind: "conditions", condition: { kind: "group", group: "g-writers" } },
  scope: { kind: "sources", sourceIds: ["customers"] },
};

const BASE: SnapshotInput = {
  objects: [
    { id: "customers", path: ["sales", "crm", "customers"] },
    { id: "orders", path: ["sales", "crm", "orders"] },
    { id: "salaries", path: ["hr", "people", "salaries"] },
  ],
  access: [
    { accountName: "alice", objectId: "customers", level: "READ" },
    { accountName: "alice", objectId: "orders", level: "WRITE" },
    { accountName: "bob", objectId: "salaries", level: "READ" },
  ],
  accounts: ["alice", "bob", "carol", "dana"],
  privileged: ["dana"],
  policies: [ANALYSTS_READ, WRITERS_WRITE],
  groupIdsByName: { analysts: "g-analysts", writers: "g-writers" },
  profiles: [profile("alice", "u-alice"), profile("bob", "u-bob", { groups: ["writers"] }), profile("carol", "u-carol")],
};

function ask(config: Partial<TrinoConfig>, user: string, action: unknown, groups: string[] = [], input: SnapshotInput = BASE) {
  const answer = decide(testIndex(input, config), "allow", opaRequest(user, action, groups));
  expect(answer.status).toBe(200);
  return { allowed: (answer.body as { result: boolean }).result, record: answer.records[0]! };
}
const on = (operation: string, c: string, s: string, t: string, columns?: string[]) => ({
  operation,
  resource: tableResource(c, s, t, columns),
});
const allowed = (config: Partial<TrinoConfig>, user: string, action: unknown, groups: string[] = []) =>
  ask(config, user, action, groups).allowed;

function batch(config: Partial<TrinoConfig>, user: string, operation: string, filterResources: unknown[], groups: string[] = []) {
  const answer = decide(testIndex(BASE, config), "batch", opaRequest(user, { operation, filterResources }, groups));
  expect(answer.status).toBe(200);
  return (answer.body as { result: number[] }).result;
}

describe("access values on registered objects", () => {
  it("READ: SELECT and SHOW need a subscription", () => {
    expect(allowed({}, "alice", on("SelectFromColumns", "sales", "crm", "customers", ["id"]))).toBe(true);
    expect(allowed({}, "alice", on("ShowColumns", "sales", "crm", "customers"))).toBe(true);
    expect(allowed({}, "alice", on("SelectFromColumns", "hr", "people", "salaries", ["pay"]))).toBe(false);
    expect(allowed({}, "carol", on("ShowCreateTable", "sales", "crm", "customers"))).toBe(false);
  });

  it("WRITE: INSERT, UPDATE, DELETE, TRUNCATE, REFRESH need a WRITE subscription (READ ones do not write)", () => {
    for (const op of ["InsertIntoTable", "DeleteFromTable", "TruncateTable", "UpdateTableColumns", "RefreshMaterializedView"]) {
      expect(allowed({}, "alice", on(op, "sales", "crm", "orders")), op).toBe(true);
      expect(allowed({}, "alice", on(op, "sales", "crm", "customers")), op).toBe(false);
    }
    expect(allowed({}, "alice", on("SelectFromColumns", "sales", "crm", "orders"))).toBe(true); // WRITE → READ, WRITE
  });

  it("OWN: denied on registered objects by default, allowed when the settings map WRITE to OWN", () => {
    const drop = on("DropTable", "sales", "crm", "orders");
    expect(allowed({}, "alice", drop)).toBe(false);
    expect(allowed({ writeGrants: ["READ", "WRITE", "OWN"] }, "alice", drop)).toBe(false); // still above the ceiling
    const owning: Partial<TrinoConfig> = { writeGrants: ["READ", "WRITE", "OWN"], registeredOperations: ["READ", "WRITE", "OWN"] };
    expect(allowed(owning, "alice", drop)).toBe(true);
    expect(allowed(owning, "alice", on("SetTableComment", "sales", "crm", "orders"))).toBe(true);
    expect(allowed(owning, "alice", on("DropTable", "sales", "crm", "customers"))).toBe(false); // READ only
  });

  it("CREATE: for objects not registered in Steward, per unregisteredOperations", () => {
    const create = on("CreateTable", "sales", "crm", "new_table");
    expect(allowed({}, "carol", create)).toBe(true);
    expect(allowed({ unregisteredOperations: ["READ", "WRITE"] }, "carol", create)).toBe(false);
    // A registered name cannot be created by a subscriber (CREATE is not a registered operation).
    expect(allowed({}, "alice", on("CreateTable", "sales", "crm", "orders"))).toBe(false);
    expect(
      allowed({}, "carol", { operation: "CreateSchema", resource: { schema: { catalogName: "lab", schemaName: "tmp", properties: {} } } }),
    ).toBe(true);
  });

  it("the grant mapping: READ subscriptions may be configured to write", () => {
    const insert = on("InsertIntoTable", "sales", "crm", "customers");
    expect(allowed({}, "alice", insert)).toBe(false);
    expect(allowed({ readGrants: ["READ", "WRITE"] }, "alice", insert)).toBe(true);
    // A WRITE subscription that maps to WRITE only does not read.
    expect(allowed({ writeGrants: ["WRITE"] }, "alice", on("SelectFromColumns", "sales", "crm", "orders"))).toBe(false);
  });

  it("registeredOperations is a ceiling over every grant", () => {
    expect(allowed({ registeredOperations: ["READ"] }, "alice", on("InsertIntoTable", "sales", "crm", "orders"))).toBe(false);
    expect(allowed({ registeredOperations: ["READ"] }, "alice", on("SelectFromColumns", "sales", "crm", "orders"))).toBe(true);
  });
});

describe("unregistered objects", () => {
  const nation = (op: string) => on(op, "tpch", "tiny", "nation");
  it("allow unregisteredOperations to everyone Steward knows", () => {
    expect(allowed({}, "carol", nation("SelectFromColumns"))).toBe(true);
    expect(allowed({}, "carol", nation("DropTable"))).toBe(true);
    expect(allowed({ unregisteredOperations: ["READ"] }, "carol", nation("DropTable"))).toBe(false);
    expect(allowed({ unregisteredOperations: [] }, "carol", nation("SelectFromColumns"))).toBe(false);
  });

  it("containers holding registered objects need the permission on each of them", () => {
    const dropSchema = (c: string, s: string) => ({ operation: "DropSchema", resource: { schema: { catalogName: c, schemaName: s } } });
    expect(allowed({}, "alice", dropSchema("tpch", "tiny"))).toBe(true);
    expect(allowed({}, "alice", dropSchema("sales", "crm"))).toBe(false);
    expect(allowed({}, "dana", dropSchema("sales", "crm"))).toBe(true);
  });

  it("renames need OWN on the old name and CREATE on the new one", () => {
    const rename = (from: string, to: string) => ({
      operation: "RenameTable",
      resource: tableResource("sales", "crm", from),
      targetResource: tableResource("sales", "crm", to),
    });
    expect(allowed({}, "carol", rename("scratch", "scratch2"))).toBe(true);
    expect(allowed({}, "carol", rename("scratch", "orders"))).toBe(false); // target is registered
    expect(allowed({}, "alice", rename("orders", "orders_old"))).toBe(false); // OWN on a registered object
  });
});

describe("admins and Steward itself", () => {
  it("Steward admins and Steward's own user hold every permission", () => {
    for (const user of ["dana", "steward"]) {
      expect(allowed({}, user, on("DropTable", "hr", "people", "salaries"))).toBe(true);
      expect(allowed({}, user, { operation: "ReadSystemInformation" })).toBe(true);
      expect(allowed({}, user, { operation: "KillQueryOwnedBy", resource: { user: { user: "alice", groups: [] } } })).toBe(true);
    }
    expect(allowed({}, "alice", { operation: "ReadSystemInformation" })).toBe(false);
    expect(allowed({}, "alice", { operation: "WriteSystemInformation" })).toBe(false);
  });
});

describe("system rules", () => {
  it("queries, session properties and functions are allowed to known users", () => {
    expect(allowed({}, "carol", { operation: "ExecuteQuery" })).toBe(true);
    expect(allowed({}, "carol", { operation: "SetSystemSessionProperty", resource: { systemSessionProperty: { name: "x" } } })).toBe(true);
    expect(
      allowed({}, "carol", {
        operation: "ExecuteFunction",
        resource: { function: { catalogName: "c", schemaName: "s", functionName: "f" } },
      }),
    ).toBe(true);
  });

  it("impersonation and query owners: oneself only, admins anyone", () => {
    const imp = (u: string) => ({ operation: "ImpersonateUser", resource: { user: { user: u } } });
    expect(allowed({}, "alice", imp("alice"))).toBe(true);
    expect(allowed({}, "alice", imp("bob"))).toBe(false);
    expect(allowed({}, "dana", imp("bob"))).toBe(true);
    const view = (u: string) => ({ operation: "ViewQueryOwnedBy", resource: { user: { user: u, groups: [] } } });
    expect(allowed({}, "alice", view("alice"))).toBe(true);
    expect(allowed({}, "alice", view("bob"))).toBe(false);
    expect(batch({}, "alice", "FilterViewQueryOwnedBy", [{ user: { user: "bob" } }, { user: { user: "alice" } }])).toEqual([1]);
  });

  it("functions need CREATE/OWN on their schema per the unregistered setting", () => {
    const fn = (operation: string) => ({ operation, resource: { function: { catalogName: "lab", schemaName: "fns", functionName: "f" } } });
    expect(allowed({}, "carol", fn("CreateFunction"))).toBe(true);
    expect(allowed({ unregisteredOperations: ["READ"] }, "carol", fn("CreateFunction"))).toBe(false);
    expect(allowed({ unregisteredOperations: ["CREATE"] }, "carol", fn("DropFunction"))).toBe(false);
  });

  it("an unknown operation is denied with a record naming it", () => {
    const r = ask({}, "dana", { operation: "DoSomethingNew", resource: tableResource("a", "b", "c") });
    expect(r.allowed).toBe(false);
    expect(r.record.reason).toContain("unknown operation DoSomethingNew");
  });
});

describe("unknown users", () => {
  const select = on("SelectFromColumns", "sales", "crm", "customers", ["id"]);
  it("DENY: nothing, not even a query, and the record says why", () => {
    const r = ask({}, "eve", { operation: "ExecuteQuery" }, ["analysts"]);
    expect(r.allowed).toBe(false);
    expect(r.record.reason).toContain("not known to Steward");
    expect(r.record.userId).toBeNull();
    expect(allowed({}, "eve", on("SelectFromColumns", "tpch", "tiny", "nation"), ["analysts"])).toBe(false);
  });

  it("TRINO_GROUPS: the subscription policies decide over the groups Trino sends", () => {
    const cfg: Partial<TrinoConfig> = { unknownUsers: "TRINO_GROUPS" };
    expect(allowed(cfg, "eve", select, ["analysts"])).toBe(true);
    expect(allowed(cfg, "eve", select, ["other", "ANALYSTS"])).toBe(false);
    expect(allowed(cfg, "eve", on("InsertIntoTable", "sales", "crm", "customers"), ["analysts"])).toBe(false);
    expect(allowed(cfg, "eve", on("InsertIntoTable", "sales", "crm", "customers"), ["analysts", "writers"])).toBe(true);
    expect(allowed(cfg, "eve", on("SelectFromColumns", "tpch", "tiny", "nation"), [])).toBe(true); // unregistered
    const denied = ask(cfg, "eve", select, ["other"]);
    expect(denied.record.reason).toContain("not known to Steward");
    expect(denied.record.reason).toContain("no subscription");
  });

  it("caches one evaluation per group set, whatever the order", () => {
    const index = testIndex(BASE, { unknownUsers: "TRINO_GROUPS" });
    for (const groups of [
      ["analysts", "writers"],
      ["writers", "analysts"],
      ["writers", "analysts", "unknown-group"],
    ]) {
      decide(index, "allow", opaRequest("eve", select, groups));
    }
    decide(index, "allow", opaRequest("frank", select, ["analysts"]));
    expect(index.groupCache.size).toBe(2);
  });
});

describe("visibility", () => {
  const catalogs = ["sales", "hr", "tpch"].map((name) => ({ catalog: { name } }));
  const schemas = [
    { schema: { catalogName: "sales", schemaName: "crm" } },
    { schema: { catalogName: "hr", schemaName: "people" } },
    { schema: { catalogName: "sales", schemaName: "other" } },
  ];
  const tables = [
    tableResource("sales", "crm", "customers"),
    tableResource("sales", "crm", "orders"),
    tableResource("hr", "people", "salaries"),
  ];

  it("with unregistered objects readable, every catalog and schema shows; tables only when readable", () => {
    expect(batch({}, "alice", "FilterCatalogs", catalogs)).toEqual([0, 1, 2]);
    expect(batch({}, "alice", "FilterTables", tables)).toEqual([0, 1]);
    expect(batch({}, "bob", "FilterTables", tables)).toEqual([2]);
  });

  it("without, users see only the catalogs and schemas holding something they may read", () => {
    const cfg: Partial<TrinoConfig> = { unregisteredOperations: [] };
    expect(batch(cfg, "alice", "FilterCatalogs", catalogs)).toEqual([0]);
    expect(batch(cfg, "bob", "FilterCatalogs", catalogs)).toEqual([1]);
    expect(batch(cfg, "carol", "FilterCatalogs", catalogs)).toEqual([]);
    expect(batch(cfg, "dana", "FilterCatalogs", catalogs)).toEqual([0, 1, 2]);
    expect(batch(cfg, "alice", "FilterSchemas", schemas)).toEqual([0]);
    expect(allowed(cfg, "alice", { operation: "ShowTables", resource: schemas[1] })).toBe(false);
    expect(allowed(cfg, "bob", { operation: "AccessCatalog", resource: catalogs[1] })).toBe(true);
    expect(allowed(cfg, "bob", { operation: "ShowSchemas", resource: catalogs[0] })).toBe(false);
  });

  it("a schema whose every known object is governed shows only to those who may read one of them", () => {
    // The last sync found unregistered objects in sales.other only; tpch is unknown to Steward.
    const known: SnapshotInput = { ...BASE, unregisteredContainers: [["sales"], ["sales", "other"]] };
    const filter = (user: string, operation: string, resources: unknown[]) => {
      const answer = decide(testIndex(known), "batch", opaRequest(user, { operation, filterResources: resources }));
      return (answer.body as { result: number[] }).result;
    };
    expect(filter("bob", "FilterSchemas", schemas)).toEqual([1, 2]);
    expect(filter("alice", "FilterSchemas", schemas)).toEqual([0, 2]);
    expect(filter("carol", "FilterSchemas", schemas)).toEqual([2]);
    // hr holds only governed objects: hidden from carol; sales holds unregistered ones; tpch is unknown.
    expect(filter("carol", "FilterCatalogs", catalogs)).toEqual([0, 2]);
    expect(filter("dana", "FilterSchemas", schemas)).toEqual([0, 1, 2]);
  });

  it("FilterColumns answers positions in the table's columns: all when readable, none otherwise", () => {
    const cols = ["id", "name", "email"];
    expect(batch({}, "alice", "FilterColumns", [tableResource("sales", "crm", "customers", cols)])).toEqual([0, 1, 2]);
    expect(batch({}, "bob", "FilterColumns", [tableResource("sales", "crm", "customers", cols)])).toEqual([]);
    // Non-batch mode: one request per column on the allow endpoint.
    expect(allowed({}, "alice", on("FilterColumns", "sales", "crm", "customers", ["email"]))).toBe(true);
  });
});

describe("denial reasons", () => {
  it("a known user without a subscription: which policies exist and what the user lacks", () => {
    const r = ask({}, "carol", on("SelectFromColumns", "sales", "crm", "customers", ["id"]));
    expect(r.allowed).toBe(false);
    expect(r.record.userId).toBe("u-carol");
    expect(r.record.reason).toContain("carol has no subscription");
    expect(r.record.reason).toContain('"Analysts read customers"');
    expect(r.record.reason).toContain("membership of group analysts");
    expect(r.record.policyIds).toEqual(["p-analysts", "p-writers"]);
    expect(r.record.resource).toBe("sales.crm.customers(id)");
  });

  it("a subscription that does not reach the permission, and the ceiling, are named", () => {
    expect(ask({}, "alice", on("InsertIntoTable", "sales", "crm", "customers")).record.reason).toContain(
      "holds a READ subscription, which allows READ",
    );
    expect(ask({}, "alice", on("DropTable", "sales", "crm", "orders")).record.reason).toContain(
      "registered in Steward allow only READ, WRITE",
    );
    expect(ask({ unregisteredOperations: ["READ"] }, "alice", on("DropTable", "x", "y", "z")).record.reason).toContain(
      "not registered in Steward",
    );
  });

  it("a batch record counts what was hidden and names the first items", () => {
    const answer = decide(
      testIndex(BASE),
      "batch",
      opaRequest("carol", {
        operation: "FilterTables",
        filterResources: [tableResource("sales", "crm", "customers"), tableResource("tpch", "tiny", "nation")],
      }),
    );
    expect(answer.body).toEqual({ result: [1] });
    expect(answer.records).toHaveLength(1);
    expect(answer.records[0]!.allowed).toBe(false);
    expect(answer.records[0]!.reason).toMatch(/^1 of 2 allowed; hidden: sales\.crm\.customers: READ on sales\.crm\.customers denied/);
  });
});

describe("row filters and masks (without compiling: the compiler is another module's)", () => {
  const filters = (user: string, c: string, s: string, t: string, input: SnapshotInput = BASE) =>
    decide(testIndex(input), "row-filters", opaRequest(user, { operation: "GetRowFilters", resource: tableResource(c, s, t) }));
  const masked: SnapshotInput = {
    ...BASE,
    views: [{ sourceId: "customers", columns: [], rowFilter: null, policyIds: ["dp-1"], conflicts: [] }],
  };

  it("none for admins, unregistered objects, sources without data policy, and users without READ", () => {
    expect(filters("dana", "sales", "crm", "customers", masked).body).toEqual({ result: [] });
    expect(filters("alice", "tpch", "tiny", "nation", masked).body).toEqual({ result: [] });
    expect(filters("alice", "sales", "crm", "orders", masked).body).toEqual({ result: [] });
    expect(filters("bob", "sales", "crm", "customers", masked).body).toEqual({ result: [] });
  });

  it("fail closed for users Steward cannot compile for", () => {
    expect(filters("eve", "sales", "crm", "customers", masked).body).toEqual({ result: [{ expression: "false" }] });
    const noProfile: SnapshotInput = { ...masked, profiles: [] };
    expect(filters("alice", "sales", "crm", "customers", noProfile).body).toEqual({ result: [{ expression: "false" }] });
    const columns = ["id", "email"].map((columnName) => ({
      column: { catalogName: "sales", schemaName: "crm", tableName: "customers", columnName, columnType: "varchar" },
    }));
    const answer = decide(
      testIndex(noProfile),
      "batch-column-masks",
      opaRequest("alice", { operation: "GetColumnMask", filterResources: columns }),
    );
    expect(answer.body).toEqual({ result: [0, 1].map((index) => ({ index, viewExpression: { expression: "NULL" } })) });
    const admin = decide(
      testIndex(masked),
      "batch-column-masks",
      opaRequest("dana", { operation: "GetColumnMask", filterResources: columns }),
    );
    expect(admin.body).toEqual({ result: [] });
  });
});
