import { describe, expect, it } from "vitest";
import type { AccessDesiredState, AccessEntry, AccessObject } from "../access-types";
import { ucAccountRules } from "./accounts";
import { type CurrentGroup, groupPrefix, parseGroup, planGroupAccess } from "./group-planner";
import { type CurrentGrants, currentFrom, ledgerKey, planGrants, prepareState, renderPatch, securableKey } from "./planner";
import { normalizePrivilege, objectTypeOf, spellPrivilege, tablePrivileges } from "./privileges";
import { USER_LOOKUP_BATCH } from "./scim-client";

const state = (
  objects: AccessObject[],
  accounts: string[],
  access: AccessEntry[],
  over: Partial<AccessDesiredState> = {},
): AccessDesiredState => ({
  connectionId: "c",
  version: 1,
  objects,
  accounts,
  access,
  settings: { unmanagedGrants: "REPORT" },
  ...over,
});
/** What the server would answer for every securable when nothing is granted. */
function emptyCurrent(p: ReturnType<typeof prepareState>): CurrentGrants {
  return new Map(p.securables.map((s) => [securableKey(s), new Map()]));
}

describe("privileges", () => {
  it("spells them per server and reads both spellings", () => {
    expect(spellPrivilege("USE_CATALOG", "OSS")).toBe("USE CATALOG");
    expect(spellPrivilege("USE_CATALOG", "DATABRICKS")).toBe("USE_CATALOG");
    expect(["USE CATALOG", "USE_CATALOG", "use  schema", "SELECT"].map(normalizePrivilege)).toEqual([
      "USE_CATALOG",
      "USE_CATALOG",
      "USE_SCHEMA",
      "SELECT",
    ]);
  });

  it("grants MODIFY under WRITE only on MANAGED tables; everything else is SELECT only", () => {
    const cases = ["MANAGED", "EXTERNAL", "VIEW", "MATERIALIZED_VIEW", "STREAMING_TABLE", "FOREIGN", "METRIC_VIEW"].map((t) => [
      t,
      tablePrivileges(objectTypeOf(t, false), "READ").join("+"),
      tablePrivileges(objectTypeOf(t, false), "WRITE").join("+"),
    ]);
    expect(cases).toEqual([
      ["MANAGED", "SELECT", "SELECT+MODIFY"],
      ["EXTERNAL", "SELECT", "SELECT"],
      ["VIEW", "SELECT", "SELECT"],
      ["MATERIALIZED_VIEW", "SELECT", "SELECT"],
      ["STREAMING_TABLE", "SELECT", "SELECT"],
      ["FOREIGN", "SELECT", "SELECT"],
      ["METRIC_VIEW", "SELECT", "SELECT"],
    ]);
    // A managed table in a catalog shared through Delta Sharing is a shared object: read-only.
    expect(tablePrivileges(objectTypeOf("MANAGED", true), "WRITE")).toEqual(["SELECT"]);
  });
});

describe("grant planner (golden requests)", () => {
  const objects = [
    { id: "t1", path: ["main", "sales", "orders"], objectType: "TABLE" },
    { id: "v1", path: ["main", "sales", "orders_v"], objectType: "VIEW" },
  ];
  const access: AccessEntry[] = [
    { objectId: "t1", accountName: "ann@x.test", level: "WRITE" },
    { objectId: "v1", accountName: "ann@x.test", level: "WRITE" },
    { objectId: "t1", accountName: "bo`b@x.test", level: "READ" },
  ];

  it("one PATCH per securable, parents first, in the server's spelling", () => {
    const p = prepareState(state(objects, ["ann@x.test", "bo`b@x.test"], access), ucAccountRules);
    const plan = planGrants(p, emptyCurrent(p), { ledger: new Set(), unmanagedGrants: "REPORT", revokeUnmanaged: true });
    expect(plan.patches.map((x) => renderPatch(x, "DATABRICKS"))).toEqual([
      'PATCH /permissions/catalog/main {"changes":[{"principal":"ann@x.test","add":["USE_CATALOG"],"remove":[]},{"principal":"bo`b@x.test","add":["USE_CATALOG"],"remove":[]}]}',
      'PATCH /permissions/schema/main.sales {"changes":[{"principal":"ann@x.test","add":["USE_SCHEMA"],"remove":[]},{"principal":"bo`b@x.test","add":["USE_SCHEMA"],"remove":[]}]}',
      'PATCH /permissions/table/main.sales.orders {"changes":[{"principal":"ann@x.test","add":["MODIFY","SELECT"],"remove":[]},{"principal":"bo`b@x.test","add":["SELECT"],"remove":[]}]}',
      'PATCH /permissions/table/main.sales.orders_v {"changes":[{"principal":"ann@x.test","add":["SELECT"],"remove":[]}]}',
    ]);
    expect(renderPatch(plan.patches[0]!, "OSS")).toContain('"add":["USE CATALOG"]');
    expect(plan.counts.granted).toBe(8);
  });

  it("reads grants in either spelling as already there; revokes only what the ledger says is Steward's", () => {
    const p = prepareState(state(objects, ["ann@x.test"], [{ objectId: "t1", accountName: "ann@x.test", level: "READ" }]), ucAccountRules);
    const current = emptyCurrent(p);
    const cat = p.securables.find((s) => s.type === "catalog")!;
    const t1 = p.securables.find((s) => s.parts[2] === "orders")!;
    const schema = p.securables.find((s) => s.type === "schema")!;
    current.set(securableKey(cat), currentFrom([{ principal: "ann@x.test", privileges: ["USE CATALOG"] }]));
    current.set(securableKey(schema), currentFrom([{ principal: "ann@x.test", privileges: ["USE_SCHEMA"] }]));
    current.set(
      securableKey(t1),
      currentFrom([
        { principal: "ann@x.test", privileges: ["SELECT", "MODIFY"] },
        { principal: "eve", privileges: ["SELECT"] },
      ]),
    );
    const ledger = new Set([ledgerKey(t1, "ann@x.test", "MODIFY")]);
    const plan = planGrants(p, current, { ledger, unmanagedGrants: "REPORT", revokeUnmanaged: true });
    expect(plan.patches.map((x) => renderPatch(x, "OSS"))).toEqual([
      'PATCH /permissions/table/main.sales.orders {"changes":[{"principal":"ann@x.test","add":[],"remove":["MODIFY"]}]}',
    ]);
    expect(plan.findings.map((f) => `${f.kind} ${f.accountName} ${f.privilege} ${f.repairable}`)).toEqual([
      "STALE_GRANT ann@x.test MODIFY true",
      "UNMANAGED_GRANT eve SELECT false",
    ]);
    const revoking = planGrants(p, current, { ledger, unmanagedGrants: "REVOKE", revokeUnmanaged: true });
    expect(revoking.patches.map((x) => renderPatch(x, "OSS"))).toEqual([
      'PATCH /permissions/table/main.sales.orders {"changes":[{"principal":"ann@x.test","add":[],"remove":["MODIFY"]},{"principal":"eve","add":[],"remove":["SELECT"]}]}',
    ]);
  });

  it("refuses broken input before any request: a short path, a duplicate object, a dotted name", () => {
    for (const bad of [
      [{ id: "a", path: ["main", "t"], objectType: "TABLE" }],
      [objects[0]!, objects[0]!],
      [{ id: "a", path: ["main", "sa.les", "t"], objectType: "TABLE" }],
      [{ id: "a", path: ["main", "s", "nul\0"], objectType: "TABLE" }],
    ])
      expect(() => prepareState(state(bad, [], []), ucAccountRules)).toThrow(/INVALID_INPUT|path|twice|dot|control/);
  });

  it("on the delta path changes only the scope's accounts", () => {
    const p = prepareState(state(objects, ["ann@x.test", "bo`b@x.test"], access, { scope: { accounts: ["bo`b@x.test"] } }), ucAccountRules);
    const plan = planGrants(p, emptyCurrent(p), { ledger: new Set(), unmanagedGrants: "REPORT", revokeUnmanaged: true });
    expect(new Set(plan.patches.flatMap((x) => x.changes.map((c) => c.principal)))).toEqual(new Set(["bo`b@x.test"]));
  });
});

describe("scale: 1,000 users × 5,000 tables × 50 policies", () => {
  it("issues no more requests than the minimal set, and none when nothing changed", () => {
    // 50 policies, each giving one audience of 20 users READ (or WRITE) on 100 tables spread over 50 schemas.
    const users = Array.from({ length: 1000 }, (_, i) => `user${i}@x.test`);
    const objects: AccessObject[] = Array.from({ length: 5000 }, (_, i) => ({
      id: `t${i}`,
      path: ["main", `s${i % 50}`, `t${i}`],
      objectType: "TABLE",
    }));
    const access: AccessEntry[] = [];
    for (let pol = 0; pol < 50; pol++)
      for (let t = pol * 100; t < pol * 100 + 100; t++)
        for (let u = pol * 20; u < pol * 20 + 20; u++)
          access.push({ objectId: `t${t}`, accountName: users[u]!, level: pol % 2 ? "WRITE" : "READ" });
    const p = prepareState(state(objects, users, access), ucAccountRules);
    const plan = planGrants(p, emptyCurrent(p), { ledger: new Set(), unmanagedGrants: "REPORT", revokeUnmanaged: true });
    // A person writes one PATCH per securable that needs a grant: every table, the schemas used, the catalog.
    const minimal = new Set(access.map((a) => `table ${a.objectId}`));
    for (const o of objects) if (minimal.has(`table ${o.id}`)) minimal.add(`schema ${o.path[1]}`);
    minimal.add("catalog main");
    console.log(`UC scale plan: ${plan.patches.length} PATCH requests; minimal ${minimal.size}`);
    expect(plan.patches.length).toBeLessThanOrEqual(minimal.size);

    // Applied: the server now holds exactly that; the ledger has it all; a second plan sends nothing.
    const after: CurrentGrants = emptyCurrent(p);
    const ledger = new Set<string>();
    for (const patch of plan.patches) {
      const perPrincipal = after.get(securableKey(patch.securable))!;
      for (const c of patch.changes) {
        perPrincipal.set(c.principal, new Set(c.add));
        for (const x of c.add) ledger.add(ledgerKey(patch.securable, c.principal, x));
      }
    }
    const again = planGrants(p, after, { ledger, unmanagedGrants: "REPORT", revokeUnmanaged: true });
    console.log(`UC scale no-change reconcile: ${again.patches.length} PATCH requests`);
    expect(again.patches).toEqual([]);
    expect(again.findings).toEqual([]);
  }, 60_000);

  it("Databricks groups: writes (SCIM + PATCH) ≤ a person's minimal with groups; 0 when nothing changed; an audience change is one PATCH", () => {
    const users = Array.from({ length: 1000 }, (_, i) => `user${i}@x.test`);
    const objects: AccessObject[] = Array.from({ length: 5000 }, (_, i) => ({
      id: `t${i}`,
      path: ["main", `s${i % 50}`, `t${i}`],
      objectType: "TABLE",
    }));
    const access: AccessEntry[] = [];
    for (let pol = 0; pol < 50; pol++)
      for (let t = pol * 100; t < pol * 100 + 100; t++)
        for (let u = pol * 20; u < pol * 20 + 20; u++)
          access.push({ objectId: `t${t}`, accountName: users[u]!, level: pol % 2 ? "WRITE" : "READ" });
    const userIds = new Map(users.map((u, i) => [u, `id${i}`]));
    const prefix = groupPrefix("c");
    const options = (ledger: Set<string>) => ({ ledger, unmanagedGrants: "REPORT" as const, revokeUnmanaged: true });
    const p = prepareState(state(objects, users, access), ucAccountRules);
    const first = planGroupAccess({
      prepared: p,
      prefix,
      userIds,
      groups: [],
      foreign: [],
      current: emptyCurrent(p),
      options: options(new Set()),
      scope: null,
    });
    const writes = (x: typeof first) => x.creates.length + x.memberPatches.length + x.patches.length + x.deletes.length;
    // A person with groups: one POST per distinct audience and level (members inline), one PATCH per
    // securable that needs a grant (each table, each schema used, the catalog). To learn user ids they
    // look users up too: at best one list page of 100 per 100 users; Steward batches 20 names a lookup.
    const audiences = new Set(access.map((a) => `${a.level}:${Math.floor(Number(a.objectId.slice(1)) / 100)}`));
    const securables = new Set(access.map((a) => `table ${a.objectId}`));
    for (const o of objects) if (securables.has(`table ${o.id}`)) securables.add(`schema ${o.path[1]}`);
    securables.add("catalog main");
    const minimal = audiences.size + securables.size;
    const reads = { steward: 1 + Math.ceil(users.length / USER_LOOKUP_BATCH), person: Math.ceil(users.length / 100) };
    console.log(
      `UC groups scale plan: ${first.creates.length} group POSTs + ${first.patches.length} permission PATCHes = ${writes(first)} writes; minimal ${minimal} (${audiences.size} POSTs + ${securables.size} PATCHes). Reads before writing: ${reads.steward} SCIM (1 group list + user lookups) vs a person's ${reads.person} user-list pages; permission GETs skipped (no ledger entries yet)`,
    );
    expect(first.creates.length).toBe(50);
    expect(writes(first)).toBeLessThanOrEqual(minimal);
    expect(first.findings.filter((f) => f.kind === "UNKNOWN_USER")).toEqual([]);

    // Applied: groups exist with their members, grants are held and in the ledger.
    const groups: CurrentGroup[] = first.creates.map((c, i) => ({
      id: `g${i}`,
      displayName: c.name,
      level: parseGroup(prefix, c.name)!,
      members: new Map(c.members.map((m) => [m, undefined])),
    }));
    const after: CurrentGrants = emptyCurrent(p);
    const ledger = new Set<string>();
    for (const patch of first.patches) {
      const per = after.get(securableKey(patch.securable))!;
      for (const c of patch.changes) {
        per.set(c.principal, new Set(c.add));
        for (const x of c.add) ledger.add(ledgerKey(patch.securable, c.principal, x));
      }
    }
    const again = planGroupAccess({
      prepared: p,
      prefix,
      userIds,
      groups,
      foreign: [],
      current: after,
      options: options(ledger),
      scope: null,
    });
    console.log(
      `UC groups scale no-change reconcile: ${writes(again)} writes (reads: 1 group list + ${groups.length} group GETs + ${Math.ceil(users.length / USER_LOOKUP_BATCH)} user lookups + ${after.size} permission GETs)`,
    );
    expect(writes(again)).toBe(0);
    expect(again.findings).toEqual([]);

    // One more user in policy 7's audience: one membership PATCH, no grant re-sent.
    const moved = [
      ...access,
      ...Array.from({ length: 100 }, (_, k) => ({ objectId: `t${700 + k}`, accountName: users[999]!, level: "WRITE" as const })),
    ];
    const q = prepareState(state(objects, users, moved), ucAccountRules);
    const changed = planGroupAccess({
      prepared: q,
      prefix,
      userIds,
      groups,
      foreign: [],
      current: after,
      options: options(ledger),
      scope: null,
    });
    console.log(`UC groups scale audience change: ${writes(changed)} writes (${changed.memberPatches.length} membership PATCH)`);
    expect([changed.creates.length, changed.memberPatches.length, changed.patches.length, changed.deletes.length]).toEqual([0, 1, 0, 0]);
    expect(changed.memberPatches[0]!.add).toEqual(["id999"]);
  }, 60_000);
});
