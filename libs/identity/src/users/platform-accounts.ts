import { type Actor, conflict, parseInput } from "@steward/core";
import { isUniqueViolation, transaction } from "@steward/db";
import { emitEvent, recordAudit } from "@steward/events";
import { PLATFORM_KINDS, type PlatformKind } from "@steward/integrations";
import { z } from "zod";
import { requireRole } from "../authz";
import type { IdentityDeps } from "../deps";
import { assertAccountFree, assertUsableAccountName } from "./account-names";
import { requireUser } from "./user-snapshot";

const PLATFORMS = PLATFORM_KINDS as readonly PlatformKind[];

const Input = z.object({
  userId: z.uuid(),
  platform: z.enum(PLATFORMS),
  // Platform account names are identifiers on the platform: printable, no control characters.
  accountName: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .regex(/^[^\p{Cc}]+$/u, "must not contain control characters")
    .nullish(),
});

/** Maps a user to their account on a platform (manual user-ID mapping); null removes the mapping. */
export async function setPlatformAccount(deps: IdentityDeps, actor: Actor | null, input: unknown) {
  const a = requireRole(actor, "ADMIN");
  const data = parseInput(Input, input);
  if (data.accountName) assertUsableAccountName(data.platform, data.accountName);
  try {
    return await transaction(deps.db, async (tx) => {
      const user = await requireUser(tx, data.userId);
      const key = { userId_platform: { userId: data.userId, platform: data.platform } };
      const before = await tx.platformAccount.findUnique({ where: key });
      if ((before?.accountName ?? null) === (data.accountName ?? null)) return user;
      if (data.accountName) {
        await assertAccountFree(tx, { platform: data.platform, accountName: data.accountName, userId: data.userId });
        await tx.platformAccount.upsert({
          where: key,
          create: { userId: data.userId, platform: data.platform, accountName: data.accountName },
          update: { accountName: data.accountName },
        });
      } else {
        await tx.platformAccount.delete({ where: key });
      }
      await recordAudit(tx, a, {
        action: "user.platform_account.set",
        targetType: "User",
        targetId: data.userId,
        before: { platform: data.platform, accountName: before?.accountName ?? null },
        after: { platform: data.platform, accountName: data.accountName ?? null },
      });
      await emitEvent(tx, {
        type: "user.platform_accounts.changed",
        aggregateType: "User",
        aggregateId: data.userId,
        payload: { userId: data.userId },
      });
      return user;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`Another user is already mapped to this ${data.platform} account`);
    throw err;
  }
}
