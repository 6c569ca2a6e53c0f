import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quoteIdent } from "../../sql/quote";
import { type ScratchCluster, startScratchCluster } from "../../testing/scratch-cluster";
import { scopePrefix } from "./naming";
import { reconcile } from "./reconcile";
import { cleanup, LOCAL_TARGET, query, runId } from "./testing";
import type { DesiredState, GrantsTarget } from "./types";

const run = runId();

function desiredFor(connectionId: string, database: string, users: string[], tables: [string, string][]): DesiredState {
  const objects = tables.map(([schema, name]) => ({ id: `${schema}.${name}`, schema, name, objectType: "TABLE" as const }));
  return {
    connectionId,
    version: 1,
    database,
    objects,
    users: users.map((accountName) => ({ accountName })),
    access: objects.flatMap((o) => users.map((accountName) => ({ objectId: o.id, accountName, level: "READ" as const }))),
  };
}

describe("a refused statement rolls the whole reconcile back", () => {
  const DB = `stw_grants_fail_${run}`;
  const CONN = `fail-${run}`;
  const recon = `it${run}_reconciler`;
  const alice = `it${run}_alice`;
  const target: GrantsTarget = { ...LOCAL_TARGET, user: recon };
  beforeAll(async () => {
    await query(`CREATE DATABASE ${quoteIdent(DB)}`);
    // A non-superuser reconciler: may create roles, owns app.mine, has no rights on app.theirs.
    await query(`CREATE ROLE ${quoteIdent(recon)} LOGIN CREATEROLE`);
    await query(`GRANT CONNECT ON DATABASE ${quoteIdent(DB)} TO ${quoteIdent(recon)} WITH GRANT OPTION`);
    await query(
      `CREATE SCHEMA app AUTHORIZATION ${quoteIdent(recon)}; CREATE TABLE app.mine (id int); ALTER TABLE app.mine OWNER TO ${quoteIdent(recon)}; CREATE TABLE app.theirs (id int)`,
      [],
      { database: DB },
    );
  });
  afterAll(() => cleanup({ databases: [DB], rolePrefixes: [scopePrefix(CONN, DB)], roles: [alice, recon] }));

  it("reports MISSING_PRIVILEGE and leaves no role, user or grant behind; converges once allowed", async () => {
    const desired = desiredFor(
      CONN,
      DB,
      [alice],
      [
        ["app", "mine"],
        ["app", "theirs"],
      ],
    );
    const res = await reconcile(target, desired);
    expect(res.kind).toBe("failed");
    if (res.kind !== "failed") return;
    expect(res.error).toMatchObject({ code: "MISSING_PRIVILEGE", sqlstate: "42501" });
    expect(res.error.message).toMatch(/theirs/);
    expect(res.statementsAttempted.length).toBeGreaterThan(0);
    const leftovers = await query("SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1) OR rolname = $2", [
      scopePrefix(CONN, DB),
      alice,
    ]);
    expect(leftovers.rows).toEqual([]);
    const acl = await query("SELECT relacl::text AS acl FROM pg_class WHERE oid = 'app.mine'::regclass", [], { database: DB });
    expect(acl.rows[0]!.acl ?? "").not.toMatch(/stw_/);

    await query(`ALTER TABLE app.theirs OWNER TO ${quoteIdent(recon)}`, [], { database: DB });
    expect((await reconcile(target, desired)).kind).toBe("applied");
    expect((await reconcile(target, desired)).kind).toBe("unchanged");
  });
});

describe("a server that goes away (scratch cluster, password auth)", () => {
  let cluster: ScratchCluster;
  let target: GrantsTarget;
  const desired = desiredFor("scratch", "wh", ["analyst"], [["s", "t"]]);
  beforeAll(async () => {
    cluster = await startScratchCluster();
    target = { host: cluster.host, port: cluster.port, user: "postgres", password: cluster.password };
    await query("CREATE DATABASE wh", [], { target });
    await query("CREATE SCHEMA s; CREATE TABLE s.t (id int)", [], { target, database: "wh" });
  });
  afterAll(() => cluster?.destroy());

  it("fails fast with UNREACHABLE while stopped, converges after start", async () => {
    // The scratch cluster runs with synchronous_commit=off and stops in immediate mode: flush first.
    await query("CHECKPOINT", [], { target });
    cluster.stop();
    const started = performance.now();
    const down = await reconcile(target, desired, { connectTimeoutMs: 2_000 });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(down.kind === "failed" && down.error.code).toBe("UNREACHABLE");
    cluster.start();
    expect((await reconcile(target, desired)).kind).toBe("applied");
    expect((await reconcile(target, desired)).kind).toBe("unchanged");
    const ok = await query("SELECT has_table_privilege('analyst', 's.t', 'SELECT') AS ok", [], { target, database: "wh" });
    expect(ok.rows[0]!.ok).toBe(true);
  });

  it("classifies a wrong password as AUTH_FAILED", async () => {
    const res = await reconcile({ ...target, password: "wrong" }, desired);
    expect(res.kind === "failed" && res.error.code).toBe("AUTH_FAILED");
  });
});
