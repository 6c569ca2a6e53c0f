/**
 * The grant ledger in the metadata DB: opaque keys (NUL, quotes, unicode) round-trip, a change is
 * atomic and refused whole on bad input, rows belong to one connection and go with it.
 */
import { AppError } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeLedgerKey, encodeLedgerKey, MAX_LEDGER_KEY_BYTES, prismaGrantLedger } from "./grant-ledger";

let t: TestDatabase;
let first = "";
let second = "";

const hostile = [
  "table:cat\u0000sch\u0000t\u0001o'brien\"w@x.test\u0001SELECT",
  "back\\slash\\0 not a NUL\u0000\\\u0000",
  "ünïcødé_名前`tick\u0001USE_CATALOG",
];

async function connection(name: string): Promise<string> {
  const c = await t.db.connection.create({ data: { name, kind: "DATABRICKS_UC", config: {}, inboundSecretCiphertext: "x" } });
  return c.id;
}

beforeAll(async () => {
  t = await createTestDatabase();
  first = await connection("uc-one");
  second = await connection("uc-two");
});
afterAll(async () => {
  await t?.drop();
});

describe("prismaGrantLedger", () => {
  it("escapes keys reversibly", () => {
    for (const k of hostile) {
      expect(encodeLedgerKey(k)).not.toContain("\u0000");
      expect(decodeLedgerKey(encodeLedgerKey(k))).toBe(k);
    }
    expect(encodeLedgerKey("a\\0")).not.toBe(encodeLedgerKey("a\u0000"));
  });

  it("records additions and removals per connection, hostile keys intact", async () => {
    const ledger = prismaGrantLedger(t.db);
    expect(await ledger.read(first)).toEqual(new Set());
    await ledger.record(first, { added: hostile, removed: [] });
    await ledger.record(second, { added: ["other"], removed: [] });
    expect(await ledger.read(first)).toEqual(new Set(hostile));
    // Removing one, re-adding another that is already there (skipDuplicates), and a key in both lists.
    await ledger.record(first, { added: [hostile[1]!, "both"], removed: [hostile[0]!, "both"] });
    expect(await ledger.read(first)).toEqual(new Set([hostile[1], hostile[2], "both"]));
    expect(await ledger.read(second)).toEqual(new Set(["other"]));
    expect(await t.db.platformGrantRecord.count({ where: { connectionId: first } })).toBe(3);
  });

  it("refuses bad input whole: nothing changes", async () => {
    const ledger = prismaGrantLedger(t.db);
    const before = await ledger.read(first);
    const refused = async (p: Promise<unknown>) => {
      const err = await p.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe("BAD_USER_INPUT");
    };
    await refused(ledger.record(first, { added: ["fine", ""], removed: [hostile[1]!] }));
    await refused(ledger.record(first, { added: ["fine", "lone \uD800 surrogate"], removed: [] }));
    await refused(ledger.record(first, { added: ["fine", "x".repeat(MAX_LEDGER_KEY_BYTES + 1)], removed: [] }));
    await refused(ledger.record("not-a-uuid", { added: ["fine"], removed: [] }));
    await refused(ledger.read("'; DROP TABLE x; --"));
    expect(await ledger.read(first)).toEqual(before);
  });

  it("handles changes larger than one statement's chunk", async () => {
    const ledger = prismaGrantLedger(t.db);
    const many = Array.from({ length: 12_000 }, (_, i) => `k${i}`);
    await ledger.record(second, { added: many, removed: [] });
    expect((await ledger.read(second)).size).toBe(12_001);
    await ledger.record(second, { added: [], removed: many });
    expect(await ledger.read(second)).toEqual(new Set(["other"]));
  });

  it("goes with its connection", async () => {
    await t.db.connection.delete({ where: { id: second } });
    expect(await t.db.platformGrantRecord.count({ where: { connectionId: second } })).toBe(0);
    expect(await t.db.platformGrantRecord.count({ where: { connectionId: first } })).toBe(3);
  });
});
