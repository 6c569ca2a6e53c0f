import { randomBytes } from "node:crypto";
import { parseKeyring, SecretBox, systemActor } from "@steward/core";
import { adminQuery, createTestDatabase, queryDatabase, type TestDatabase } from "@steward/db/testing";
import { qualified, quoteIdent } from "@steward/integrations";
import { signWebhook } from "@steward/webhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnection } from "../connections/connection-commands";
import { registerDataSources } from "../data-sources/register-data-sources";
import type { CatalogDeps } from "../deps";
import { handleInboundSyncWebhook, requestSync } from "./request-sync";
import { runSync } from "./run-sync";

const HOSTILE = ['Robert"; DROP TABLE x; --', "semi;colon", "MixedCase", "ünï_名前", "a".repeat(63)];
let meta: TestDatabase;
let deps: CatalogDeps;
const warehouse = `steward_wh_${randomBytes(4).toString("hex")}`;
const admin = { kind: "USER" as const, userId: "", username: "admin", roles: new Set(["ADMIN" as const]) };

const wh = (sql: string) => queryDatabase(warehouse, sql);

beforeAll(async () => {
  meta = await createTestDatabase();
  deps = { db: meta.db, secretBox: new SecretBox(parseKeyring(`k1:${randomBytes(32).toString("base64")}`)) };
  const user = await meta.db.user.create({
    data: { username: "admin", displayName: "A", email: "a@example.com", roles: { create: { role: "ADMIN" } } },
  });
  admin.userId = user.id;
  await adminQuery(`CREATE DATABASE ${quoteIdent(warehouse)}`);
  await wh(
    [
      `CREATE SCHEMA sales`,
      `CREATE TABLE sales.orders (id int, total numeric)`,
      `CREATE VIEW sales.big_orders AS SELECT * FROM sales.orders WHERE total > 100`,
      `CREATE SCHEMA ${quoteIdent(HOSTILE[0]!)}`,
      ...HOSTILE.map((n) => `CREATE TABLE ${qualified(HOSTILE[0]!, n)} (${quoteIdent(n)} text)`),
    ].join(";"),
  );
});
afterAll(async () => {
  await meta?.drop();
  await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(warehouse)} WITH (FORCE)`);
});

async function connect(name: string, autoRegister = false) {
  return createConnection(deps, admin, {
    name,
    kind: "POSTGRES",
    config: { host: "127.0.0.1", port: 5432, user: "postgres", databases: [warehouse] },
    credentials: { password: "" },
    autoRegister,
  });
}

const objectNames = async (connectionId: string) =>
  (await meta.db.catalogNode.findMany({ where: { connectionId, kind: "OBJECT", present: true } })).map((n) => n.name).sort();

describe("object sync", () => {
  it("crawls, registers, disables dropped objects and re-enables returning ones", async () => {
    const { connection, syncRun, inboundSecret } = await connect("wh-main");
    expect(inboundSecret).toMatch(/^whsec_/);
    // The secret is stored sealed, never in clear.
    const row = await meta.db.connection.findUniqueOrThrow({ where: { id: connection.id } });
    expect(JSON.stringify(row)).not.toContain(inboundSecret);

    const first = await runSync(deps, syncRun.id);
    expect(first).toMatchObject({ status: "SUCCEEDED", added: 7, registered: 0 });
    expect(await objectNames(connection.id)).toEqual(["big_orders", "orders", ...HOSTILE].sort());

    // Register the hostile schema as a whole, with auto-registration of new objects.
    const schema = await meta.db.catalogNode.findFirstOrThrow({ where: { connectionId: connection.id, kind: "SCHEMA", name: HOSTILE[0] } });
    const reg = await registerDataSources(deps, admin, { connectionId: connection.id, containerIds: [schema.id], autoRegisterNew: true });
    expect(reg.registeredIds).toHaveLength(HOSTILE.length);
    const src = await meta.db.dataSource.findFirstOrThrow({
      where: { connectionId: connection.id, name: { endsWith: ".MixedCase" } },
      include: { columns: true },
    });
    expect(src.columns.map((c) => c.name)).toEqual(["MixedCase"]);

    // Re-sync with no change writes nothing.
    const again = await runSync(deps, (await requestSync(deps, admin, connection.id)).id);
    expect(again).toMatchObject({ added: 0, updated: 0, disabled: 0, reenabled: 0, registered: 0 });

    // The rest of the connection at once: only what is not registered yet (sales.orders and its view).
    const rest = await registerDataSources(deps, admin, { connectionId: connection.id, wholeConnection: true });
    expect(rest.registeredIds).toHaveLength(2);
    expect(await meta.db.dataSource.count({ where: { connectionId: connection.id } })).toBe(HOSTILE.length + 2);

    // Drop one, add one (auto-registered below the schema), change columns of another.
    await wh(
      `DROP TABLE ${qualified(HOSTILE[0]!, "MixedCase")}; CREATE TABLE ${qualified(HOSTILE[0]!, "new;table")} (x int); ALTER TABLE ${qualified(HOSTILE[0]!, "semi;colon")} ADD COLUMN extra date`,
    );
    const changed = await runSync(deps, (await requestSync(deps, admin, connection.id)).id);
    expect(changed).toMatchObject({ added: 1, updated: 1, disabled: 1, registered: 1 });
    expect((await meta.db.dataSource.findUniqueOrThrow({ where: { id: src.id } })).status).toBe("DISABLED");
    const semi = await meta.db.dataSource.findFirstOrThrow({ where: { name: { endsWith: ".semi;colon" } }, include: { columns: true } });
    expect(semi.columns.map((c) => c.name).sort()).toEqual(["extra", "semi;colon"]);

    // The dropped table comes back: its data source is enabled again, history intact.
    await wh(`CREATE TABLE ${qualified(HOSTILE[0]!, "MixedCase")} ("MixedCase" text)`);
    const back = await runSync(deps, (await requestSync(deps, admin, connection.id)).id);
    expect(back).toMatchObject({ reenabled: 1, disabled: 0 });
    expect((await meta.db.dataSource.findUniqueOrThrow({ where: { id: src.id } })).status).toBe("ACTIVE");

    const actions = (await meta.db.auditEvent.findMany({ where: { targetId: src.id }, orderBy: { id: "asc" } })).map((a) => a.action);
    expect(actions).toEqual(["data_source.registered", "data_source.disabled", "data_source.enabled"]);
    const events = await meta.db.outboxEvent.findMany({ where: { type: "data_source.status_changed" } });
    expect(events.length).toBeGreaterThanOrEqual(2);
  });

  it("coalesces concurrent sync requests into one queued run", async () => {
    const { connection, syncRun } = await connect("wh-coalesce");
    const runs = await Promise.all(Array.from({ length: 8 }, () => requestSync(deps, admin, connection.id)));
    expect(new Set(runs.map((r) => r.id))).toEqual(new Set([syncRun.id]));
    await runSync(deps, syncRun.id);
    // A duplicated job for a finished run does nothing.
    expect((await runSync(deps, syncRun.id)).status).toBe("SKIPPED");
  });

  it("two processes running the same queued run take turns: one writes the catalog, the other finds it done", async () => {
    const { connection, syncRun } = await connect("wh-twice", true);
    const outcomes = await Promise.all([runSync(deps, syncRun.id), runSync(deps, syncRun.id), runSync(deps, syncRun.id)]);
    expect(outcomes.filter((o) => o.status === "SUCCEEDED")).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === "SKIPPED")).toHaveLength(2);
    const added = outcomes.find((o) => o.status === "SUCCEEDED")!.added;
    expect(await meta.db.catalogNode.count({ where: { connectionId: connection.id, kind: "OBJECT" } })).toBeGreaterThan(0);
    expect(await meta.db.dataSource.count({ where: { connectionId: connection.id } })).toBe(
      await meta.db.catalogNode.count({ where: { connectionId: connection.id, kind: "OBJECT" } }),
    );
    expect(added).toBeGreaterThan(0);
    expect((await meta.db.syncRun.findUniqueOrThrow({ where: { id: syncRun.id } })).status).toBe("SUCCEEDED");
  });

  it("auto-registers the whole connection when asked", async () => {
    const { connection, syncRun } = await connect("wh-auto", true);
    const outcome = await runSync(deps, syncRun.id);
    expect(outcome.registered).toBe(outcome.added);
    expect(await meta.db.dataSource.count({ where: { connectionId: connection.id } })).toBe(outcome.added);
  });

  it("accepts a correctly signed inbound webhook and refuses a bad signature, changing nothing", async () => {
    const { connection, inboundSecret, syncRun } = await connect("wh-hook");
    await runSync(deps, syncRun.id);
    const body = JSON.stringify({ reason: "table created" });
    const before = await meta.db.syncRun.count({ where: { connectionId: connection.id } });
    await expect(
      handleInboundSyncWebhook(deps, connection.id, signWebhook("wrong-secret", Math.floor(Date.now() / 1000), body), body),
    ).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect(handleInboundSyncWebhook(deps, connection.id, undefined, body)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect(handleInboundSyncWebhook(deps, "not-a-uuid", "t=1,v1=00", body)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    expect(await meta.db.syncRun.count({ where: { connectionId: connection.id } })).toBe(before);
    const run = await handleInboundSyncWebhook(deps, connection.id, signWebhook(inboundSecret, Math.floor(Date.now() / 1000), body), body);
    expect(run.trigger).toBe("WEBHOOK");
    expect(await meta.db.syncRun.count({ where: { connectionId: connection.id } })).toBe(before + 1);
  });

  it("refuses a connection whose test fails, writing nothing", async () => {
    const before = await meta.db.connection.count();
    await expect(
      createConnection(deps, admin, {
        name: "bad",
        kind: "POSTGRES",
        config: { host: "127.0.0.1", port: 1, user: "postgres", databases: [warehouse] },
      }),
    ).rejects.toMatchObject({ code: "BAD_USER_INPUT", message: expect.stringMatching(/Connection test failed: Cannot reach/) });
    await expect(createConnection(deps, admin, { name: "snow", kind: "SNOWFLAKE", config: {} })).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
    await expect(
      createConnection(deps, systemActor("x") && { ...admin, roles: new Set() }, { name: "x", kind: "POSTGRES", config: {} }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await meta.db.connection.count()).toBe(before);
  });
});
