import { postgresAccountRulesFor } from "../accounts";
import type { DesiredState } from "./types";

export type SkippedUser = { accountName: string; reason: string };

/**
 * Removes users whose account name PostgreSQL cannot take (reserved, `pg_`/`stw_`, too long, NUL,
 * the reconciling role itself) together with their access entries. One bad name used to fail the
 * whole desired state, stopping every grant and revoke on the connection; now only that user is
 * left out, and the caller reports it. Returns `desired` itself when nobody is skipped.
 */
export function withoutUnusableUsers(
  desired: DesiredState,
  reconcilingUser?: string,
): { desired: DesiredState; skipped: SkippedUser[]; warnings: string[] } {
  const rules = postgresAccountRulesFor({ reconcilingUser });
  const skipped: SkippedUser[] = [];
  const bad = new Set<string>();
  // The delta path's scope names accounts too (some no longer among the users): same rules.
  for (const accountName of [...desired.users.map((u) => u.accountName), ...(desired.onlyAccounts ?? [])]) {
    if (bad.has(accountName)) continue;
    const reason = rules.validate(accountName);
    if (reason === null) continue;
    bad.add(accountName);
    skipped.push({ accountName, reason });
  }
  if (skipped.length === 0) return { desired, skipped, warnings: [] };
  const warnings = skipped.map((s) => `user ${JSON.stringify(s.accountName.slice(0, 80))} skipped: ${s.reason}`);
  return {
    desired: {
      ...desired,
      users: desired.users.filter((u) => !bad.has(u.accountName)),
      access: desired.access.filter((a) => !bad.has(a.accountName)),
      ...(desired.onlyAccounts ? { onlyAccounts: desired.onlyAccounts.filter((a) => !bad.has(a)) } : {}),
    },
    skipped,
    warnings,
  };
}
