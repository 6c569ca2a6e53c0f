import { hasBit, indicesOf } from "./bitset";
import type { AccessLevel, AccessType } from "./types";

export type ConflictKind =
  /** Under ALL, some users satisfy one or more of the policies of a tier but not all of them. */
  | "ALL_MERGE_DENIAL"
  /** Users get WRITE (hence READ) although the READ policies on the source would not let them read. */
  | "WRITE_IMPLIES_READ";

/**
 * One conflict shared by every source of a class (same merge rule and policies), counted before
 * approvals and subscriptions. `explainAccess` gives the per-user version.
 */
export type SourceConflict = {
  kind: ConflictKind;
  accessType: AccessType;
  /** Ascending. */
  policyIds: readonly string[];
  sourceIds: readonly string[];
  affectedUsers: number;
  message: string;
};

/**
 * The whole decision matrix, compactly: for source row s, bit i of `read` (resp. `write`) is set when
 * user i may read (resp. write). `write` ⊆ `read` always holds. 10^4 × 10^4 is 25 MB in total.
 */
export type AccessResult = {
  evaluatedAt: Date;
  userIds: readonly string[];
  sourceIds: readonly string[];
  /** Words per row. */
  words: number;
  read: Uint32Array;
  write: Uint32Array;
  /** The first instant after `evaluatedAt` at which an approval or subscription in force expires. */
  nextExpiryAt: Date | null;
  conflicts: readonly SourceConflict[];
};

type Lookup = { users: Map<string, number>; sources: Map<string, number> };
const lookups = new WeakMap<AccessResult, Lookup>();

function lookup(result: AccessResult): Lookup {
  let l = lookups.get(result);
  if (l === undefined) {
    l = {
      users: new Map(result.userIds.map((id, i) => [id, i])),
      sources: new Map(result.sourceIds.map((id, i) => [id, i])),
    };
    lookups.set(result, l);
  }
  return l;
}

export function levelAt(result: AccessResult, user: number, source: number): AccessLevel {
  const base = source * result.words;
  if (hasBit(result.write, user, base)) return "WRITE";
  return hasBit(result.read, user, base) ? "READ" : "NONE";
}

/** NONE for ids the result does not know. */
export function levelOf(result: AccessResult, userId: string, sourceId: string): AccessLevel {
  const l = lookup(result);
  const u = l.users.get(userId);
  const s = l.sources.get(sourceId);
  return u === undefined || s === undefined ? "NONE" : levelAt(result, u, s);
}

/** Users holding at least `type` on a source (WRITE holders are included for READ), ascending by index. */
export function usersWithAccess(result: AccessResult, sourceId: string, type: AccessType): string[] {
  const s = lookup(result).sources.get(sourceId);
  if (s === undefined) return [];
  const matrix = type === "WRITE" ? result.write : result.read;
  return indicesOf(matrix, s * result.words, result.words).map((i) => result.userIds[i]!);
}

/** Every source a user can at least read, with the level. */
export function sourcesForUser(result: AccessResult, userId: string): { sourceId: string; level: AccessLevel }[] {
  const u = lookup(result).users.get(userId);
  if (u === undefined) return [];
  const out: { sourceId: string; level: AccessLevel }[] = [];
  result.sourceIds.forEach((sourceId, s) => {
    const level = levelAt(result, u, s);
    if (level !== "NONE") out.push({ sourceId, level });
  });
  return out;
}
