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
  for (const u of desired.users) {
    if (bad.has(u.accountName)) continue;
    const reason = rules.validate(u.accountName);
    if (reason === null) continue;
    bad.add(u.accountName);
    skipped.push({ accountName: u.accountName, reason });
  }
  if (skipped.length === 0) return { desired, skipped, warnings: [] };
  const warnings = skipped.map((s) => `user ${JSON.stringify(s.accountName.slice(0, 80))} skipped: ${s.reason}`);
  return {
    desired: {
      ...desired,
      users: desired.users.filter((u) => !bad.has(u.accountName)),
      access: desired.access.filter((a) => !bad.has(a.accountName)),
    },
    skipped,
    warnings,
  };
}
