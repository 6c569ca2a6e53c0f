import { describe, expect, it } from "vitest";
import type { AccessDesiredState, AccessEntry } from "../access-types";
import { ucAccountRules } from "./accounts";
import { type CurrentGroup, groupName, groupPrefix, parseGroup, planGroupAccess } from "./group-planner";
import { type CurrentGrants, currentFrom, prepareState, securableKey } from "./planner";
import { membersPatchBody, scimString } from "./scim-client";

const objects = [
  { id: "a", path: ["main", "s", "a"], objectType: "TABLE" },
  { id: "b", path: ["main", "s", "b"], objectType: "TABLE" },
];
const state = (access: AccessEntry[], accounts: string[], scope?: string[]): AccessDesiredState => ({
  connectionId: "c",
  version: 1,
  objects,
  accounts,
  access,
  settings: { unmanagedGrants: "REPORT" },
  ...(scope ? { scope: { accounts: scope } } : {}),
});
const prefix = groupPrefix("c");
const options = { ledger: null, unmanagedGrants: "REPORT" as const, revokeUnmanaged: false };

describe("group names and SCIM bodies", () => {
  it("are Steward's only with the connection's prefix and the exact shape", () => {
    const name = groupName(prefix, "r", ["1", "2"]);
    expect(name).toMatch(/^stw_[0-9a-f]{8}_r_[0-9a-f]{10}$/);
    expect(parseGroup(prefix, name)).toBe("r");
    // Too short, unknown level, another connection's group, a hand-made name: none is Steward's here.
    const others = [`${prefix}r_123`, `${prefix}x_0123456789`, groupName(groupPrefix("other"), "r", ["1"]), "analysts"];
    expect(others.map((n) => parseGroup(prefix, n))).toEqual([null, null, null, null]);
  });

  it("escape filter values and member ids as JSON strings", () => {
    expect(`userName eq ${scimString('o"brien\\ or x')}`).toBe('userName eq "o\\"brien\\\\ or x"');
    expect(membersPatchBody(["1"], ['2"'])).toEqual({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [
        { op: "add", value: { members: [{ value: "1" }] } },
        { op: "remove", path: 'members[value eq "2\\""]' },
      ],
    });
  });
});

describe("delta path (scope)", () => {
  it("places only the scope's users; members outside it keep what their groups give them", () => {
    // Now: one reader group {ann, bob} on table a. The delta speaks for bob only: bob moves to b.
    const group: CurrentGroup = {
      id: "g1",
      displayName: groupName(prefix, "r", ["id-ann", "id-bob"]),
      level: "r",
      members: new Map([
        ["id-ann", undefined],
        ["id-bob", undefined],
      ]),
    };
    const p = prepareState(state([{ objectId: "b", accountName: "bob", level: "READ" }], ["bob"], ["bob"]), ucAccountRules);
    const current: CurrentGrants = new Map(p.securables.map((s) => [securableKey(s), new Map()]));
    current.set(
      securableKey({ type: "table", parts: ["main", "s", "a"] }),
      currentFrom([{ principal: group.displayName, privileges: ["SELECT"] }]),
    );
    current.set(
      securableKey({ type: "schema", parts: ["main", "s"] }),
      currentFrom([{ principal: group.displayName, privileges: ["USE_SCHEMA"] }]),
    );
    current.set(
      securableKey({ type: "catalog", parts: ["main"] }),
      currentFrom([{ principal: group.displayName, privileges: ["USE_CATALOG"] }]),
    );
    const plan = planGroupAccess({
      prepared: p,
      prefix,
      userIds: new Map([["bob", "id-bob"]]),
      groups: [group],
      foreign: [],
      current,
      options,
      scope: p.scope,
    });
    // ann keeps table a through the existing group (bob leaves it); bob gets a new group on b.
    expect(plan.memberPatches.map((m) => [m.group.id, m.add, m.remove])).toEqual([["g1", [], ["id-bob"]]]);
    expect(plan.creates).toEqual([{ name: groupName(prefix, "r", ["id-bob"]), members: ["id-bob"] }]);
    expect(plan.deletes).toEqual([]);
    expect(
      plan.patches.map((x) => `${x.securable.parts.join(".")} ${x.changes.map((c) => `${c.principal}+${c.add}-${c.remove}`)}`),
    ).toEqual([
      `main ${groupName(prefix, "r", ["id-bob"])}+USE_CATALOG-`,
      `main.s ${groupName(prefix, "r", ["id-bob"])}+USE_SCHEMA-`,
      `main.s.b ${groupName(prefix, "r", ["id-bob"])}+SELECT-`,
    ]);
  });

  it("an account without a Databricks user is a finding and joins no group", () => {
    const p = prepareState(state([{ objectId: "a", accountName: "Ghost", level: "WRITE" }], ["Ghost"]), ucAccountRules);
    const current: CurrentGrants = new Map(p.securables.map((s) => [securableKey(s), new Map()]));
    const plan = planGroupAccess({ prepared: p, prefix, userIds: new Map(), groups: [], foreign: [], current, options, scope: null });
    expect(plan.findings).toEqual([{ kind: "UNKNOWN_USER", repairable: false, accountName: "Ghost" }]);
    expect([plan.creates, plan.patches]).toEqual([[], []]);
  });
});
