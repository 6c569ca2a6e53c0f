/**
 * Lakebase OAuth M2M sign-in against a real PostgreSQL with scram-sha-256 logins (the machine's main
 * server trusts every login, so it could not tell a token from nothing) and a local token endpoint
 * whose tokens become the service principal's password until they expire (testing.ts).
 */
import net from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AccessDesiredState } from "../access-types";
import { ConnectorError } from "../connector";
import { closeSessions } from "../postgres/grants/pool";
import { HOSTILE_NAMES } from "../sql/hostile-names";
import { qualified, quoteIdent } from "../sql/quote";
import { lakebaseAdapter } from "./adapter";
import { type LakebaseFixture, lakebaseConfig, startLakebaseFixture } from "./testing";
import { forgetLakebaseTokens } from "./token-provider";

const DBS = ["lb_main", "lb_second"];
const HOSTILE_SCHEMA = HOSTILE_NAMES[0]!;
const HOSTILE_TABLE = HOSTILE_NAMES[3]!;
const ALICE = 'lb_alice "quoted"';

let f: LakebaseFixture;
const catalog = () => lakebaseAdapter.catalog!;
const access = () => lakebaseAdapter.access!;
// Parsed as libs/catalog does before any adapter call (defaults filled in).
const config = () => lakebaseAdapter.catalog!.configSchema.parse(lakebaseConfig(f, DBS)) as ReturnType<typeof lakebaseConfig>;
const connection = (clientSecret = f.clientSecret) => ({ config: config(), credentials: { clientSecret } });

const desired = (version: number): AccessDesiredState => ({
  connectionId: "lakebase-oauth",
  version,
  objects: [
    { id: "orders", path: [DBS[0]!, "sales", "orders"], objectType: "TABLE" },
    { id: "hostile", path: [DBS[1]!, HOSTILE_SCHEMA, HOSTILE_TABLE], objectType: "TABLE" },
  ],
  accounts: [ALICE],
  access: [
    { objectId: "orders", accountName: ALICE, level: "READ" },
    { objectId: "hostile", accountName: ALICE, level: "WRITE" },
  ],
  settings: { unmanagedGrants: "REPORT" },
});

const closedPort = () =>
  new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

/** Blocks this thread (timers included) so real time passes between two sessions of one run. */
const blockFor = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

const roleCount = async () => Number((await f.admin("SELECT count(*) AS n FROM pg_roles")).rows[0].n);
const privilege = async (database: string, table: string, privilegeName: string) =>
  (await f.admin("SELECT has_table_privilege($1, $2, $3) AS ok", [ALICE, table, privilegeName], database)).rows[0].ok as boolean;

beforeAll(async () => {
  f = await startLakebaseFixture();
  for (const db of DBS) await f.admin(`CREATE DATABASE ${quoteIdent(db)} OWNER ${quoteIdent(f.clientId)}`);
  await f.asPrincipal("CREATE SCHEMA sales; CREATE TABLE sales.orders (id int, total numeric)", DBS[0]!);
  await f.asPrincipal(
    `CREATE SCHEMA ${quoteIdent(HOSTILE_SCHEMA)}; CREATE TABLE ${qualified(HOSTILE_SCHEMA, HOSTILE_TABLE)} (${quoteIdent(HOSTILE_NAMES[4]!)} text)`,
    DBS[1]!,
  );
}, 60_000);
afterAll(async () => {
  await closeSessions();
  await f?.close();
});
beforeEach(async () => {
  // Each test starts from no cached token and no kept session.
  forgetLakebaseTokens();
  await closeSessions();
  f.mode = "ok";
  f.lifetimeSeconds = 60;
});

describe("Lakebase OAuth M2M", () => {
  it("the server refuses the principal without a current token (so the tests below can fail)", async () => {
    const before = f.refusedLogins();
    const result = await catalog().testConnection(config(), { clientSecret: f.clientSecret });
    expect(result.ok).toBe(true);
    // A made-up password is refused by the real server: scram is on.
    const pg = await import("pg");
    const client = new pg.default.Client({
      host: "127.0.0.1",
      port: f.cluster.port,
      user: f.clientId,
      password: "not-a-token",
      database: DBS[0],
    });
    await expect(client.connect()).rejects.toMatchObject({ code: "28P01" });
    await client.end().catch(() => {});
    expect(f.refusedLogins()).toBe(before + 1);
  });

  it("connection test, crawl, a reconcile and a preview sign in with the token", async () => {
    const issuedBefore = f.issued.length;
    const test = await catalog().testConnection(config(), { clientSecret: f.clientSecret });
    expect(test).toMatchObject({ ok: true, databases: DBS, warnings: [] });
    const objects = await catalog().crawl(config(), { clientSecret: f.clientSecret });
    expect(objects.map((o) => o.path)).toEqual(
      expect.arrayContaining([
        [DBS[0], "sales", "orders"],
        [DBS[1], HOSTILE_SCHEMA, HOSTILE_TABLE],
      ]),
    );
    const applied = await access().apply(connection(), desired(1));
    expect(applied.kind).toBe("applied");
    expect(await privilege(DBS[0]!, "sales.orders", "SELECT")).toBe(true);
    expect(await privilege(DBS[0]!, "sales.orders", "INSERT")).toBe(false);
    expect(await privilege(DBS[1]!, qualified(HOSTILE_SCHEMA, HOSTILE_TABLE), "INSERT")).toBe(true);
    const again = await access().apply(connection(), desired(2));
    expect(again.kind).toBe("unchanged");
    const drift = await access().drift(connection(), desired(2));
    expect(drift).toMatchObject({ kind: "drift", findings: [] });
    const preview = await lakebaseAdapter.dataPreview!.preview(connection(), {
      sourceId: "orders",
      path: [DBS[0]!, "sales", "orders"],
      spec: null,
      profile: {
        accountName: ALICE,
        userId: "u1",
        username: "alice",
        groups: [],
        attributes: {},
        projectId: null,
        purposes: [],
        sources: ["orders"],
      },
      hashSalt: "salt",
      limit: 10,
    } as never);
    expect(preview.kind).toBe("rows");
    // One token served every session (a dozen, pooled or not): it lives 60 s, refreshed only near its end.
    expect(f.issued.length - issuedBefore).toBe(1);
    const output = JSON.stringify([test, objects, applied, again, drift, preview]);
    for (const token of f.issued) expect(output).not.toContain(token);
    expect(output).not.toContain(f.clientSecret);
  });

  it("reuses a token until the refresh margin, then the next session gets a new one (mid-crawl)", async () => {
    // Refreshed after 3 s (half the lifetime), expired on the server after 6 s: room for a slow machine
    // to open the first database's session on the first token.
    f.lifetimeSeconds = 6;
    const issuedBefore = f.issued.length;
    const refusedBefore = f.refusedLogins();
    let blocked = false;
    const objects = await catalog().crawl(config(), { clientSecret: f.clientSecret }, () => {
      // After the first database: let the token expire before the second database's session opens.
      if (!blocked) {
        blocked = true;
        blockFor(6_200);
      }
    });
    expect(blocked).toBe(true);
    expect(objects.some((o) => o.path[0] === DBS[1])).toBe(true);
    const used = f.issued.slice(issuedBefore);
    expect(used).toHaveLength(2);
    expect(used[0]).not.toBe(used[1]);
    // Refreshed before use, not after a refusal: the server turned no login away.
    expect(f.refusedLogins()).toBe(refusedBefore);
  });

  it("refreshes inside the margin, while the old token would still have worked", async () => {
    f.lifetimeSeconds = 4; // margin: 2 s
    expect((await catalog().testConnection(config(), { clientSecret: f.clientSecret })).ok).toBe(true);
    const first = f.issued.length;
    expect((await catalog().testConnection(config(), { clientSecret: f.clientSecret })).ok).toBe(true);
    expect(f.issued.length).toBe(first); // well before the margin: reused
    blockFor(2_300); // inside the margin, still 1.7 s before the server would refuse it
    expect((await catalog().testConnection(config(), { clientSecret: f.clientSecret })).ok).toBe(true);
    expect(f.issued.length).toBe(first + 1);
  });

  it("a token revoked early is refused once, then replaced (pooled reconcile sessions too)", async () => {
    await catalog().testConnection(config(), { clientSecret: f.clientSecret });
    const issued = f.issued.length;
    const refused = f.refusedLogins();
    // As if Databricks revoked the token: the role's password changes behind Steward's back.
    await f.admin(`ALTER ROLE ${quoteIdent(f.clientId)} PASSWORD 'revoked-elsewhere'`);
    const result = await access().apply(connection(), desired(3));
    expect(result.kind === "failed" ? result.error : "ok").toBe("ok");
    expect(f.issued.length).toBe(issued + 1);
    // Each database opens a session: only the first met the revoked token.
    expect(f.refusedLogins()).toBe(refused + 1);
  });

  it("a rejected secret is AUTH_FAILED everywhere and nothing reaches the server", async () => {
    const roles = await roleCount();
    const issued = f.issued.length;
    const refused = f.refusedLogins();
    const wrong = "dose-not-the-secret";
    const test = await catalog().testConnection(config(), { clientSecret: wrong });
    expect(test).toMatchObject({ ok: false, problem: { code: "AUTH_FAILED" } });
    expect(test.ok ? "" : test.problem.message).toMatch(/refused the service principal's client id or secret.*HTTP 401, invalid_client/);
    const crawl = await catalog()
      .crawl(config(), { clientSecret: wrong })
      .catch((e: unknown) => e);
    expect(crawl).toBeInstanceOf(ConnectorError);
    expect((crawl as ConnectorError).problem.code).toBe("AUTH_FAILED");
    const other = { ...desired(4), accounts: [...desired(4).accounts, "lb_bob"] };
    const apply = await access().apply(connection(wrong), other);
    expect(apply).toMatchObject({ kind: "failed", error: { code: "AUTH_FAILED", errorClass: "CONFIGURATION" }, statementsAttempted: [] });
    const preview = await lakebaseAdapter.dataPreview!.preview(connection(wrong), {
      sourceId: "orders",
      path: [DBS[0]!, "sales", "orders"],
      spec: null,
      profile: {
        accountName: ALICE,
        userId: "u1",
        username: "alice",
        groups: [],
        attributes: {},
        projectId: null,
        purposes: [],
        sources: [],
      },
      hashSalt: "salt",
      limit: 10,
    } as never);
    expect(preview).toMatchObject({ kind: "failed", error: { code: "AUTH_FAILED" } });
    expect(await roleCount()).toBe(roles);
    expect(f.issued.length).toBe(issued);
    expect(f.refusedLogins()).toBe(refused); // no session was even attempted
    expect(JSON.stringify([test, apply, preview, (crawl as Error).message])).not.toContain(wrong);
  });

  it("a token endpoint that is down or unreachable is UNREACHABLE (transient), and changes nothing", async () => {
    const roles = await roleCount();
    f.mode = "down";
    const test = await catalog().testConnection(config(), { clientSecret: f.clientSecret });
    expect(test).toMatchObject({ ok: false, problem: { code: "UNREACHABLE" } });
    const apply = await access().apply(connection(), { ...desired(5), accounts: [ALICE, "lb_carol"] });
    expect(apply).toMatchObject({ kind: "failed", error: { code: "UNREACHABLE", errorClass: "TRANSIENT" } });
    f.mode = "ok";
    const nowhere = { ...config(), workspaceUrl: `http://127.0.0.1:${await closedPort()}` };
    const refused = await catalog().testConnection(nowhere, { clientSecret: f.clientSecret });
    expect(refused).toMatchObject({ ok: false, problem: { code: "UNREACHABLE", message: expect.stringMatching(/ECONNREFUSED/) } });
    expect(await roleCount()).toBe(roles);
  });

  it("bad config is refused by the schema: no https, a non-UUID client id, a URL with credentials", () => {
    const schema = catalog().configSchema;
    expect(schema.safeParse(lakebaseConfig(f, DBS)).success).toBe(true);
    expect(schema.safeParse({ ...config(), workspaceUrl: "http://dbc-1.cloud.databricks.com" }).success).toBe(false);
    expect(schema.safeParse({ ...config(), workspaceUrl: "https://u:p@dbc-1.cloud.databricks.com" }).success).toBe(false);
    expect(schema.safeParse({ ...config(), clientId: 'x"; DROP ROLE postgres; --' }).success).toBe(false);
    expect(schema.safeParse({ ...config(), workspaceUrl: "https://dbc-1.cloud.databricks.com" }).success).toBe(true);
    expect(catalog().credentialsSchema.safeParse({ clientSecret: "" }).success).toBe(false);
  });
});
