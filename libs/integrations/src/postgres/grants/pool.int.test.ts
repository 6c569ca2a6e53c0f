/**
 * Kept platform sessions (pool.ts): consecutive reconciles reuse one server session instead of
 * opening one each, and a kept session the server closed meanwhile (pg_terminate_backend, as a
 * restart or an admin would) costs nothing but a fresh connect — never a failed run. (Here the pool
 * notices the close while the session is idle; the one-time retry in `inTransaction` covers the
 * race where the close arrives only with the next query, which this test cannot force.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quoteIdent } from "../../sql/quote";
import { scopePrefix } from "./naming";
import { closeSessions } from "./pool";
import { reconcile } from "./reconcile";
import { cleanup, LOCAL_TARGET, query, runId, tryAs } from "./testing";
import type { DesiredState } from "./types";

const run = runId();
const DB = `stw_grants_pool_${run}`;
const CONN = `pool-${run}`;
const alice = `pool${run}_alice`;

const desired = (version: number, access: DesiredState["access"]): DesiredState => ({
  connectionId: CONN,
  version,
  database: DB,
  objects: [{ id: "t", schema: "app", name: "t", objectType: "TABLE" }],
  users: [{ accountName: alice }],
  access,
});

/** Backends of the reconciler (application_name steward-grants) connected to this test's database. */
const reconcilerBackends = async () =>
  (
    await query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'steward-grants'", [DB])
  ).rows.map((r) => r.pid);

beforeAll(async () => {
  await query(`CREATE DATABASE ${quoteIdent(DB)}`);
  await query("CREATE SCHEMA app; CREATE TABLE app.t (id int)", [], { database: DB });
});

afterAll(async () => {
  await closeSessions();
  await cleanup({ databases: [DB], rolePrefixes: [scopePrefix(CONN, DB)], roles: [alice] });
});

describe("kept platform sessions", () => {
  it("reuses one session across reconciles and replaces one the server closed", async () => {
    expect((await reconcile(LOCAL_TARGET, desired(1, [{ objectId: "t", accountName: alice, level: "READ" }]))).kind).toBe("applied");
    const [first, ...more] = await reconcilerBackends();
    expect(first).toBeDefined();
    expect(more).toEqual([]);
    expect((await reconcile(LOCAL_TARGET, desired(2, [{ objectId: "t", accountName: alice, level: "READ" }]))).kind).toBe("unchanged");
    expect(await reconcilerBackends()).toEqual([first]);

    await query("SELECT pg_terminate_backend($1)", [first]);
    const revoked = await reconcile(LOCAL_TARGET, desired(3, []));
    expect(revoked.kind, JSON.stringify(revoked)).toBe("applied");
    expect(await tryAs(alice, DB, "SELECT * FROM app.t")).toMatch(/permission denied/);
    const now = await reconcilerBackends();
    expect(now).toHaveLength(1);
    expect(now).not.toContain(first);
  });
});
