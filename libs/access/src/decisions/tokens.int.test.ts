/** Decision tokens against the real metadata database: issued once, stored hashed, replaced on re-issue. */
import { randomBytes } from "node:crypto";
import { type Actor, sha256Hex } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueDecisionToken } from "./tokens";

let t: TestDatabase;
const run = randomBytes(4).toString("hex");
const ids = { trino: "", postgres: "", deleted: "" };
const actor = (roles: ("ADMIN" | "GOVERNOR" | "DATA_OWNER")[], userId = ""): Actor => ({
  kind: "USER",
  userId,
  username: `u_${run}`,
  roles: new Set(roles),
});
let admin: Actor;
let owner: Actor;
const deps = () => ({ db: t.db });

async function connection(name: string, kind: "TRINO" | "POSTGRES", deletedAt: Date | null = null) {
  const c = await t.db.connection.create({ data: { name: `${name}_${run}`, kind, config: {}, inboundSecretCiphertext: "x", deletedAt } });
  return c.id;
}

beforeAll(async () => {
  t = await createTestDatabase();
  const user = await t.db.user.create({ data: { username: `adm_${run}`, displayName: "adm", email: `adm.${run}@example.com` } });
  admin = actor(["ADMIN"], user.id);
  const dataOwner = await t.db.user.create({ data: { username: `own_${run}`, displayName: "own", email: `own.${run}@example.com` } });
  owner = actor(["DATA_OWNER"], dataOwner.id);
  ids.trino = await connection("trino", "TRINO");
  ids.postgres = await connection("pg", "POSTGRES");
  ids.deleted = await connection("gone", "TRINO", new Date());
  await t.db.connectionDataOwner.create({ data: { connectionId: ids.trino, userId: dataOwner.id } });
});
afterAll(async () => t?.drop());

const stored = (id: string) =>
  t.db.connection.findUniqueOrThrow({ where: { id }, select: { decisionTokenHash: true, decisionTokenIssuedAt: true } });
const auditRows = (id: string) => t.db.auditEvent.findMany({ where: { targetId: id, action: "connection.decision_token_issued" } });
const outboxRows = (id: string) => t.db.outboxEvent.findMany({ where: { aggregateId: id, type: "connection.decision_token_issued" } });

describe("issueDecisionToken", () => {
  it("returns 32 random bytes once and stores only their sha256, with an audit row and an outbox event", async () => {
    const issued = await issueDecisionToken(deps(), admin, ids.trino);
    expect(issued.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await stored(ids.trino);
    expect(row.decisionTokenHash).toBe(sha256Hex(issued.token));
    expect(row.decisionTokenIssuedAt?.getTime()).toBe(issued.issuedAt.getTime());
    const audit = await auditRows(ids.trino);
    expect(audit).toHaveLength(1);
    const recorded = JSON.stringify([audit[0]?.before, audit[0]?.after]);
    expect(recorded).toContain(issued.issuedAt.toISOString());
    expect(recorded).not.toContain(issued.token);
    expect(recorded).not.toContain(sha256Hex(issued.token));
    expect(await outboxRows(ids.trino)).toMatchObject([{ payload: { connectionId: ids.trino } }]);
  });

  it("re-issuing replaces the hash, so the previous token no longer matches", async () => {
    const first = await issueDecisionToken(deps(), admin, ids.trino);
    const second = await issueDecisionToken(deps(), admin, ids.trino);
    expect(second.token).not.toBe(first.token);
    const row = await stored(ids.trino);
    expect(row.decisionTokenHash).toBe(sha256Hex(second.token));
    expect(row.decisionTokenHash).not.toBe(sha256Hex(first.token));
  });

  it("refuses kinds without query-time decisions with a typed error and writes nothing", async () => {
    await expect(issueDecisionToken(deps(), admin, ids.postgres)).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    expect(await stored(ids.postgres)).toEqual({ decisionTokenHash: null, decisionTokenIssuedAt: null });
    expect(await auditRows(ids.postgres)).toHaveLength(0);
    expect(await outboxRows(ids.postgres)).toHaveLength(0);
  });

  it("is for administrators only: governors and the connection's data owners are refused", async () => {
    const before = await stored(ids.trino);
    await expect(issueDecisionToken(deps(), null, ids.trino)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect(
      issueDecisionToken(deps(), actor(["GOVERNOR"], admin.kind === "USER" ? admin.userId : ""), ids.trino),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(issueDecisionToken(deps(), owner, ids.trino)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await stored(ids.trino)).toEqual(before);
  });

  it("answers unknown, deleted and hostile ids with typed errors", async () => {
    await expect(issueDecisionToken(deps(), admin, ids.deleted)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(issueDecisionToken(deps(), admin, "00000000-0000-4000-8000-000000000000")).rejects.toMatchObject({ code: "NOT_FOUND" });
    for (const hostile of [`'; DROP TABLE "Connection"; --`, "ünï\u0301cødé", "a\u0000b", 42, null]) {
      await expect(issueDecisionToken(deps(), admin, hostile)).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    }
    expect(await stored(ids.deleted)).toEqual({ decisionTokenHash: null, decisionTokenIssuedAt: null });
  });
});
