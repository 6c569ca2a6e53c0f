import { describe, expect, it } from "vitest";
import type { AccessDesiredState } from "../access-types";
import { BASE_OBJECT_SUFFIX, grantsTarget, neutralFinding, perDatabase } from "./access";
import { policyViewName } from "./views/naming";

const desired: AccessDesiredState = {
  connectionId: "c1",
  version: 7,
  objects: [
    { id: "o1", path: ["wh", "sales", "orders"], objectType: "TABLE" },
    { id: "o2", path: ["lake", "raw", "events"], objectType: "VIEW" },
    { id: "bad", path: ["bucket", "prefix"], objectType: "PREFIX" },
  ],
  accounts: ["alice", "bob"],
  access: [
    { objectId: "o1", accountName: "alice", level: "READ" },
    { objectId: "o2", accountName: "bob", level: "WRITE" },
    { objectId: "bad", accountName: "bob", level: "READ" },
  ],
  scope: { accounts: ["bob"] },
  settings: { unmanagedGrants: "REVOKE" },
};

describe("PostgreSQL adapter: neutral desired state → one state per database", () => {
  it("splits by the path's database, keeps every configured database, and carries scope and settings", () => {
    const { states, warnings } = perDatabase(desired, ["wh", "empty"]);
    expect(states.map((s) => s.database)).toEqual(["wh", "lake", "empty"]);
    expect(states[0]).toEqual({
      connectionId: "c1",
      version: 7,
      database: "wh",
      objects: [{ id: "o1", schema: "sales", name: "orders", objectType: "TABLE" }],
      users: [{ accountName: "alice" }, { accountName: "bob" }],
      access: [{ objectId: "o1", accountName: "alice", level: "READ" }],
      onlyAccounts: ["bob"],
      unmanagedGrants: "REVOKE",
    });
    expect(states[2]).toMatchObject({ database: "empty", objects: [], access: [] });
    expect(warnings).toEqual([expect.stringContaining("object bad")]);
  });

  it("resolves where to connect from the stored config and credentials, or a CONFIGURATION error", () => {
    expect(grantsTarget({ config: { host: "db", user: "steward", databases: ["wh"] }, credentials: { password: "pw" } })).toEqual({
      target: { host: "db", port: 5432, user: "steward", password: "pw", sslMode: "disable" },
      databases: ["wh"],
    });
    expect(grantsTarget({ config: { host: "db" }, credentials: {} })).toMatchObject({ error: { errorClass: "CONFIGURATION" } });
  });

  it("marks unmanaged grants repairable only when revoking is both asked for and supported", () => {
    const f = { kind: "UNMANAGED_GRANT" as const, grantee: "carol", objectId: "o1", schema: "s", name: "t", privileges: ["SELECT"] };
    expect(neutralFinding(f, desired, false)).toMatchObject({ repairable: false, accountName: "carol" });
    expect(neutralFinding(f, desired, true)).toMatchObject({ repairable: true });
    expect(neutralFinding(f, { ...desired, settings: { unmanagedGrants: "REPORT" } }, true)).toMatchObject({ repairable: false });
    expect(neutralFinding({ kind: "MISSING_OBJECT", objectId: "o1", schema: "s", name: "t" }, desired, true).repairable).toBe(false);
    expect(neutralFinding({ kind: "EXTRA_ROLE", role: "stw_x" }, desired, false).repairable).toBe(true);
  });

  it("grants a policied source through its view: READ → view; WRITE → view + base without SELECT; profiles go along", () => {
    const spec = { sourceId: "o1", columns: [], rowFilter: null, policyIds: ["p"], conflicts: [] };
    const profile = {
      accountName: "bob",
      userId: "u",
      username: "bob",
      groups: [],
      attributes: {},
      projectId: null,
      purposes: [],
      sources: ["o1"],
    };
    const per = perDatabase(
      {
        ...desired,
        access: [...desired.access, { objectId: "o1", accountName: "bob", level: "WRITE" }],
        dataPolicies: { viewsForEverything: false, views: [spec], profiles: [profile], hashSalt: "s" },
      },
      ["wh"],
    );
    const wh = per.states.find((s) => s.database === "wh")!;
    expect(wh.objects).toEqual([
      { id: "o1", schema: "steward_views", name: policyViewName("sales", "orders"), objectType: "VIEW" },
      { id: `o1${BASE_OBJECT_SUFFIX}`, schema: "sales", name: "orders", objectType: "TABLE", selectWithheld: true },
    ]);
    expect(wh.access).toEqual([
      { objectId: "o1", accountName: "alice", level: "READ" },
      { objectId: "o1", accountName: "bob", level: "READ" },
      { objectId: `o1${BASE_OBJECT_SUFFIX}`, accountName: "bob", level: "WRITE" },
    ]);
    // The source without a spec keeps its direct grant.
    expect(per.states.find((s) => s.database === "lake")!.objects).toEqual([
      { id: "o2", schema: "raw", name: "events", objectType: "VIEW" },
    ]);
    expect(per.views.get("wh")).toEqual({
      database: "wh",
      views: [{ spec, base: { schema: "sales", name: "orders" } }],
      profiles: [profile],
      hashSalt: "s",
      scopeAccounts: ["bob"],
    });
    const finding = neutralFinding(
      { kind: "MISSING_OBJECT", objectId: `o1${BASE_OBJECT_SUFFIX}`, schema: "sales", name: "orders" },
      desired,
      true,
    );
    expect(finding).toMatchObject({ objectId: "o1", baseTable: true });
  });

  it("without data policies there is no views step at all", () => {
    expect(perDatabase(desired, ["wh"]).views.size).toBe(0);
  });
});
