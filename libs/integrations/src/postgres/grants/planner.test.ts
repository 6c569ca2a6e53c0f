import { describe, expect, it } from "vitest";
import { HOSTILE_NAMES } from "../../sql/hostile-names";
import { databaseRoleName, MANAGED_MARKER, schemaRoleName, scopePrefix } from "./naming";
import { planGrants } from "./planner";
import { type ActualState, emptyActualState, targetKey } from "./state";
import { MEMBERS_PER_STATEMENT, OBJECTS_PER_STATEMENT } from "./statements";
import { type DesiredState, type DriftFinding, GrantsInputError } from "./types";

const PREFIX = scopePrefix("conn-1", "warehouse");

function desired(over: Partial<DesiredState> = {}): DesiredState {
  return {
    connectionId: "conn-1",
    version: 1,
    database: "warehouse",
    objects: [
      { id: "t1", schema: "sales", name: "orders", objectType: "TABLE" },
      { id: "t2", schema: "sales", name: "customers", objectType: "TABLE" },
      { id: "v1", schema: "sales", name: "order_view", objectType: "VIEW" },
    ],
    users: [{ accountName: "alice" }, { accountName: "bob" }],
    access: [
      { objectId: "t1", accountName: "alice", level: "READ" },
      { objectId: "t2", accountName: "alice", level: "READ" },
      { objectId: "t1", accountName: "bob", level: "WRITE" },
      { objectId: "v1", accountName: "bob", level: "WRITE" },
    ],
    ...over,
  };
}

/** The catalog as the planner would read it, with every desired object present. */
function actualFor(d: DesiredState, kinds: Record<string, string> = {}): ActualState {
  const a = emptyActualState(PREFIX);
  for (const o of d.objects) a.objectKinds.set(o.id, kinds[o.id] ?? (o.objectType === "VIEW" ? "v" : "r"));
  for (const u of d.users) a.roles.set(u.accountName, { managed: false });
  return a;
}

/** Applies findings to an ActualState the way the statements would change the catalog. */
function simulate(a: ActualState, findings: DriftFinding[]): ActualState {
  const next: ActualState = { ...a, roles: new Map(a.roles), grants: [...a.grants], memberships: [...a.memberships] };
  for (const f of findings) {
    if (f.kind === "MISSING_USER") next.roles.set(f.user, { managed: true });
    if (f.kind === "MISSING_ROLE") next.roles.set(f.role, { managed: true });
    if (f.kind === "EXTRA_ROLE") next.roles.delete(f.role);
    if (f.kind === "MISSING_PRIVILEGE") next.grants.push({ role: f.role, target: f.target, privileges: f.privileges });
    if (f.kind === "EXTRA_PRIVILEGE") {
      next.grants = next.grants
        .map((g) =>
          g.role === f.role && targetKey(g.target) === targetKey(f.target)
            ? { ...g, privileges: g.privileges.filter((p) => !f.privileges.includes(p)) }
            : g,
        )
        .filter((g) => g.privileges.length > 0);
    }
    if (f.kind === "MISSING_MEMBERSHIP") next.memberships.push({ role: f.role, member: f.member });
    if (f.kind === "EXTRA_MEMBERSHIP") next.memberships = next.memberships.filter((m) => !(m.role === f.role && m.member === f.member));
  }
  return next;
}

describe("planGrants", () => {
  it("creates access-set roles, grants by level, and chains schema USAGE and database CONNECT", () => {
    const plan = planGrants(desired(), actualFor(desired()));
    const s = plan.statements;
    expect(s.filter((x) => x.startsWith("CREATE ROLE"))).toHaveLength(5); // db, schema, alice-read, bob-read(view), bob-write
    expect(s).toContain(`GRANT CONNECT ON DATABASE "warehouse" TO "${databaseRoleName(PREFIX)}"`);
    expect(s).toContain(`GRANT USAGE ON SCHEMA "sales" TO "${schemaRoleName(PREFIX, "sales")}"`);
    expect(s.some((x) => /^GRANT SELECT ON TABLE "sales"."orders", "sales"."customers" TO "stw_[0-9a-f]{8}_r_[0-9a-f]{10}"$/.test(x))).toBe(
      true,
    );
    expect(s.some((x) => /^GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLE "sales"."orders" TO "stw_.*_w_/.test(x))).toBe(true);
    expect(s.filter((x) => /COMMENT ON ROLE/.test(x)).every((x) => x.endsWith(`IS '${MANAGED_MARKER}'`))).toBe(true);
    expect(plan.counts).toMatchObject({ usersCreated: 0, rolesCreated: 5, privilegesRevoked: 0, membershipsRevoked: 0 });
  });

  it("grants SELECT only for WRITE on views and materialized views", () => {
    const plan = planGrants(desired(), actualFor(desired()));
    const onView = plan.statements.filter((x) => x.includes('"sales"."order_view"'));
    expect(onView).toHaveLength(1);
    expect(onView[0]).toMatch(/^GRANT SELECT ON TABLE "sales"."order_view" TO/);
    // the catalog decides: a TABLE that became a materialized view gets SELECT only
    const m = planGrants(desired(), actualFor(desired(), { t1: "m" }));
    expect(m.statements.some((x) => x.includes("INSERT"))).toBe(false);
  });

  it("plans nothing once the catalog matches", () => {
    const d = desired();
    const after = simulate(actualFor(d), planGrants(d, actualFor(d)).findings);
    const again = planGrants(d, after);
    expect(again.statements).toEqual([]);
    expect(again.findings).toEqual([]);
  });

  it("moves a user by membership only, keeping the role (no rename churn)", () => {
    const d = desired();
    const state = simulate(actualFor(d), planGrants(d, actualFor(d)).findings);
    const d2 = desired({
      users: [...d.users, { accountName: "carol" }],
      access: [
        ...d.access,
        { objectId: "t1", accountName: "carol", level: "READ" },
        { objectId: "t2", accountName: "carol", level: "READ" },
      ],
    });
    state.roles.set("carol", { managed: false });
    const plan = planGrants(d2, state);
    expect(plan.statements).toHaveLength(1);
    expect(plan.statements[0]).toMatch(/^GRANT "stw_[0-9a-f]{8}_r_[0-9a-f]{10}" TO "carol"$/);
  });

  it("revokes drift on managed roles and drops roles nobody needs", () => {
    const d = desired();
    const state = simulate(actualFor(d), planGrants(d, actualFor(d)).findings);
    const readRole = state.grants.find((g) => g.target.kind === "relation" && g.target.name === "customers")!.role;
    state.grants.push({ role: readRole, target: { kind: "relation", schema: "sales", name: "secret" }, privileges: ["SELECT", "DELETE"] });
    state.memberships.push({ role: readRole, member: "mallory" });
    state.roles.set(`${PREFIX}r_0000000000`, { managed: true });
    state.grants.push({
      role: `${PREFIX}r_0000000000`,
      target: { kind: "relation", schema: "sales", name: "orders" },
      privileges: ["SELECT"],
    });
    const plan = planGrants(d, state);
    expect(plan.statements).toEqual([
      `REVOKE SELECT, DELETE ON TABLE "sales"."secret" FROM "${readRole}"`,
      `REVOKE SELECT ON TABLE "sales"."orders" FROM "${PREFIX}r_0000000000"`,
      `REVOKE "${readRole}" FROM "mallory"`,
      `DROP ROLE "${PREFIX}r_0000000000"`,
    ]);
  });

  it("never touches grants of unmanaged roles, PUBLIC, or prefixed roles without the marker", () => {
    const d = desired();
    const state = simulate(actualFor(d), planGrants(d, actualFor(d)).findings);
    state.roles.set(`${PREFIX}r_1111111111`, { managed: false });
    state.grants.push({
      role: `${PREFIX}r_1111111111`,
      target: { kind: "relation", schema: "sales", name: "orders" },
      privileges: ["SELECT"],
    });
    state.grants.push({ role: "analyst", target: { kind: "relation", schema: "sales", name: "orders" }, privileges: ["DELETE"] });
    state.memberships.push({ role: "analyst", member: "alice" });
    state.directGrants.push({ objectId: "t2", grantee: "bob", privileges: ["UPDATE"] });
    const plan = planGrants(d, state);
    expect(plan.statements).toEqual([]);
    expect(plan.findings).toEqual([
      { kind: "UNMANAGED_GRANT", grantee: "bob", objectId: "t2", schema: "sales", name: "customers", privileges: ["UPDATE"] },
    ]);
  });

  it("skips dropped objects with a finding and a warning", () => {
    const d = desired();
    const a = actualFor(d);
    a.objectKinds.delete("t2");
    const plan = planGrants(d, a);
    expect(plan.findings).toContainEqual({ kind: "MISSING_OBJECT", objectId: "t2", schema: "sales", name: "customers" });
    expect(plan.statements.some((x) => x.includes("customers"))).toBe(false);
    expect(plan.warnings.join()).toMatch(/no longer exist/);
  });

  it("creates missing users as LOGIN roles and batches objects and members", () => {
    const users = Array.from({ length: MEMBERS_PER_STATEMENT + 5 }, (_, i) => ({ accountName: `u${i}` }));
    const objects = Array.from({ length: OBJECTS_PER_STATEMENT + 3 }, (_, i) => ({
      id: `o${i}`,
      schema: "s",
      name: `t${i}`,
      objectType: "TABLE" as const,
    }));
    const d = desired({
      objects,
      users,
      access: objects.flatMap((o) => users.map((u) => ({ objectId: o.id, accountName: u.accountName, level: "READ" as const }))),
    });
    const a = emptyActualState(PREFIX);
    for (const o of objects) a.objectKinds.set(o.id, "r");
    const plan = planGrants(d, a);
    expect(plan.counts.usersCreated).toBe(users.length);
    expect(plan.statements).toContain('CREATE ROLE "u0" LOGIN');
    expect(plan.statements.filter((x) => x.startsWith("GRANT SELECT ON TABLE"))).toHaveLength(2);
    expect(plan.statements.filter((x) => /^GRANT "stw_.*_r_.*" TO "u0"/.test(x))).toHaveLength(1);
    expect(plan.statements.filter((x) => /^GRANT "stw_[0-9a-f]{8}_r_[0-9a-f]{10}" TO "u/.test(x))).toHaveLength(2);
  });

  it("quotes hostile names, skips unusable users and rejects unquotable objects with a typed error", () => {
    const objects = HOSTILE_NAMES.map((n, i) => ({ id: `h${i}`, schema: n, name: n, objectType: "TABLE" as const }));
    const users = HOSTILE_NAMES.filter((n) => n !== "public").map((accountName) => ({ accountName }));
    const d = desired({
      objects,
      users,
      access: objects.flatMap((o) => users.map((u) => ({ objectId: o.id, accountName: u.accountName, level: "READ" as const }))),
    });
    const a = actualFor(d);
    a.roles.clear();
    const plan = planGrants(d, a);
    expect(plan.statements).toContain(`CREATE ROLE "Robert""; DROP TABLE users; --" LOGIN`);
    expect(plan.statements.some((x) => x.includes(`"quote""inside""""twice"."quote""inside""""twice"`))).toBe(true);
    // An unusable user is left out with a warning; everyone else is still planned.
    for (const bad of ["nul\0byte", "x".repeat(64), "public", "PUBLIC", "Current_User", "pg_monitor", "stw_sneaky", "postgres"]) {
      const withBad = desired({
        users: [...desired().users, { accountName: bad }],
        access: [...desired().access, { objectId: "t1", accountName: bad, level: "READ" }],
      });
      const plan = planGrants(withBad, actualFor(desired()));
      expect(plan.warnings.join("\n")).toContain("skipped");
      expect(plan.statements).toEqual(planGrants(desired(), actualFor(desired())).statements);
    }
    expect(() =>
      planGrants(desired({ objects: [{ id: "x", schema: "s\0", name: "t", objectType: "TABLE" }] }), actualFor(desired())),
    ).toThrow(GrantsInputError);
  });

  it("revokes grants made outside Steward only when asked to, PUBLIC as the keyword, hostile grantees quoted", () => {
    const d = desired();
    const state = simulate(actualFor(d), planGrants(d, actualFor(d)).findings);
    const hostile = 'carol"; DROP ROLE postgres; --';
    state.directGrants.push(
      { objectId: "t1", grantee: hostile, privileges: ["SELECT"] },
      { objectId: "t2", grantee: hostile, privileges: ["SELECT"] },
      { objectId: "t1", grantee: "PUBLIC", public: true, privileges: ["SELECT"] },
      { objectId: "t1", grantee: "PUBLIC", privileges: ["UPDATE"] }, // a role really named "PUBLIC"
    );
    const report = planGrants(d, state);
    expect(report.statements).toEqual([]);
    expect(report.findings.filter((f) => f.kind === "UNMANAGED_GRANT")).toHaveLength(4);
    const revoke = planGrants({ ...d, unmanagedGrants: "REVOKE" }, state);
    expect(revoke.statements).toEqual([
      `REVOKE SELECT ON TABLE "sales"."orders", "sales"."customers" FROM "carol""; DROP ROLE postgres; --" CASCADE`,
      `REVOKE SELECT ON TABLE "sales"."orders" FROM PUBLIC CASCADE`,
      `REVOKE UPDATE ON TABLE "sales"."orders" FROM "PUBLIC" CASCADE`,
    ]);
    expect(revoke.counts.unmanagedRevoked).toBe(4);
  });

  it("reports a grant once even when its relation is listed twice", () => {
    const d = desired({ objects: [...desired().objects, { id: "t1-again", schema: "sales", name: "orders", objectType: "TABLE" }] });
    const state = actualFor(d);
    state.directGrants.push(
      { objectId: "t1", grantee: "carol", privileges: ["SELECT"] },
      { objectId: "t1-again", grantee: "carol", privileges: ["SELECT", "UPDATE"] },
    );
    expect(planGrants(d, state).findings.filter((f) => f.kind === "UNMANAGED_GRANT")).toEqual([
      { kind: "UNMANAGED_GRANT", grantee: "carol", objectId: "t1", schema: "sales", name: "orders", privileges: ["SELECT", "UPDATE"] },
    ]);
  });

  it("disables the logins Steward created for users it no longer manages and restores returning ones", () => {
    const d = desired();
    const state = simulate(actualFor(d), planGrants(d, actualFor(d)).findings);
    state.userLogins = new Map([
      ["alice", false],
      ["gone", true],
    ]);
    const plan = planGrants(d, state);
    expect(plan.statements).toEqual(['ALTER ROLE "alice" LOGIN', 'ALTER ROLE "gone" NOLOGIN']);
    expect(plan.counts).toMatchObject({ loginsEnabled: 1, loginsDisabled: 1 });
  });

  it("marks the users it creates with the connection's login marker", () => {
    const d = desired();
    const a = actualFor(d);
    a.roles.clear();
    expect(planGrants(d, a).statements).toContain(`COMMENT ON ROLE "alice" IS 'managed by steward: login for connection conn-1'`);
  });
});
