import { badInput } from "@steward/core";
import type { Db } from "@steward/db";
import type { GrantLedger } from "@steward/integrations";
import { z } from "zod";

/**
 * Keys are the adapter's and opaque here, but PostgreSQL text cannot hold U+0000 (Unity Catalog keys
 * use it as a separator), so the store escapes reversibly: `\` → `\\`, NUL → `\0`.
 */
export function encodeLedgerKey(key: string): string {
  return key.replaceAll("\\", "\\\\").replaceAll("\u0000", "\\0");
}

export function decodeLedgerKey(stored: string): string {
  return stored.replace(/\\(\\|0)/g, (_, c: string) => (c === "0" ? "\u0000" : "\\"));
}

/**
 * A primary-key entry must fit a btree page (about 2,700 bytes); a clear error beats the server's.
 * Unity Catalog keys (three names, a principal and a privilege) stay far below this in practice.
 */
export const MAX_LEDGER_KEY_BYTES = 2_400;

const connectionIdSchema = z.uuid();

function checkConnectionId(connectionId: string): void {
  if (!connectionIdSchema.safeParse(connectionId).success)
    throw badInput("Invalid grant ledger connection id", [{ path: "connectionId", message: "must be a UUID" }]);
}

function encodeAll(keys: string[], path: "added" | "removed"): string[] {
  return keys.map((key, i) => {
    if (typeof key !== "string" || key.length === 0 || !key.isWellFormed())
      throw badInput("Invalid grant ledger key", [{ path: `${path}.${i}`, message: "must be a non-empty, well-formed string" }]);
    const stored = encodeLedgerKey(key);
    if (Buffer.byteLength(stored, "utf8") > MAX_LEDGER_KEY_BYTES)
      throw badInput("Grant ledger key too long", [{ path: `${path}.${i}`, message: `at most ${MAX_LEDGER_KEY_BYTES} bytes` }]);
    return stored;
  });
}

/** Bounds the bind parameters of one statement (PostgreSQL allows 65,535). */
const CHUNK = 5_000;
const chunks = <T>(xs: T[]): T[][] => Array.from({ length: Math.ceil(xs.length / CHUNK) }, (_, i) => xs.slice(i * CHUNK, (i + 1) * CHUNK));

/**
 * The grant ledger in the metadata database (`PlatformGrantRecord`, one row per connection and key;
 * the rows go with their connection). `record` is one transaction, so a crash never leaves half a
 * change; every key is checked before anything is written.
 */
export function prismaGrantLedger(db: Db): GrantLedger {
  return {
    async read(connectionId) {
      checkConnectionId(connectionId);
      const rows = await db.platformGrantRecord.findMany({ where: { connectionId }, select: { key: true } });
      return new Set(rows.map((r) => decodeLedgerKey(r.key)));
    },
    async record(connectionId, change) {
      checkConnectionId(connectionId);
      const removed = [...new Set(encodeAll(change.removed, "removed"))];
      const added = [...new Set(encodeAll(change.added, "added"))];
      if (removed.length === 0 && added.length === 0) return;
      // Removed first, then added: a key in both ends up present, as in the in-memory ledger.
      await db.$transaction([
        ...chunks(removed).map((keys) => db.platformGrantRecord.deleteMany({ where: { connectionId, key: { in: keys } } })),
        ...chunks(added).map((keys) =>
          db.platformGrantRecord.createMany({ data: keys.map((key) => ({ connectionId, key })), skipDuplicates: true }),
        ),
      ]);
    },
  };
}
