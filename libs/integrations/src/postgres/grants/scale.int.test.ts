import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quoteIdent } from "../../sql/quote";
import { scopePrefix } from "./naming";
import { reconcile } from "./reconcile";
import { cleanup, LOCAL_TARGET, query, runId, tryAs } from "./testing";
import type { DesiredState } from "./types";

const run = runId();
const DB = `stw_grants_scale_${run}`;
const CONN = `scale-${run}`;
const USER_PREFIX = `sc${run}_`;
const users = Array.from({ length: 3000 }, (_, i) => `${USER_PREFIX}${String(i).padStart(4, "0")}`);

beforeAll(async () => {
  await query(`CREATE DATABASE ${quoteIdent(DB)}`);
  await query("CREATE TABLE public.hot (id int); CREATE TABLE public.direct (id int)", [], { database: DB });
});
afterAll(() => cleanup({ databases: [DB], rolePrefixes: [scopePrefix(CONN, DB), USER_PREFIX] }));

describe("3,000 users on one table", () => {
  it("stays clear of the ~2,400-grantee ACL limit that direct grants hit", async () => {
    const desired: DesiredState = {
      connectionId: CONN,
      version: 1,
      database: DB,
      objects: [{ id: "hot", schema: "public", name: "hot", objectType: "TABLE" }],
      users: users.map((accountName) => ({ accountName })),
      access: users.map((accountName, i) => ({
        objectId: "hot",
        accountName,
        level: i % 10 === 0 ? ("WRITE" as const) : ("READ" as const),
      })),
    };
    const res = await reconcile(LOCAL_TARGET, desired);
    expect(res.kind).toBe("applied");
    const acl = await query("SELECT array_length(relacl, 1) AS n FROM pg_class WHERE oid = 'public.hot'::regclass", [], { database: DB });
    expect(acl.rows[0]!.n).toBe(3); // owner, read role, write role
    const check = await query("SELECT bool_and(has_table_privilege(u, 'public.hot', 'SELECT')) AS ok FROM unnest($1::text[]) u", [users], {
      database: DB,
    });
    expect(check.rows[0]!.ok).toBe(true);
    expect(await tryAs(users[2999]!, DB, "SELECT * FROM public.hot")).toBe("ok");
    expect(await tryAs(users[2999]!, DB, "INSERT INTO public.hot VALUES (1)")).toMatch(/permission denied/);
    expect(await tryAs(users[2990]!, DB, "INSERT INTO public.hot VALUES (1)")).toBe("ok");
    expect((await reconcile(LOCAL_TARGET, desired)).kind).toBe("unchanged");

    // The same audience granted directly: PostgreSQL refuses (pg_class has no TOAST table).
    const direct = `GRANT SELECT ON public.direct TO ${users.map((u) => quoteIdent(u)).join(", ")}`;
    await expect(query(direct, [], { database: DB })).rejects.toThrow(/row is too big/);
  });
});
