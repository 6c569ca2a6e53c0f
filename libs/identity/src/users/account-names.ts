import { badInput, conflict } from "@steward/core";
import type { PlatformKind, Tx } from "@steward/db";
import { type AccountRules, adapterFor, kindsWith } from "@steward/integrations";

/**
 * Platforms whose account names Steward checks when they are written: the ones it manages access on,
 * with the rules their adapters declare.
 */
export const ACCOUNT_RULES: Partial<Record<PlatformKind, AccountRules>> = Object.fromEntries(
  kindsWith("access").map((kind) => [kind, adapterFor(kind).accounts]),
);

/**
 * Usernames become platform accounts under the USERNAME mapping, so a username a platform reserves
 * (`public`, `pg_x`, `postgres`…) is refused here rather than skipped at every reconcile.
 */
export function assertUsableUsername(username: string): void {
  for (const [platform, rules] of Object.entries(ACCOUNT_RULES)) {
    const problem = rules?.validate(username);
    if (problem) throw badInput(`Invalid input: username: ${problem} on ${platform}`, [{ path: "username", message: problem }]);
  }
}

export function assertUsableAccountName(platform: PlatformKind, accountName: string): void {
  const problem = ACCOUNT_RULES[platform]?.validate(accountName);
  if (problem) throw badInput(`Invalid input: accountName: ${problem}`, [{ path: "accountName", message: problem }]);
}

/**
 * Two users on one account would have one person's grants land on the other's role. An explicit
 * account must not equal another user's username unless that user has an explicit account of their
 * own on the platform (which replaces the username mapping); a new username must not equal anyone's
 * explicit account. Compared by the platform's canonical form.
 */
export async function assertAccountFree(
  tx: Tx,
  check: { platform: PlatformKind; accountName: string; userId: string } | { username: string },
): Promise<void> {
  if ("username" in check) {
    for (const [platform, rules] of Object.entries(ACCOUNT_RULES) as [PlatformKind, AccountRules | undefined][]) {
      if (!rules) continue;
      const key = rules.canonical(check.username);
      const taken = await tx.platformAccount.findFirst({
        where: { platform, accountName: key },
        select: { user: { select: { username: true } } },
      });
      if (taken)
        throw conflict(`User ${taken.user.username} is already mapped to the ${platform} account ${JSON.stringify(check.username)}`);
    }
    return;
  }
  const rules = ACCOUNT_RULES[check.platform];
  if (!rules) return;
  const key = rules.canonical(check.accountName);
  const owner = await tx.user.findFirst({
    where: {
      id: { not: check.userId },
      username: key,
      platformAccounts: { none: { platform: check.platform } },
    },
    select: { username: true },
  });
  if (owner) throw conflict(`The ${check.platform} account ${JSON.stringify(check.accountName)} is user ${owner.username}'s (by username)`);
}
