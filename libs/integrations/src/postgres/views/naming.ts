/**
 * Names of policy views: derived from the base table's schema and name, readable, at most 63 bytes
 * (PostgreSQL truncates longer names silently), stable across runs, and collision-safe: a hash of
 * the exact (schema, table) pair always ends the name, so `a__b.c` and `a.b__c`, or two long names
 * sharing a prefix, never meet.
 */
import { createHash } from "node:crypto";
import { PG_MAX_IDENTIFIER_BYTES } from "../../sql/quote";

const HASH_CHARS = 10;

/** The longest prefix of `s` that fits in `bytes` UTF-8 bytes, never splitting a character. */
function truncateBytes(s: string, bytes: number): string {
  let out = "";
  let used = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch, "utf8");
    if (used + n > bytes) break;
    out += ch;
    used += n;
  }
  return out;
}

export function policyViewName(schema: string, table: string): string {
  const hash = createHash("sha256")
    .update(JSON.stringify([schema, table]))
    .digest("hex")
    .slice(0, HASH_CHARS);
  // "<schema>__<table>_<hash>": the hash and separators take 13 bytes, the rest is split fairly.
  const budget = PG_MAX_IDENTIFIER_BYTES - HASH_CHARS - 3;
  const schemaPart = truncateBytes(schema, Math.max(Math.floor(budget / 3), budget - Buffer.byteLength(table, "utf8")));
  const tablePart = truncateBytes(table, budget - Buffer.byteLength(schemaPart, "utf8"));
  return `${schemaPart}__${tablePart}_${hash}`;
}
