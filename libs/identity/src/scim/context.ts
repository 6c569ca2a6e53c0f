import type { Actor } from "@steward/core";
import type { Tx } from "@steward/db";
import { requireRole } from "../authz";
import { ScimError } from "./errors";
import { type AttributeMapping, loadMappings } from "./mapping";

/** Per request: who acts (a SCIM-scoped API key), and the public base URL for `location`s. */
export type ScimRequest = { actor: Actor | null; baseUrl: string };

/** Every SCIM operation manages identities, so every one needs ADMIN (the SCIM key's owner's role). */
export function requireScimAdmin(actor: Actor | null): Actor {
  return requireRole(actor, "ADMIN");
}

export async function mappingsIn(tx: Tx): Promise<AttributeMapping[]> {
  return loadMappings(tx);
}

/** Compares an `If-Match` header with the current ETag; `*` matches anything that exists. */
export function checkIfMatch(ifMatch: string | undefined, etag: string): void {
  if (!ifMatch) return;
  const wanted = ifMatch.split(",").map((t) => t.trim());
  if (wanted.includes("*") || wanted.includes(etag)) return;
  throw new ScimError(412, "The resource changed since the given ETag (If-Match failed)");
}

export function pageArgs(startIndex: unknown, count: unknown, max: number): { skip: number; take: number; startIndex: number } {
  const si = startIndex === undefined ? 1 : Number.parseInt(String(startIndex), 10);
  const c = count === undefined ? max : Number.parseInt(String(count), 10);
  if (!Number.isFinite(si) || !Number.isFinite(c)) throw new ScimError(400, "startIndex and count must be integers", "invalidValue");
  // RFC 7644 §3.4.2.4: startIndex below 1 is taken as 1, a negative count as 0.
  const start = Math.max(1, si);
  return { skip: start - 1, take: Math.min(Math.max(0, c), max), startIndex: start };
}
