import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quoteIdent } from "../../sql/quote";
import { scopePrefix } from "./naming";
import { planReconcile, reconcile } from "./reconcile";
import { cleanup, LOCAL_TARGET, query, runId, tryAs } from "./testing";
import type { AccessLevel, DesiredState } from "./types";

const run = runId();
const DB = `stw_grants_delta_${run}`;
const CONN = `delta-${run}`;
const u = (name: string) => `dl${run}_${name}`;
const [ann, ben, cat, dan, eve] = ["ann", "ben", "cat", "dan", "eve"].map(u) as [string, string, string, string, string];

const objects: DesiredState["objects"] = [
  { id: "a1", schema: "s", name: "a1", objectType: "TABLE" },
  { id: "a2", schema: "s", name: "a2", objectType: "TABLE" },
  { id: "b1", schema: "s", name: "b1", objectType: "TABLE" },
  { id: "v", schema: "s", name: "v", objectType: "VIEW" },
];

/** The whole truth the tests move through: account → object → level. */
type Truth = Map<string, Map<string, AccessLevel>>;
let truth: Truth;
let users: string[];

const access = (only?: Set<string>) =>
  [...truth].flatMap(([accountName, objs]) =>
    only && !only.has(accountName) ? [] : [...objs].map(([objectId, level]) => ({ objectId, accountName, level })),
  );
const full = (): DesiredState => ({
  connectionId: CONN,
  version: 1,
  database: DB,
  objects,
  users: users.map((accountName) => ({ accountName })),
  access: access(),
});
const delta = (scope: string[]): DesiredState => ({
  ...full(),
  users: users.filter((x) => scope.includes(x)).map((accountName) => ({ accountName })),
  access: access(new Set(scope)),
  onlyAccounts: scope,
});
const set = (account: string, entries: [string, AccessLevel][]) => truth.set(account, new Map(entries));
const canSelect = (user: string, table: string) => tryAs(user, DB, `SELECT * FROM s.${table}`);
const canInsert = (user: string, table: string) => tryAs(user, DB, `INSERT INTO s.${table} VALUES (1)`);

/** After every delta the full reconcile of the true state must have nothing left to do. */
async function expectFullIsNoop() {
  const plan = await planReconcile(LOCAL_TARGET, full());
  expect(plan.kind === "planned" && plan.statements).toEqual([]);
}

beforeAll(async () => {
  await query(`CREATE DATABASE ${DB}`);
  await query(
    "CREATE SCHEMA s; CREATE TABLE s.a1 (id int); CREATE TABLE s.a2 (id int); CREATE TABLE s.b1 (id int); CREATE VIEW s.v AS SELECT 1 AS id",
    [],
    {
      database: DB,
    },
  );
  users = [ann, ben, cat, dan];
  truth = new Map();
  set(ann, [
    ["a1", "READ"],
    ["a2", "READ"],
    ["v", "READ"],
  ]);
  set(ben, [
    ["a1", "READ"],
    ["a2", "READ"],
    ["b1", "WRITE"],
    ["v", "WRITE"],
  ]);
  set(cat, [["b1", "WRITE"]]);
  expect((await reconcile(LOCAL_TARGET, full())).kind).toBe("applied");
});
afterAll(() => cleanup({ databases: [DB], rolePrefixes: [scopePrefix(CONN, DB), `dl${run}_`] }));

describe("delta reconcile (onlyAccounts)", () => {
  it("a user joining an audience is one GRANT of the existing role, and full reconcile agrees", async () => {
    set(dan, [
      ["a1", "READ"],
      ["a2", "READ"],
      ["v", "READ"],
    ]);
    const res = await reconcile(LOCAL_TARGET, delta([dan]));
    expect(res.kind).toBe("applied");
    expect(res.kind === "applied" && res.statements).toEqual([expect.stringMatching(/^GRANT "stw_\w+_r_\w+" TO "dl\w+_dan"$/)]);
    expect(await canSelect(dan, "a2")).toBe("ok");
    expect(await canSelect(dan, "v")).toBe("ok");
    await expectFullIsNoop();
    expect((await reconcile(LOCAL_TARGET, delta([dan]))).kind).toBe("unchanged");
  });

  it("leaves other accounts alone even when the delta state omits them", async () => {
    const res = await reconcile(LOCAL_TARGET, delta([cat]));
    expect(res.kind).toBe("unchanged");
    expect(await canSelect(ann, "a1")).toBe("ok");
  });

  it("a user leaving is one REVOKE; a new account is created first", async () => {
    truth.delete(dan);
    users.push(eve);
    set(eve, [["b1", "WRITE"]]);
    const res = await reconcile(LOCAL_TARGET, delta([dan, eve]));
    expect(res.kind === "applied" && res.statements.filter((s) => /^(GRANT|REVOKE) "stw/.test(s))).toHaveLength(2);
    expect(await canSelect(dan, "a1")).toMatch(/permission denied/);
    expect(await canInsert(eve, "b1")).toBe("ok");
    await expectFullIsNoop();
  });

  it("a change that splits an audience falls back to a scoped full plan and stays exact", async () => {
    set(ann, [
      ["a1", "READ"],
      ["v", "READ"],
    ]); // ann loses a2 only: a1 and a2 no longer share an audience
    const res = await reconcile(LOCAL_TARGET, delta([ann]));
    expect(res.kind).toBe("applied");
    expect(res.kind === "applied" && res.warnings.join()).toMatch(/planned in full/);
    expect(await canSelect(ann, "a2")).toMatch(/permission denied/);
    expect(await canSelect(ann, "a1")).toBe("ok");
    expect(await canSelect(ben, "a2")).toBe("ok");
    await expectFullIsNoop();
  });

  it("two audiences becoming equal are merged (scoped full), so full reconcile has nothing to do", async () => {
    // ann gets a2 back: a2's role would end with the same members as a1's role.
    set(ann, [
      ["a1", "READ"],
      ["a2", "READ"],
      ["v", "READ"],
    ]);
    const res = await reconcile(LOCAL_TARGET, delta([ann]));
    expect(res.kind === "applied" && res.warnings.join()).toMatch(/same members/);
    await expectFullIsNoop();
    expect(await canSelect(ann, "a2")).toBe("ok");
  });

  it("an account dropped from the users (deactivated) loses every membership and its login", async () => {
    users = users.filter((x) => x !== ben);
    truth.delete(ben);
    const res = await reconcile(LOCAL_TARGET, delta([ben]));
    expect(res.kind).toBe("applied");
    expect(res.kind === "applied" && res.statements).toContain(`ALTER ROLE ${quoteIdent(ben)} NOLOGIN`);
    const { rows } = await query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = $1",
      [ben],
    );
    expect(rows[0]!.n).toBe(0);
    expect(await canSelect(ben, "a1")).toMatch(/not permitted to log in/);
    await expectFullIsNoop();
  });

  it("a user leaving can make two audiences equal too (found through another member's roles)", async () => {
    set(eve, [
      ["a1", "READ"],
      ["b1", "WRITE"],
    ]); // a1 gets its own audience {ann, eve}
    expect((await reconcile(LOCAL_TARGET, delta([eve]))).kind).toBe("applied");
    await expectFullIsNoop();
    set(eve, [["b1", "WRITE"]]); // a1's audience is {ann} again, like a2's and v's
    const res = await reconcile(LOCAL_TARGET, delta([eve]));
    expect(res.kind === "applied" && res.warnings.join()).toMatch(/same members/);
    expect(await canSelect(eve, "a1")).toMatch(/permission denied/);
    expect(await canSelect(ann, "a1")).toBe("ok");
    await expectFullIsNoop();
  });

  it("skips a scope account PostgreSQL reserves, touching nothing of it", async () => {
    const res = await reconcile(LOCAL_TARGET, { ...delta([ann]), onlyAccounts: ["pg_monitor"] });
    expect(res.kind).toBe("unchanged");
    expect(res.kind !== "failed" && res.warnings.join()).toMatch(/"pg_monitor" skipped/);
    await expectFullIsNoop();
  });
});
