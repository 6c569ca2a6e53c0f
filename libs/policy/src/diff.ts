import { hasBit } from "./bitset";
import type { AccessResult } from "./result";

/**
 * Who gains or loses what on one source. READ covers "at least READ": a user going NONE → WRITE shows
 * in both gained lists, WRITE → READ only in `lostWrite`.
 */
export type SourceAccessDiff = {
  sourceId: string;
  gainedRead: string[];
  lostRead: string[];
  gainedWrite: string[];
  lostWrite: string[];
};

/**
 * Compares two evaluations (e.g. the current policies and a proposed change) for a dry-run plan. Users
 * or sources present on one side only count as NONE on the other. Only sources with a change are
 * listed: sources in `after`'s order, then those only `before` has; users in each result's order.
 */
export function diffAccess(before: AccessResult, after: AccessResult): SourceAccessDiff[] {
  const sameUsers = before.userIds === after.userIds || sameIds(before.userIds, after.userIds);
  const beforeUsers = new Map(before.userIds.map((id, i) => [id, i]));
  const afterUsers = new Map(after.userIds.map((id, i) => [id, i]));
  const beforeSources = new Map(before.sourceIds.map((id, s) => [id, s]));
  const afterSources = new Map(after.sourceIds.map((id, s) => [id, s]));
  const onlyBefore = before.sourceIds.filter((id) => !afterSources.has(id));
  // Users on either side, each once: after's order first.
  const allUsers = [...after.userIds, ...before.userIds.filter((id) => !afterUsers.has(id))];

  const out: SourceAccessDiff[] = [];
  for (const sourceId of [...after.sourceIds, ...onlyBefore]) {
    const bs = beforeSources.get(sourceId);
    const as = afterSources.get(sourceId);
    const d: SourceAccessDiff = { sourceId, gainedRead: [], lostRead: [], gainedWrite: [], lostWrite: [] };
    const bit = (r: AccessResult, m: "read" | "write", row: number | undefined, u: number | undefined) =>
      row !== undefined && u !== undefined && hasBit(r[m], u, row * r.words);

    if (sameUsers) {
      // Fast path: same user order, so compare whole words and only walk the words that differ.
      for (let w = 0; w < after.words; w++) {
        for (const m of ["read", "write"] as const) {
          const bw = bs === undefined ? 0 : before[m][bs * before.words + w]!;
          const aw = as === undefined ? 0 : after[m][as * after.words + w]!;
          let x = bw ^ aw;
          while (x !== 0) {
            const low = x & -x;
            const u = (w << 5) + (31 - Math.clz32(low));
            const id = after.userIds[u]!;
            const gained = (aw & low) !== 0;
            (m === "read" ? (gained ? d.gainedRead : d.lostRead) : gained ? d.gainedWrite : d.lostWrite).push(id);
            x ^= low;
          }
        }
      }
    } else {
      for (const id of allUsers) {
        const bu = beforeUsers.get(id);
        const au = afterUsers.get(id);
        for (const m of ["read", "write"] as const) {
          const was = bit(before, m, bs, bu);
          const is = bit(after, m, as, au);
          if (was === is) continue;
          (m === "read" ? (is ? d.gainedRead : d.lostRead) : is ? d.gainedWrite : d.lostWrite).push(id);
        }
      }
    }
    if (d.gainedRead.length + d.lostRead.length + d.gainedWrite.length + d.lostWrite.length > 0) out.push(d);
  }
  return out;
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
