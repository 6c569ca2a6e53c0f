import { AppError, notFound } from "@steward/core";
import { assignBit, hasBit } from "./bitset";
import type { CompiledSnapshot } from "./compile";
import { userTerms } from "./condition";
import { policyHolds, tierGrants } from "./populations";
import type { AccessLevel, User } from "./types";

export type UserLevelChange = { sourceId: string; before: AccessLevel; after: AccessLevel };

/**
 * Re-decides one user after their groups, attributes or activity changed, without touching anyone
 * else: each policy once for this user (≈200 checks), each class once, then one bit per source.
 * Updates `c` (user record and `c.current`) and returns only the sources whose level changed,
 * ascending by source index.
 *
 * The user's own approvals and subscriptions are judged at `now`, other users' stay as of the last
 * full evaluation: callers re-run `evaluateCompiled` at `nextExpiryAt` anyway. A user unknown to the
 * compiled snapshot (a new account) needs a re-compile, because every set is sized to the user count.
 */
export function recomputeForUser(c: CompiledSnapshot, user: User, now: Date): UserLevelChange[] {
  const current = c.current;
  if (current === null) {
    throw new AppError("INTERNAL", "The access matrix is not ready yet", { internal: "recomputeForUser before evaluateCompiled" });
  }
  const i = c.userIndex.get(user.id);
  if (i === undefined) throw notFound(`User ${user.id} in the compiled policy snapshot`);

  c.users[i] = { active: user.active, terms: userTerms(user, c.terms) };
  const nowMs = now.getTime();
  const active = user.active;
  const holds = c.policies.map((p) => policyHolds(c, p, i));
  const grants = c.grantsByUser.get(i);
  const changes: UserLevelChange[] = [];

  // Without approvals or subscriptions on a source, every source of a class gets the same answer:
  // decide each class once, then walk sources in index order (so the result needs no sort).
  const classWrite = new Uint8Array(c.classes.length);
  const classRead = new Uint8Array(c.classes.length);
  c.classes.forEach((cls, ci) => {
    const w = tierGrants(cls.write, cls.merge, holds, active, false);
    classWrite[ci] = w ? 1 : 0;
    classRead[ci] = w || tierGrants(cls.read, cls.merge, holds, active, false) ? 1 : 0;
  });
  for (let s = 0; s < c.sourceIds.length; s++) {
    const ci = c.classOf[s]!;
    if (ci < 0) continue; // disabled: always NONE
    let canWrite = classWrite[ci] === 1;
    let canRead = classRead[ci] === 1;
    const g = grants?.get(s);
    if (g !== undefined) {
      const cls = c.classes[ci]!;
      const approved = g.approval > nowMs;
      canWrite = tierGrants(cls.write, cls.merge, holds, active, approved) || (active && g.writeSub > nowMs);
      canRead = canWrite || tierGrants(cls.read, cls.merge, holds, active, approved) || (active && g.readSub > nowMs);
    }
    const row = s * c.words;
    const before = level(hasBit(current.read, i, row), hasBit(current.write, i, row));
    const after = level(canRead, canWrite);
    if (before === after) continue;
    assignBit(current.read, i, canRead, row);
    assignBit(current.write, i, canWrite, row);
    changes.push({ sourceId: c.sourceIds[s]!, before, after });
  }
  return changes;
}

const level = (read: boolean, write: boolean): AccessLevel => (write ? "WRITE" : read ? "READ" : "NONE");
