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

  for (const cls of c.classes) {
    // Without approvals or subscriptions on a source, every source of the class gets the same answer.
    const plainWrite = tierGrants(cls.write, cls.merge, holds, active, false);
    const plainRead = plainWrite || tierGrants(cls.read, cls.merge, holds, active, false);
    for (const s of cls.sources) {
      let canWrite = plainWrite;
      let canRead = plainRead;
      const g = grants?.get(s);
      if (g !== undefined) {
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
  }
  return changes.sort((a, b) => c.sourceIndex.get(a.sourceId)! - c.sourceIndex.get(b.sourceId)!);
}

const level = (read: boolean, write: boolean): AccessLevel => (write ? "WRITE" : read ? "READ" : "NONE");
